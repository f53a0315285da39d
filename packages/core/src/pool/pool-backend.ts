import { type Running, type RunOptions, run } from "../run.js";
import { QueueScheduler, type QueueSchedulerOptions } from "../scheduler/queue-scheduler.js";
import type { ExecutorOptions } from "../tasks/executor-spec.js";
import { FunctionTask } from "../tasks/function-task.js";
import type { ChunkOutcome, ChunkRequest, ChunkRunHooks, ChunkRunner, PoolBackend } from "./chunk-runner.js";
import { reportCallbackError } from "./report-callback-error.js";

/**
 * Where a pool runs its tasks, shared by `MesosPoolExecutor` and `Pool`. With `scheduler`, the pool submits to
 * that (already running) `QueueScheduler` and stops nothing on shutdown. Otherwise it creates a `QueueScheduler`
 * and calls core's `run()` on the first task: `master`, else `MESOS_MASTER`, else an embedded local cluster.
 *
 * @example
 * ```ts
 * const options: PoolBackendOptions = { master: "http://mesos:5050", run: { framework: { roles: ["batch"] } } };
 * ```
 */
export interface PoolBackendOptions {
  /** Framework name (also the pool's task name prefix). */
  readonly name?: string | undefined;
  /** Master URL, comma list or `zk://` URL; default `MESOS_MASTER`, else an embedded local cluster. */
  readonly master?: string | undefined;
  /** An attached, running scheduler to submit to instead of starting a framework. */
  readonly scheduler?: QueueScheduler | undefined;
  /** Options of the `QueueScheduler` the pool creates (offer hold, placement, refuse seconds, ...). */
  readonly schedulerOptions?: QueueSchedulerOptions | undefined;
  /** More `run()` options (framework info, connection, embedded cluster options, timeouts). */
  readonly run?: Omit<RunOptions, "name" | "master"> | undefined;
  /** Called with every `FunctionTask` the pool submits (task ids, `state$`): for logs and diagnostics. */
  readonly onTask?: ((task: FunctionTask<unknown>) => void) | undefined;
  /**
   * How agents start the executor that runs the pool's functions (command, URIs, container, resources); by
   * default the installed satyr-executor with the same Node.js, which needs the same install path on every agent.
   */
  readonly executor?: ExecutorOptions | undefined;
}

/**
 * What a {@link SchedulerChunkRunner} adds to every task it submits.
 *
 * @example
 * ```ts
 * const options: ChunkRunnerOptions = { executor: { command: "satyr-executor", uris: ["https://example.com/executor.tgz"] } };
 * ```
 */
export type ChunkRunnerOptions = Pick<PoolBackendOptions, "onTask" | "executor">;

/**
 * A {@link ChunkRunner} over a `QueueScheduler`: each chunk is one `FunctionTask.chunk`, submitted with the
 * pool's abort signal (abort kills the task), `onRunning` fired from the task's state stream.
 *
 * @example
 * ```ts
 * const runner = new SchedulerChunkRunner(scheduler);
 * const outcomes = await runner.run({ fn: (x: number) => x, calls: [[1]], name: "t" },
 *   { signal: new AbortController().signal, onRunning() {} });
 * ```
 */
export class SchedulerChunkRunner implements ChunkRunner {
  readonly scheduler: QueueScheduler;
  readonly #onTask: ((task: FunctionTask<unknown>) => void) | undefined;
  readonly #executor: ExecutorOptions | undefined;

  constructor(scheduler: QueueScheduler, options: ChunkRunnerOptions = {}) {
    this.scheduler = scheduler;
    this.#onTask = options.onTask;
    this.#executor = options.executor;
  }

  async run(request: ChunkRequest, hooks: ChunkRunHooks): Promise<readonly ChunkOutcome[]> {
    const task = FunctionTask.chunk({
      fn: request.fn,
      calls: request.calls,
      name: request.name,
      ...(request.resources === undefined ? {} : { resources: request.resources }),
      ...(this.#executor === undefined ? {} : { executor: this.#executor }),
    });
    if (this.#onTask !== undefined) {
      try {
        this.#onTask(task as FunctionTask<unknown>);
      } catch (error) {
        reportCallbackError(error, "onTask callback");
      }
    }
    const subscription = task.state$.subscribe((phase) => {
      if (phase === "running") hooks.onRunning();
    });
    try {
      return await this.scheduler.submit(task, { signal: hooks.signal });
    } finally {
      subscription.unsubscribe();
    }
  }
}

/**
 * The default {@link PoolBackend} of both pools; see {@link PoolBackendOptions}.
 *
 * @example
 * ```ts
 * const pool = new FunctionPool({ backend: poolBackend({ name: "pool" }), maxConcurrency: 4 });
 * ```
 */
export function poolBackend(options: PoolBackendOptions = {}): PoolBackend {
  let running: Running | undefined;
  return {
    async start() {
      if (options.scheduler !== undefined) return new SchedulerChunkRunner(options.scheduler, options);
      const scheduler = new QueueScheduler(options.schedulerOptions ?? {});
      running = await run(scheduler, {
        ...options.run,
        name: options.name ?? "satyr-pool",
        ...(options.master === undefined ? {} : { master: options.master }),
      });
      return new SchedulerChunkRunner(scheduler, options);
    },
    async stop() {
      await running?.stop();
    },
  };
}
