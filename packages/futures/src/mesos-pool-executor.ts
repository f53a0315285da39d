import {
  FunctionPool,
  type MapProgress,
  type MapRun,
  type PoolBackend,
  type PoolBackendOptions,
  type PoolFunction,
  type PoolResources,
  poolBackend,
} from "@satyr/core";
import { Future } from "./future.js";
import { zipIterables } from "./zip-iterables.js";

/**
 * Options of a {@link MesosPoolExecutor}.
 *
 * @example
 * ```ts
 * const options: MesosPoolExecutorOptions = { name: "futures-pool", maxWorkers: 16, resources: [cpus(0.1), mem(64)] };
 * ```
 */
export interface MesosPoolExecutorOptions extends PoolBackendOptions {
  /** The most tasks running on the cluster at once. Default: `os.availableParallelism()`. */
  readonly maxWorkers?: number | undefined;
  /** Framework name and task name prefix. Default `"futures"`. */
  readonly name?: string | undefined;
  /** Resources of every task unless a call gives its own. Default: core's `FunctionTask` default. */
  readonly resources?: PoolResources | undefined;
  /** Runs tasks through this backend instead of a framework of its own (custom backends, tests). */
  readonly backend?: PoolBackend | undefined;
}

/**
 * Options of {@link MesosPoolExecutor.submit}.
 *
 * @example
 * ```ts
 * executor.submit(fn, [1], { timeoutMs: 30_000, resources: [cpus(1), mem(512)], name: "resize" });
 * ```
 */
export interface SubmitOptions {
  readonly resources?: PoolResources | undefined;
  /** Cancels the call (kills it if running) when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Fails the call with a `TimeoutError` (and kills it) this long after it started running. */
  readonly timeoutMs?: number | undefined;
  /** Task name. Default `<executor name>:<function name>`. */
  readonly name?: string | undefined;
}

/**
 * Options of {@link MesosPoolExecutor.map}.
 *
 * @example
 * ```ts
 * executor.map(fn, [xs], { timeout: 60_000, chunksize: 100, buffersize: 8, onProgress: (p) => console.log(p.done) });
 * ```
 */
export interface ExecutorMapOptions {
  /** A deadline for the whole map in ms from the call: a result not ready by then raises a `TimeoutError`. */
  readonly timeout?: number | undefined;
  /** Calls per cluster task. Default: `ceil(n / (4 × maxWorkers))` for arrays, else 1. */
  readonly chunksize?: number | undefined;
  /** The most tasks submitted ahead of the consumer (input is then read lazily). Default: no bound. */
  readonly buffersize?: number | undefined;
  readonly resources?: PoolResources | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: MapProgress) => void) | undefined;
}

/**
 * Python's `concurrent.futures` executor on a Mesos cluster: every call is a cluster task, at most `maxWorkers`
 * of them run at once. The framework starts on the first submission (on `MESOS_MASTER`, or an embedded local
 * cluster when unset) and stops on {@link MesosPoolExecutor.shutdown} or `await using`.
 *
 * @example
 * ```ts
 * await using executor = new MesosPoolExecutor({ name: "futures-pool" });
 * const f = executor.submit((a: number, b: number) => a * b, [3, 5]);
 * console.log(await f); // 15
 * for await (const sq of executor.map((a: number, b: number) => a * b, [[1, 2, 3], [1, 2, 3]])) console.log(sq);
 * ```
 */
export class MesosPoolExecutor implements AsyncDisposable {
  readonly #pool: FunctionPool;

  constructor(options: MesosPoolExecutorOptions = {}) {
    const name = options.name ?? "futures";
    this.#pool = new FunctionPool({
      backend: options.backend ?? poolBackend({ ...options, name }),
      maxConcurrency: options.maxWorkers,
      maxConcurrencyOption: "maxWorkers",
      name,
      resources: options.resources,
    });
  }

  /** The bound on tasks running at once. */
  get maxWorkers(): number {
    return this.#pool.maxConcurrency;
  }

  /**
   * Schedules `fn(...args)` as a cluster task and returns its {@link Future}. Throws a `PoolClosedError` after
   * {@link MesosPoolExecutor.shutdown} (Python's `RuntimeError`) and a `BrokenPoolError` once the framework
   * failed to start.
   */
  submit<A extends readonly unknown[], R>(
    fn: PoolFunction<A, R>,
    args: A = [] as unknown as A,
    options: SubmitOptions = {},
  ): Future<Awaited<R>> {
    return new Future(this.#pool.call<Awaited<R>>(fn, args, options));
  }

  /**
   * Python's `Executor.map(fn, *iterables)`: calls `fn` with one item of each iterable (stopping at the
   * shortest), all submitted at once unless `buffersize` bounds them, and yields the results in input order.
   * The first error is thrown where its item comes; leaving the loop early cancels (kills) what is left.
   */
  map<R>(
    fn: PoolFunction<never[], R>,
    iterables: readonly (Iterable<unknown> | AsyncIterable<unknown>)[],
    options: ExecutorMapOptions = {},
  ): MapRun<Awaited<R>> {
    return this.#pool.map<Awaited<R>>(fn, zipIterables(iterables), {
      chunksize: options.chunksize,
      buffersize: options.buffersize,
      timeoutMs: options.timeout,
      resources: options.resources,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }

  /**
   * Python's `shutdown(wait=True, cancel_futures=False)`: takes no new work; with `cancelFutures` cancels the
   * calls not yet running; with `wait` resolves once every call completed and the framework stopped (without,
   * it resolves at once and the framework stops in the background when the work is done).
   */
  async shutdown(options: { wait?: boolean; cancelFutures?: boolean } = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options;
    await this.#pool.shutdown({ cancel: cancelFutures ? "queued" : "none", wait });
  }

  /** `await using` shuts down and waits, like Python's `with` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }
}
