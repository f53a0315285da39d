import { Backoff } from "./backoff.js";
import { sleep } from "./call-options.js";
import type { TaskTracker } from "./task-tracker.js";

/**
 * A task to ask the master about; the agent id is recommended (without it, a recovering agent delays the answer).
 *
 * @example
 * ```ts
 * await client.reconcile([{ taskId: "t1", agentId: "a1" }, { taskId: "t2" }]);
 * ```
 */
export interface ReconcileTask {
  readonly taskId: string;
  readonly agentId?: string;
}

/**
 * Settings of {@link Reconciler}.
 *
 * @example
 * ```ts
 * const settings: ReconcilerSettings = { initialMs: 1000, maxMs: 60_000, maxRetries: 6, implicitIntervalMs: 900_000 };
 * ```
 */
export interface ReconcilerSettings {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly maxRetries: number;
  readonly implicitIntervalMs: number;
}

/**
 * Reconciliation as `docs/reconciliation.md` prescribes, run anew after every SUBSCRIBED: explicitly ask about
 * every known non-terminal task, then implicitly about all; re-ask, with truncated exponential backoff, about the
 * tasks not heard of since; then repeat the implicit one periodically. One run at a time.
 *
 * @example
 * ```ts
 * const reconciler = new Reconciler(tracker, (tasks, signal) => client.reconcile(tasks, { signal }), settings, report);
 * reconciler.start(); // on SUBSCRIBED
 * reconciler.stop(); // on disconnect
 * ```
 */
export class Reconciler {
  readonly #tracker: TaskTracker;
  readonly #send: (tasks: readonly ReconcileTask[], signal: AbortSignal) => Promise<void>;
  readonly #settings: ReconcilerSettings;
  readonly #onProblem: (error: Error) => void;
  #controller: AbortController | undefined;

  constructor(
    tracker: TaskTracker,
    send: (tasks: readonly ReconcileTask[], signal: AbortSignal) => Promise<void>,
    settings: ReconcilerSettings,
    onProblem: (error: Error) => void,
  ) {
    this.#tracker = tracker;
    this.#send = send;
    this.#settings = settings;
    this.#onProblem = onProblem;
  }

  start(): void {
    this.stop();
    const controller = new AbortController();
    this.#controller = controller;
    void this.#run(controller.signal);
  }

  stop(): void {
    this.#controller?.abort();
    this.#controller = undefined;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const since = this.#tracker.now();
    const unanswered = () =>
      this.#tracker
        .nonTerminal()
        .filter((task) => task.heardAt <= since)
        .map((task) =>
          task.agentId === undefined
            ? { taskId: task.taskId }
            : { taskId: task.taskId, agentId: task.agentId },
        );
    try {
      const known = unanswered();
      if (known.length > 0) await this.#send(known, signal);
      await this.#send([], signal);
      const backoff = new Backoff({
        initialMs: this.#settings.initialMs,
        maxMs: this.#settings.maxMs,
        jitter: 0.2,
      });
      for (let round = 0; round < this.#settings.maxRetries; round++) {
        await sleep(backoff.next(), signal);
        if (signal.aborted) return;
        const remaining = unanswered();
        if (remaining.length === 0) break;
        await this.#send(remaining, signal);
        if (round === this.#settings.maxRetries - 1) {
          this.#onProblem(
            new Error(
              `reconciliation: no answer for ${remaining.length} task(s) after ${round + 2} rounds: ${remaining
                .slice(0, 5)
                .map((t) => t.taskId)
                .join(", ")}`,
            ),
          );
        }
      }
      while (this.#settings.implicitIntervalMs > 0) {
        await sleep(this.#settings.implicitIntervalMs, signal);
        if (signal.aborted) return;
        await this.#send([], signal);
      }
    } catch (error) {
      if (!signal.aborted) this.#onProblem(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
