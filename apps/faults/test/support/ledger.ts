import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** One row of the fault report: what a scenario submitted and what became of it. */
export interface ScenarioReport {
  readonly scenario: string;
  readonly submitted: number;
  readonly settled: number;
  readonly fulfilled: number;
  readonly rejected: number;
  /** Relaunches after infrastructure failures (core's `QueueScheduler` stats, or task attempts). */
  readonly retried: number;
  /** Submitted and never settled: must be 0. */
  readonly lost: number;
  readonly doubleSettles: number;
  readonly durationMs: number;
  readonly notes?: string;
}

/**
 * Counts submissions and settlements by key, and records any key settled twice: a promise cannot settle twice,
 * so the ledger is fed from the places where a double settlement would show — done callbacks, map iteration,
 * phase listeners — and a second report for one key is a violation, not a no-op.
 */
export class SettleLedger {
  readonly scenario: string;
  readonly doubleSettles: string[] = [];
  readonly errors = new Map<string, number>();
  #submitted = 0;
  #fulfilled = 0;
  #rejected = 0;
  readonly #open = new Set<string>();
  readonly #closed = new Set<string>();
  readonly #started = Date.now();

  constructor(scenario: string) {
    this.scenario = scenario;
  }

  get submitted(): number {
    return this.#submitted;
  }
  get fulfilled(): number {
    return this.#fulfilled;
  }
  get rejected(): number {
    return this.#rejected;
  }
  get settled(): number {
    return this.#fulfilled + this.#rejected;
  }
  get lost(): number {
    return this.#submitted - this.settled;
  }

  /** Registers a submission; a key may be submitted once. */
  submit(key: string): void {
    if (this.#open.has(key) || this.#closed.has(key)) throw new Error(`ledger: ${key} submitted twice`);
    this.#open.add(key);
    this.#submitted++;
  }

  /** Records the settlement of `key`; a second one for the same key is recorded as a double settle. */
  settle(key: string, outcome: { ok: true } | { ok: false; error: unknown }): void {
    if (this.#closed.has(key)) {
      this.doubleSettles.push(key);
      return;
    }
    if (!this.#open.delete(key)) {
      this.doubleSettles.push(`${key} (never submitted)`);
      return;
    }
    this.#closed.add(key);
    if (outcome.ok) {
      this.#fulfilled++;
    } else {
      this.#rejected++;
      const name = outcome.error instanceof Error ? outcome.error.name : typeof outcome.error;
      this.errors.set(name, (this.errors.get(name) ?? 0) + 1);
    }
  }

  /** Submits `key` and settles it when `promise` does. */
  track<T>(key: string, promise: PromiseLike<T>): Promise<T> {
    this.submit(key);
    const tracked = Promise.resolve(promise).then(
      (value) => {
        this.settle(key, { ok: true });
        return value;
      },
      (error: unknown) => {
        this.settle(key, { ok: false, error });
        throw error;
      },
    );
    // A scenario that fails early leaves rejections unread: they must not surface as unhandled.
    tracked.catch(() => undefined);
    return tracked;
  }

  /** The keys submitted and not settled (for failure messages). */
  unsettled(limit = 10): string[] {
    return [...this.#open].slice(0, limit);
  }

  /** Builds the report row and appends it to `artifacts/fault-report.jsonl`. */
  report(retried: number, notes?: string): ScenarioReport {
    const row: ScenarioReport = {
      scenario: this.scenario,
      submitted: this.#submitted,
      settled: this.settled,
      fulfilled: this.#fulfilled,
      rejected: this.#rejected,
      retried,
      lost: this.lost,
      doubleSettles: this.doubleSettles.length,
      durationMs: Date.now() - this.#started,
      ...(notes === undefined ? {} : { notes }),
    };
    const dir = join(process.cwd(), "artifacts");
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, "fault-report.jsonl"), `${JSON.stringify(row)}\n`);
    return row;
  }
}

/**
 * Asserts the invariant of every scenario — nothing lost, nothing settled twice — writes the report row, and
 * returns it for scenario-specific assertions.
 */
export function closeLedger(ledger: SettleLedger, retried: number, notes?: string): ScenarioReport {
  const row = ledger.report(retried, notes);
  expect(ledger.doubleSettles).toEqual([]);
  expect({ lost: row.lost, unsettled: ledger.unsettled() }).toEqual({ lost: 0, unsettled: [] });
  expect(row.settled).toBe(row.submitted);
  return row;
}
