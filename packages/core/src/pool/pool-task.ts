import { CancelledError } from "../errors/index.js";
import type { ChunkOutcome, ChunkRequest } from "./chunk-runner.js";
import { reportCallbackError } from "./report-callback-error.js";

/**
 * Where a pool task is in its life:
 * - `"queued"`: waiting for a free slot of the pool's concurrency bound;
 * - `"submitted"`: handed to the cluster, waiting for an offer or a launch;
 * - `"running"`: the cluster reported it running;
 * - `"finished"`: it returned one result per call (a call may still have thrown);
 * - `"failed"`: it failed as a whole (infrastructure failure after retries, timeout, broken pool);
 * - `"cancelled"`: it was cancelled before finishing (killed if it was on the cluster).
 *
 * @example
 * ```ts
 * const terminal: PoolTaskPhase[] = ["finished", "failed", "cancelled"];
 * ```
 */
export type PoolTaskPhase = "queued" | "submitted" | "running" | "finished" | "failed" | "cancelled";

/**
 * Whether a phase is terminal.
 *
 * @example
 * ```ts
 * isTerminalPhase("running"); // false
 * ```
 */
export function isTerminalPhase(phase: PoolTaskPhase): boolean {
  return phase === "finished" || phase === "failed" || phase === "cancelled";
}

/**
 * Called on every phase change of a {@link PoolTask}, with the previous phase.
 *
 * @example
 * ```ts
 * const log: PoolTaskListener = (task, previous) => console.log(task.id, previous, "→", task.phase);
 * ```
 */
export type PoolTaskListener = (task: PoolTask, previous: PoolTaskPhase) => void;

let nextTaskId = 1;

/**
 * One cluster task carrying one or more calls, created by {@link FunctionPool.submit}. Its `results` promise
 * settles exactly once: with one {@link ChunkOutcome} per call when it finished, or rejected with the reason it
 * failed or was cancelled (a `CancelledError`, a `TimeoutError`, or the runner's error).
 *
 * @example
 * ```ts
 * const task = pool.submit((a: number) => a * 2, [[1], [2]]);
 * const results = await task.results; // [{ ok: true, value: 2 }, { ok: true, value: 4 }]
 * ```
 */
export class PoolTask {
  /** A process-unique number, for logs and ordering. */
  readonly id: number = nextTaskId++;
  readonly request: ChunkRequest;
  /** Settles exactly once; see the class description. Never left unhandled: a rejection with no reader is fine. */
  readonly results: Promise<readonly ChunkOutcome[]>;

  #phase: PoolTaskPhase = "queued";
  #error: Error | undefined;
  #outcomes: readonly ChunkOutcome[] | undefined;
  // Created on first use: most tasks of a big map never need one before launch, and AbortControllers are costly.
  #controller: AbortController | undefined;
  readonly #listeners = new Set<PoolTaskListener>();
  #resolve!: (results: readonly ChunkOutcome[]) => void;
  #reject!: (error: Error) => void;

  constructor(request: ChunkRequest) {
    this.request = request;
    this.results = new Promise<readonly ChunkOutcome[]>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A task nobody awaits (fire-and-forget submit) must not crash the process with an unhandled rejection.
    this.results.catch(() => {});
  }

  /** Aborted when the task is cancelled or timed out; the runner kills the cluster task on it. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#error !== undefined && !this.#controller.signal.aborted) this.#controller.abort(this.#error);
    return this.#controller.signal;
  }

  /** The current phase. */
  get phase(): PoolTaskPhase {
    return this.#phase;
  }

  /** The number of calls this task carries. */
  get size(): number {
    return this.request.calls.length;
  }

  /** The per-call results once finished, else `undefined`. */
  get outcomes(): readonly ChunkOutcome[] | undefined {
    return this.#outcomes;
  }

  /** Why the task failed or was cancelled, else `undefined`. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Whether the task reached a terminal phase. */
  get settled(): boolean {
    return isTerminalPhase(this.#phase);
  }

  /**
   * Cancels the task: a queued task never starts; a task on the cluster is killed. Returns `false` when it had
   * already finished or failed, `true` when it is (now or already) cancelled.
   */
  cancel(reason?: Error): boolean {
    if (this.#phase === "cancelled") return true;
    if (this.settled) return false;
    this.abort(reason ?? new CancelledError(`task ${this.request.name}#${this.id}`), "cancelled");
    return true;
  }

  /** Listens to phase changes; returns the function that stops listening. */
  onPhase(listener: PoolTaskListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Ends the task with `error` in phase `phase` (`"cancelled"` or `"failed"`), aborting its signal so a runner
   * kills what is on the cluster. A no-op once settled.
   * @internal
   */
  abort(error: Error, phase: "cancelled" | "failed"): void {
    if (this.settled) return;
    this.#error = error;
    this.#controller?.abort(error);
    this.#reject(error);
    this.#move(phase);
  }

  /** @internal */
  markSubmitted(): void {
    if (this.#phase === "queued") this.#move("submitted");
  }

  /** @internal */
  markRunning(): void {
    if (this.#phase === "submitted" || this.#phase === "queued") this.#move("running");
  }

  /** @internal */
  finish(outcomes: readonly ChunkOutcome[]): void {
    if (this.settled) return;
    this.#outcomes = outcomes;
    this.#resolve(outcomes);
    this.#move("finished");
  }

  /** @internal */
  fail(error: Error): void {
    if (this.settled) return;
    this.#error = error;
    this.#reject(error);
    this.#move("failed");
  }

  #move(phase: PoolTaskPhase): void {
    const previous = this.#phase;
    if (previous === phase) return;
    this.#phase = phase;
    for (const listener of [...this.#listeners]) {
      try {
        listener(this, previous);
      } catch (error) {
        // A listener may be user code (progress callbacks); its bug must not corrupt the task's state machine.
        reportCallbackError(error, "task phase listener");
      }
    }
    if (isTerminalPhase(phase)) this.#listeners.clear();
  }
}
