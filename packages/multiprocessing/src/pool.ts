import {
  type CallSettlement,
  FunctionPool,
  type MapProgress,
  type MapRun,
  PoolArgumentError,
  type PoolBackend,
  type PoolBackendOptions,
  PoolClosedError,
  type PoolFunction,
  type PoolResources,
  PoolStateError,
  poolBackend,
} from "@satyr/core";
import { AsyncResult, type ResultCallbacks } from "./async-result.js";

/**
 * Options of a {@link Pool}.
 *
 * @example
 * ```ts
 * const options: PoolOptions = { processes: 8, name: "satyr-pool", resources: [cpus(0.5), mem(256)] };
 * ```
 */
export interface PoolOptions extends PoolBackendOptions {
  /** The most tasks running on the cluster at once. Default: `os.availableParallelism()`, as Python. */
  readonly processes?: number | undefined;
  /** Framework name and task name prefix. Default `"multiprocessing"`. */
  readonly name?: string | undefined;
  /** Resources of every task unless a call gives its own. */
  readonly resources?: PoolResources | undefined;
  /** Runs tasks through this backend instead of a framework of its own (custom backends, tests). */
  readonly backend?: PoolBackend | undefined;
}

/**
 * Options of `apply` / `applyAsync`.
 *
 * @example
 * ```ts
 * pool.applyAsync(fn, [1], { callback: console.log, timeoutMs: 10_000 });
 * ```
 */
export interface ApplyOptions<T> extends ResultCallbacks<T> {
  readonly resources?: PoolResources | undefined;
  /** Fails the call with a `TimeoutError` (and kills it) this long after it started running. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Options of `map`, `starmap`, `imap`, `imapUnordered`.
 *
 * @example
 * ```ts
 * await pool.map(fn, xs, { chunksize: 100, onProgress: (p) => console.log(`${p.done}/${p.total}`) });
 * ```
 */
export interface PoolMapOptions {
  /** Calls per cluster task. `map`/`starmap`: default `ceil(n / (4 × processes))`; `imap*`: default 1. */
  readonly chunksize?: number | undefined;
  readonly resources?: PoolResources | undefined;
  readonly onProgress?: ((progress: MapProgress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Options of `imap` / `imapUnordered`: also `buffersize`, the most tasks submitted ahead of the consumer
 * (cpython#136871); input is then read lazily.
 *
 * @example
 * ```ts
 * for await (const v of pool.imap(fn, hugeGenerator(), { chunksize: 10, buffersize: 4 })) use(v);
 * ```
 */
export interface ImapOptions extends PoolMapOptions {
  readonly buffersize?: number | undefined;
}

type PoolState = "running" | "closed" | "terminated";

/**
 * Python's `multiprocessing.Pool` on a Mesos cluster: each call (or chunk of `chunksize` calls) is one cluster
 * task, at most `processes` at once. The framework starts on the first call (on `MESOS_MASTER`, or an embedded
 * local cluster when unset). Lifecycle as in Python: `close()` then `join()` to finish the work, `terminate()`
 * to kill it; `await using` terminates, as Python's `with` does.
 *
 * @example
 * ```ts
 * await using pool = new Pool({ name: "satyr-pool" });
 * const r = pool.applyAsync((a: number, b: number) => a + b, [1, 2]);
 * console.log(await r.get()); // 3
 * console.log(await pool.map((x: number) => x * x, [1, 2, 3])); // [1, 4, 9]
 * pool.close();
 * await pool.join();
 * ```
 */
export class Pool implements AsyncDisposable {
  readonly #pool: FunctionPool;
  #state: PoolState = "running";

  constructor(options: PoolOptions = {}) {
    const name = options.name ?? "multiprocessing";
    this.#pool = new FunctionPool({
      backend: options.backend ?? poolBackend({ ...options, name }),
      maxConcurrency: options.processes,
      maxConcurrencyOption: "processes",
      name,
      resources: options.resources,
    });
  }

  /** The bound on tasks running at once. */
  get processes(): number {
    return this.#pool.maxConcurrency;
  }

  /** Runs `fn(...args)` and resolves with its value (Python's blocking `apply`). */
  async apply<A extends readonly unknown[], R>(
    fn: PoolFunction<A, R>,
    args: A = [] as unknown as A,
    options: ApplyOptions<Awaited<R>> = {},
  ): Promise<Awaited<R>> {
    return this.applyAsync(fn, args, options).get();
  }

  /** Schedules `fn(...args)` and returns its {@link AsyncResult}; `callback`/`errorCallback` are called once. */
  applyAsync<A extends readonly unknown[], R>(
    fn: PoolFunction<A, R>,
    args: A = [] as unknown as A,
    options: ApplyOptions<Awaited<R>> = {},
  ): AsyncResult<Awaited<R>> {
    this.#checkRunning();
    const call = this.#pool.call<Awaited<R>>(fn, args, {
      resources: options.resources,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return new AsyncResult(call, options);
  }

  /** `fn(item)` for every item, results in order (Python's `map`); rejects with the first failure. */
  async map<T, R>(
    fn: PoolFunction<[T], R>,
    iterable: Iterable<T>,
    options: PoolMapOptions = {},
  ): Promise<Awaited<R>[]> {
    return this.mapAsync(fn, iterable, options).get();
  }

  /** Like {@link Pool.map}, returning one {@link AsyncResult} for the whole list. */
  mapAsync<T, R>(
    fn: PoolFunction<[T], R>,
    iterable: Iterable<T>,
    options: PoolMapOptions & ResultCallbacks<Awaited<R>[]> = {},
  ): AsyncResult<Awaited<R>[]> {
    return this.#mapAsync(fn, singleArgs(iterable), options);
  }

  /** `fn(...args)` for every argument list, results in order (Python's `starmap`). */
  async starmap<A extends readonly unknown[], R>(
    fn: PoolFunction<A, R>,
    iterable: Iterable<A>,
    options: PoolMapOptions = {},
  ): Promise<Awaited<R>[]> {
    return this.starmapAsync(fn, iterable, options).get();
  }

  /** Like {@link Pool.starmap}, returning one {@link AsyncResult}. */
  starmapAsync<A extends readonly unknown[], R>(
    fn: PoolFunction<A, R>,
    iterable: Iterable<A>,
    options: PoolMapOptions & ResultCallbacks<Awaited<R>[]> = {},
  ): AsyncResult<Awaited<R>[]> {
    return this.#mapAsync(fn, argLists(iterable), options);
  }

  /**
   * Lazily yields `fn(item)` in order (Python's `imap`, default `chunksize` 1). The iterable also exposes
   * `progress$`; leaving the loop early cancels (kills) what is left.
   */
  imap<T, R>(
    fn: PoolFunction<[T], R>,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: ImapOptions = {},
  ): MapRun<Awaited<R>> {
    return this.#imap(fn, iterable, options, true);
  }

  /** Like {@link Pool.imap}, in completion order (Python's `imap_unordered`). */
  imapUnordered<T, R>(
    fn: PoolFunction<[T], R>,
    iterable: Iterable<T> | AsyncIterable<T>,
    options: ImapOptions = {},
  ): MapRun<Awaited<R>> {
    return this.#imap(fn, iterable, options, false);
  }

  /** Takes no more work; what was submitted completes. `join()` then waits for it. */
  close(): void {
    if (this.#state !== "running") return;
    this.#state = "closed";
    void this.#pool.shutdown({ cancel: "none", wait: false });
  }

  /** Kills all outstanding work at once (results reject with `CancelledError`) and stops the framework. */
  async terminate(): Promise<void> {
    this.#state = "terminated";
    await this.#pool.shutdown({ cancel: "all", wait: true });
  }

  /**
   * Waits until all work completed and the framework stopped. A `PoolStateError` before `close()` or
   * `terminate()`, as Python's `ValueError("Pool is still running")`.
   */
  async join(): Promise<void> {
    if (this.#state === "running") {
      throw new PoolStateError("join() needs close() or terminate() first: the pool is still running");
    }
    await this.#pool.shutdown({ wait: true });
  }

  /** `await using` terminates the pool, as Python's `with Pool() as p:` does on exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  #checkRunning(): void {
    if (this.#state !== "running")
      throw new PoolClosedError(`pool is ${this.#state}: it takes no new work (Pool not running)`);
  }

  #mapAsync<R>(
    fn: PoolFunction,
    input: (readonly unknown[])[],
    options: PoolMapOptions & ResultCallbacks<R[]>,
  ): AsyncResult<R[]> {
    this.#checkRunning();
    const run = this.#pool.map<R>(fn, input, {
      chunksize: options.chunksize,
      resources: options.resources,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    const settled = run.collect().then(
      (values): CallSettlement<R[]> => ({ ok: true, value: values }),
      (error: Error): CallSettlement<R[]> => ({ ok: false, error }),
    );
    return new AsyncResult<R[]>({ settled, progress$: run.progress$, progress: () => run.progress }, options);
  }

  #imap<R>(
    fn: PoolFunction,
    iterable: Iterable<unknown> | AsyncIterable<unknown>,
    options: ImapOptions,
    ordered: boolean,
  ): MapRun<R> {
    this.#checkRunning();
    return this.#pool.map<R>(fn, wrapEach(iterable), {
      chunksize: options.chunksize ?? 1,
      buffersize: options.buffersize,
      ordered,
      resources: options.resources,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  }
}

function singleArgs(iterable: Iterable<unknown>): (readonly unknown[])[] {
  checkIterable(iterable);
  return Array.from(iterable, (item) => [item]);
}

function argLists(iterable: Iterable<readonly unknown[]>): (readonly unknown[])[] {
  checkIterable(iterable);
  return Array.from(iterable, (args, i) => {
    if (!Array.isArray(args)) {
      throw new PoolArgumentError(`iterable[${i}]`, `starmap needs argument arrays, got ${typeof args}`);
    }
    return args;
  });
}

function wrapEach(
  iterable: Iterable<unknown> | AsyncIterable<unknown>,
): Iterable<unknown[]> | AsyncIterable<unknown[]> {
  if (typeof iterable === "object" && iterable !== null && Symbol.asyncIterator in iterable) {
    return (async function* () {
      for await (const item of iterable) yield [item];
    })();
  }
  checkIterable(iterable);
  return (function* () {
    for (const item of iterable as Iterable<unknown>) yield [item];
  })();
}

function checkIterable(value: unknown): void {
  const ok =
    typeof value === "string" || (typeof value === "object" && value !== null && Symbol.iterator in value);
  if (!ok)
    throw new PoolArgumentError(
      "iterable",
      `expected an iterable, got ${value === null ? "null" : typeof value}`,
    );
}
