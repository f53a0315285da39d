import {
  type CallSettlement,
  type MapProgress,
  PoolStateError,
  reportCallbackError,
  waitFor,
} from "@satyr/core";
import type { Observable } from "rxjs";

/**
 * Python's `callback` / `error_callback` of `apply_async` and `map_async`: called once, with the value or the
 * error, before `get()` resolves.
 *
 * @example
 * ```ts
 * const callbacks: ResultCallbacks<number> = { callback: (v) => console.log(v), errorCallback: console.error };
 * ```
 */
export interface ResultCallbacks<T> {
  readonly callback?: ((value: T) => void) | undefined;
  readonly errorCallback?: ((error: Error) => void) | undefined;
}

/**
 * Where an {@link AsyncResult} gets its outcome and, for map-style calls, its progress.
 * @internal
 */
export interface AsyncResultSource<T> {
  readonly settled: Promise<CallSettlement<T>>;
  readonly progress$?: Observable<MapProgress> | undefined;
  readonly progress?: () => MapProgress;
}

/**
 * Python's `multiprocessing.pool.AsyncResult`: the handle returned by `applyAsync`, `mapAsync` and
 * `starmapAsync`.
 *
 * @example
 * ```ts
 * const r = pool.applyAsync((a: number, b: number) => a + b, [1, 2]);
 * await r.wait(1000);
 * if (r.ready() && r.successful()) console.log(await r.get()); // 3
 * ```
 */
export class AsyncResult<T> {
  readonly #settled: Promise<CallSettlement<T>>;
  #settlement: CallSettlement<T> | undefined;
  readonly #source: AsyncResultSource<T>;

  /** @internal Created by the pool. */
  constructor(source: AsyncResultSource<T>, callbacks: ResultCallbacks<T> = {}) {
    this.#source = source;
    // Callbacks run before the result is observable, so `get()` resolving implies the callback has run.
    this.#settled = source.settled.then((settlement) => {
      try {
        if (settlement.ok) callbacks.callback?.(settlement.value);
        else callbacks.errorCallback?.(settlement.error);
      } catch (error) {
        reportCallbackError(error, settlement.ok ? "callback" : "errorCallback");
      }
      this.#settlement = settlement;
      return settlement;
    });
  }

  /**
   * The value, waiting at most `timeoutMs` (no bound when omitted). Rejects with the call's error (the first
   * failing item's, for a map), or with a `TimeoutError` when the wait ran out (the work goes on).
   */
  async get(timeoutMs?: number): Promise<T> {
    const settlement = await waitFor(this.#settled, timeoutMs, "AsyncResult.get");
    if (settlement.ok) return settlement.value;
    throw settlement.error;
  }

  /** Waits until the result is ready or `timeoutMs` passed; never rejects. */
  async wait(timeoutMs?: number): Promise<void> {
    await waitFor(this.#settled, timeoutMs, "AsyncResult.wait").catch(() => undefined);
  }

  /** Whether the call has completed. */
  ready(): boolean {
    return this.#settlement !== undefined;
  }

  /**
   * Whether the call completed without raising. Throws a `PoolStateError` if it is not ready yet (Python's
   * `ValueError`).
   */
  successful(): boolean {
    if (this.#settlement === undefined)
      throw new PoolStateError("the result is not ready: successful() needs ready()");
    return this.#settlement.ok;
  }

  /** For map-style results: the progress counts now; `undefined` for a single call. */
  get progress(): MapProgress | undefined {
    return this.#source.progress?.();
  }

  /** For map-style results: the progress counts as a cold Observable; `undefined` for a single call. */
  get progress$(): Observable<MapProgress> | undefined {
    return this.#source.progress$;
  }
}
