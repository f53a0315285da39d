import type { PoolTask } from "./pool-task.js";
import { reportCallbackError } from "./report-callback-error.js";

/**
 * The state of a single call, as the pools report it: `"pending"` until it runs on the cluster, then
 * `"running"`, then `"finished"` (returned), `"failed"` (threw, or its task failed) or `"cancelled"`.
 *
 * @example
 * ```ts
 * if (call.state === "running") console.log("on the cluster");
 * ```
 */
export type CallState = "pending" | "running" | "finished" | "failed" | "cancelled";

/**
 * A call that has settled: `{ ok: true, value }` or `{ ok: false, error }`.
 *
 * @example
 * ```ts
 * const s = await call.settled; if (!s.ok) console.error(s.error);
 * ```
 */
export type CallSettlement<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error };

/**
 * A handle on one call run as one cluster task ({@link FunctionPool.call}): its state, its settlement (a
 * promise that never rejects), its value as a promise, cancellation (kills it if running) and done callbacks.
 * `Future` (futures) and `AsyncResult` (multiprocessing) are thin views of it.
 *
 * @example
 * ```ts
 * const call = pool.call((a: number, b: number) => a * b, [3, 5]);
 * call.onDone((c) => console.log(c.state));
 * console.log(await call.result()); // 15
 * ```
 */
export class PoolCall<T> {
  /** The underlying cluster task. */
  readonly task: PoolTask;
  /** Settles exactly once, never rejects. */
  readonly settled: Promise<CallSettlement<T>>;
  readonly #callbacks: ((call: PoolCall<T>) => void)[] = [];

  constructor(task: PoolTask) {
    this.task = task;
    this.settled = task.results.then(
      (results): CallSettlement<T> => {
        const first = results[0]!;
        return first.ok ? { ok: true, value: first.value as T } : { ok: false, error: first.error };
      },
      (error: Error): CallSettlement<T> => ({ ok: false, error }),
    );
    this.settled.then(() => {
      for (const callback of this.#callbacks.splice(0)) this.#invoke(callback);
    });
  }

  /** The call's state; see {@link CallState}. */
  get state(): CallState {
    const { phase } = this.task;
    switch (phase) {
      case "queued":
      case "submitted":
        return "pending";
      case "finished":
        return this.task.outcomes?.[0]?.ok === false ? "failed" : "finished";
      default:
        return phase;
    }
  }

  /** The settlement once the task settled (readable synchronously), else `undefined`. */
  get settlement(): CallSettlement<T> | undefined {
    const { task } = this;
    if (task.phase === "finished") {
      const first = task.outcomes![0]!;
      return first.ok ? { ok: true, value: first.value as T } : { ok: false, error: first.error };
    }
    if (task.settled) return { ok: false, error: task.error! };
    return undefined;
  }

  /** Whether the call is settled. */
  get done(): boolean {
    return this.task.settled;
  }

  /** Resolves with the value, rejects with the error. */
  async result(): Promise<T> {
    const settlement = await this.settled;
    if (settlement.ok) return settlement.value;
    throw settlement.error;
  }

  /** Cancels the call, killing it if it runs; `false` when it had already finished or failed. */
  cancel(reason?: Error): boolean {
    return this.task.cancel(reason);
  }

  /**
   * Calls `callback` once the call is settled (at once, asynchronously, if it already is). Exceptions thrown by
   * the callback are reported as process warnings and otherwise ignored, as Python does.
   */
  onDone(callback: (call: PoolCall<T>) => void): void {
    if (this.task.settled) {
      queueMicrotask(() => this.#invoke(callback));
    } else {
      this.#callbacks.push(callback);
    }
  }

  #invoke(callback: (call: PoolCall<T>) => void): void {
    try {
      callback(this);
    } catch (error) {
      reportCallbackError(error, "done callback");
    }
  }
}
