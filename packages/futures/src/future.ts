import { CancelledError, type PoolCall, waitFor } from "@satyr/core";

/**
 * A function call running (or waiting to run) on the cluster, with Python's `concurrent.futures.Future`
 * semantics. Awaitable (`await future` is `future.result()`); unlike Python, `cancel()` also stops a running
 * call: its task is killed.
 *
 * @example
 * ```ts
 * const future = executor.submit((a: number, b: number) => a * b, [3, 5]);
 * future.addDoneCallback((f) => console.log("done:", f.done()));
 * console.log(await future.result(5000)); // 15
 * ```
 */
export class Future<T> implements PromiseLike<T> {
  readonly #call: PoolCall<T>;

  /** @internal Created by `MesosPoolExecutor.submit`. */
  constructor(call: PoolCall<T>) {
    this.#call = call;
  }

  /**
   * Cancels the call: one still waiting never starts, a running one is killed. Returns `false` only when the
   * call had already completed (returned or raised).
   */
  cancel(): boolean {
    return this.#call.cancel();
  }

  /** Whether the call was cancelled. */
  cancelled(): boolean {
    return this.#call.state === "cancelled";
  }

  /** Whether the call is running on the cluster now (the task reported running). */
  running(): boolean {
    return this.#call.state === "running";
  }

  /** Whether the call completed: returned, raised, or was cancelled. */
  done(): boolean {
    return this.#call.done;
  }

  /**
   * The call's value, waiting at most `timeoutMs` (no bound when omitted). Rejects with the call's error (a
   * `RemoteTaskError` for an exception thrown remotely), a `CancelledError` if it was cancelled, or a
   * `TimeoutError` when the wait ran out (the call goes on).
   */
  result(timeoutMs?: number): Promise<T> {
    return waitFor(this.#call.result(), timeoutMs, "waiting for the future's result");
  }

  /**
   * The call's error, or `undefined` if it returned, waiting at most `timeoutMs`. Rejects with a
   * `CancelledError` if the call was cancelled and with a `TimeoutError` when the wait ran out.
   */
  async exception(timeoutMs?: number): Promise<Error | undefined> {
    const settlement = await waitFor(this.#call.settled, timeoutMs, "waiting for the future's exception");
    if (settlement.ok) return undefined;
    if (this.cancelled()) {
      throw settlement.error.name === "CancelledError"
        ? settlement.error
        : new CancelledError("the future", { cause: settlement.error });
    }
    return settlement.error;
  }

  /**
   * Calls `callback(future)` when the call completes (at once if it already has). An exception thrown by the
   * callback is reported as a process warning and otherwise ignored, as in Python.
   */
  addDoneCallback(callback: (future: Future<T>) => void): void {
    this.#call.onDone(() => callback(this));
  }

  // biome-ignore lint/suspicious/noThenProperty: a Future is deliberately awaitable, like a Promise.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#call.result().then(onfulfilled, onrejected);
  }

  /**
   * The settlement without throwing, used by `wait()` and `asCompleted()`.
   * @internal
   */
  get settled(): Promise<unknown> {
    return this.#call.settled;
  }

  /**
   * Whether the call completed by raising (not cancelled), synchronously.
   * @internal
   */
  raised(): boolean {
    return this.#call.state === "failed";
  }
}
