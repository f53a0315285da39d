import { availableParallelism } from "node:os";
import { CancelledError, TimeoutError } from "../errors/index.js";
import type { ChunkRunner, PoolBackend, PoolResources } from "./chunk-runner.js";
import { MapRun, type MapRunOptions } from "./map-run.js";
import { PoolCall } from "./pool-call.js";
import { BrokenPoolError, PoolArgumentError, PoolClosedError } from "./pool-errors.js";
import { assertPoolFunction, functionLabel, type PoolFunction } from "./pool-function.js";
import { PoolTask } from "./pool-task.js";
import { abortReason, checkTimeout, toError } from "./pool-util.js";

/**
 * Options of a {@link FunctionPool}.
 *
 * @example
 * ```ts
 * const options: FunctionPoolOptions = { backend, maxConcurrency: 8, name: "pool", resources: [cpus(0.1)] };
 * ```
 */
export interface FunctionPoolOptions {
  /** Where tasks run; started on the first submission, stopped by {@link FunctionPool.shutdown}. */
  readonly backend: PoolBackend;
  /** The most tasks on the cluster at once (Python's `max_workers` / `processes`). Default: `availableParallelism()`. */
  readonly maxConcurrency?: number | undefined;
  /** How the caller's API names `maxConcurrency`, for error messages (`"maxWorkers"`, `"processes"`). */
  readonly maxConcurrencyOption?: string | undefined;
  /** Task name prefix; the function's name is appended. Default `"satyr-pool"`. */
  readonly name?: string | undefined;
  /** Resources of every task unless a call gives its own. */
  readonly resources?: PoolResources | undefined;
}

/**
 * Per-task options of {@link FunctionPool.submit}.
 *
 * @example
 * ```ts
 * pool.submit(fn, [[1]], { timeoutMs: 5000, signal: AbortSignal.timeout(60_000), name: "double" });
 * ```
 */
export interface PoolTaskOptions {
  readonly resources?: PoolResources | undefined;
  /** Cancels (kills) the task when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Fails the task with a `TimeoutError` (and kills it) this long after it started running. */
  readonly timeoutMs?: number | undefined;
  /** Task name; default `<pool name>:<function name>`. */
  readonly name?: string | undefined;
}

/**
 * How {@link FunctionPool.shutdown} treats work that is not finished: `"none"` lets it complete, `"queued"`
 * cancels what has not reached the cluster yet (Python's `cancel_futures=True`), `"all"` also kills what runs
 * (`Pool.terminate()`).
 *
 * @example
 * ```ts
 * await pool.shutdown({ cancel: "queued", wait: true });
 * ```
 */
export type ShutdownCancel = "none" | "queued" | "all";

/**
 * Counts of a pool's tasks right now.
 *
 * @example
 * ```ts
 * const { queued, inFlight } = pool.stats;
 * ```
 */
export interface PoolStats {
  /** Tasks waiting for a free slot. */
  readonly queued: number;
  /** Tasks handed to the cluster and not yet settled (at most `maxConcurrency`). */
  readonly inFlight: number;
}

/**
 * The shared engine behind `MesosPoolExecutor` and `Pool`: runs functions as cluster tasks with at most
 * `maxConcurrency` tasks on the cluster at once (the rest wait in a FIFO queue), chunks many calls into one task,
 * cancels by killing, times tasks out from the moment they run, and shuts down gracefully or not. It talks to
 * the cluster only through a {@link PoolBackend}.
 *
 * @example
 * ```ts
 * const pool = new FunctionPool({ backend: schedulerBackend({ name: "pool" }), maxConcurrency: 4 });
 * const call = pool.call((a: number, b: number) => a + b, [1, 2]);
 * console.log(await call.result()); // 3
 * for await (const sq of pool.map((x: number) => x * x, [[1], [2], [3]], { chunksize: 2 })) console.log(sq);
 * await pool.shutdown({ cancel: "none", wait: true });
 * ```
 */
export class FunctionPool {
  readonly maxConcurrency: number;
  readonly name: string;
  readonly resources: PoolResources | undefined;

  readonly #backend: PoolBackend;
  // Cancelled tasks stay in the array until the pump reaches them (removing each at once would be O(n) per
  // cancel); `#queued` counts the live ones.
  readonly #queue: PoolTask[] = [];
  #head = 0;
  #queued = 0;
  readonly #inFlight = new Set<PoolTask>();
  readonly #runs = new Set<MapRun<unknown>>();
  #runner: Promise<ChunkRunner> | undefined;
  #accepting = true;
  #broken: BrokenPoolError | undefined;
  #stopped: Promise<void> | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(options: FunctionPoolOptions) {
    const { maxConcurrency = availableParallelism() } = options;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new PoolArgumentError(
        options.maxConcurrencyOption ?? "maxConcurrency",
        `must be an integer ≥ 1, got ${String(maxConcurrency)}`,
      );
    }
    this.maxConcurrency = maxConcurrency;
    this.name = options.name ?? "satyr-pool";
    this.resources = options.resources;
    this.#backend = options.backend;
  }

  /** Whether the pool still takes work (not shut down, not broken). */
  get accepting(): boolean {
    return this.#accepting && this.#broken === undefined;
  }

  /** The error that broke the pool, if its backend failed. */
  get broken(): BrokenPoolError | undefined {
    return this.#broken;
  }

  /** Queue and in-flight counts. */
  get stats(): PoolStats {
    return { queued: this.#queued, inFlight: this.#inFlight.size };
  }

  /**
   * Queues one cluster task running `calls` (one argument list per call) in order. Throws a
   * {@link PoolClosedError} after shutdown and a {@link BrokenPoolError} once the backend failed.
   */
  submit(fn: PoolFunction, calls: readonly (readonly unknown[])[], options: PoolTaskOptions = {}): PoolTask {
    this.#assertAccepting();
    assertPoolFunction(fn);
    return this.#enqueue(fn, calls, options);
  }

  #enqueue(fn: PoolFunction, calls: readonly (readonly unknown[])[], options: PoolTaskOptions): PoolTask {
    if (this.#broken !== undefined) throw this.#broken;
    if (calls.length === 0) throw new PoolArgumentError("calls", "a task needs at least one call");
    for (const [i, args] of calls.entries()) {
      if (!Array.isArray(args)) {
        throw new PoolArgumentError(`calls[${i}]`, `an argument list must be an array, got ${typeof args}`);
      }
    }
    const timeoutMs = checkTimeout(options.timeoutMs, "timeoutMs");
    const task = new PoolTask({
      fn,
      calls,
      name: options.name ?? `${this.name}:${functionLabel(fn)}`,
      resources: options.resources ?? this.resources,
    });
    const { signal } = options;
    if (signal !== undefined) {
      if (signal.aborted) {
        task.cancel(abortReason(signal));
        return task;
      }
      const onAbort = () => task.cancel(abortReason(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      task.results.then(
        () => signal.removeEventListener("abort", onAbort),
        () => signal.removeEventListener("abort", onAbort),
      );
    }
    if (timeoutMs !== undefined) armRunTimeout(task, timeoutMs);
    this.#queue.push(task);
    this.#queued++;
    task.onPhase((t) => {
      // A task cancelled while queued no longer counts, so it neither delays idle() nor shows in stats.
      if (t.phase === "cancelled" && !this.#inFlight.has(t)) {
        this.#queued--;
        this.#checkIdle();
      }
    });
    this.#pump();
    return task;
  }

  /** Runs one call as one task and returns its handle (the basis of `submit` and `applyAsync`). */
  call<T>(fn: PoolFunction, args: readonly unknown[], options: PoolTaskOptions = {}): PoolCall<T> {
    if (!Array.isArray(args)) throw new PoolArgumentError("args", `must be an array, got ${typeof args}`);
    return new PoolCall<T>(this.submit(fn, [args], options));
  }

  /**
   * Maps `fn` over argument lists, `chunksize` calls per task, and returns the run: an async iterable of the
   * results (in input order, or in completion order with `ordered: false`) with progress counts. Input is read
   * at once unless `buffersize` bounds how many tasks may be ahead of the consumer.
   */
  map<T>(
    fn: PoolFunction,
    argLists: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
    options: MapRunOptions = {},
  ): MapRun<T> {
    this.#assertAccepting();
    assertPoolFunction(fn);
    const run = new MapRun<T>(
      (calls, taskOptions) => this.#enqueue(fn, calls, taskOptions),
      argLists,
      options,
      this.maxConcurrency,
    );
    // The pool is not idle while a map may still submit chunks (input not fully read).
    this.#runs.add(run);
    run.ended().then(() => {
      this.#runs.delete(run);
      this.#checkIdle();
    });
    return run;
  }

  /**
   * Stops taking work, cancels what `cancel` says, optionally waits until every task settled, then stops the
   * backend. Idempotent: later calls may cancel more and wait for the same stop.
   */
  async shutdown(options: { cancel?: ShutdownCancel; wait?: boolean } = {}): Promise<void> {
    const { cancel = "none", wait = true } = options;
    this.#accepting = false;
    if (cancel !== "none") {
      const reason = new CancelledError("work not started before the pool was shut down");
      for (const run of this.#runs) run.stopInput(reason);
      this.cancelQueued(reason);
    }
    if (cancel === "all") {
      for (const task of [...this.#inFlight])
        task.cancel(new CancelledError("a task running when the pool was terminated"));
    }
    this.#stopped ??= this.idle().then(() => this.#stopBackend());
    if (wait) await this.#stopped;
  }

  /** Cancels every task still waiting for a slot; returns how many were cancelled. */
  cancelQueued(reason: Error = new CancelledError("a queued task")): number {
    let cancelled = 0;
    for (let i = this.#head; i < this.#queue.length; i++) if (this.#queue[i]!.cancel(reason)) cancelled++;
    this.#queue.length = 0;
    this.#head = 0;
    return cancelled;
  }

  /** Resolves once no task is queued or in flight. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #assertAccepting(): void {
    if (this.#broken !== undefined) throw this.#broken;
    if (!this.#accepting) throw new PoolClosedError(`pool ${this.name} is shut down: it takes no new work`);
  }

  #isIdle(): boolean {
    return this.#queued === 0 && this.#inFlight.size === 0 && this.#runs.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #pump(): void {
    const queue = this.#queue;
    while (this.#inFlight.size < this.maxConcurrency && this.#head < queue.length) {
      const task = queue[this.#head++]!;
      if (task.settled) continue;
      this.#queued--;
      this.#launch(task);
    }
    // A read index instead of shift(): shifting a queue of thousands is a copy each time. Compact now and then.
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#checkIdle();
  }

  #launch(task: PoolTask): void {
    this.#inFlight.add(task);
    task.markSubmitted();
    const settle = () => {
      this.#inFlight.delete(task);
      this.#pump();
    };
    this.#startRunner().then(
      (runner) => {
        if (task.settled) return settle();
        // Through a promise chain so a runner that throws synchronously still settles the task and frees the slot.
        Promise.resolve()
          .then(() => runner.run(task.request, { signal: task.signal, onRunning: () => task.markRunning() }))
          .then(
            (outcomes) => {
              if (outcomes.length !== task.size) {
                task.fail(
                  new BrokenPoolError(
                    `task ${task.request.name}#${task.id} returned ${outcomes.length} results for ${task.size} calls`,
                  ),
                );
              } else {
                task.finish(outcomes);
              }
              settle();
            },
            (error: unknown) => {
              task.fail(toError(error));
              settle();
            },
          );
      },
      (error: unknown) => {
        this.#breakPool(error);
        settle();
      },
    );
  }

  #startRunner(): Promise<ChunkRunner> {
    this.#runner ??= this.#backend.start();
    return this.#runner;
  }

  #breakPool(cause: unknown): void {
    if (this.#broken === undefined) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      this.#broken = new BrokenPoolError(`pool ${this.name} could not start its backend: ${reason}`, {
        cause,
      });
    }
    const broken = this.#broken;
    for (const task of [...this.#inFlight, ...this.#queue.slice(this.#head)]) task.fail(broken);
    this.#queue.length = 0;
    this.#head = 0;
    this.#queued = 0;
  }

  async #stopBackend(): Promise<void> {
    if (this.#runner === undefined) return;
    // A backend that never started has nothing to stop, and one that failed to start reported it already.
    const started = await this.#runner.then(
      () => true,
      () => false,
    );
    if (started) await this.#backend.stop();
  }
}

function armRunTimeout(task: PoolTask, timeoutMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  task.onPhase((t) => {
    if (t.phase === "running" && timer === undefined) {
      timer = setTimeout(() => {
        t.abort(
          new TimeoutError(`task ${t.request.name}#${t.id} (counted from running)`, timeoutMs),
          "failed",
        );
      }, timeoutMs);
    } else if (t.settled && timer !== undefined) {
      clearTimeout(timer);
    }
  });
}
