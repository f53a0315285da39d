import type { KillPolicy, TaskInfo } from "@satyr/proto";
import { DEFAULT_MAX_ERROR_BYTES } from "@satyr/proto";
import { Executor, type ExecutorExit, type SubscribedInfo } from "./executor.js";
import { cpusOf, runFunctionTask } from "./function-task.js";
import { WorkerPool } from "./worker-pool.js";

/**
 * Options of {@link FunctionExecutor}; each defaults to what the environment says.
 *
 * @example
 * ```ts
 * new FunctionExecutor({ idleTimeoutMs: 0, maxResultBytes: 1 << 20, moduleRoot: "/srv/app", runningDelayMs: 0 });
 * ```
 */
export interface FunctionExecutorOptions {
  /** Where module references are looked up first (default `SATYR_MODULE_ROOT`). */
  readonly moduleRoot?: string;
  /** Largest encoded result (default `SATYR_MAX_RESULT_BYTES`, else 16 MiB). */
  readonly maxResultBytes?: number;
  /** Exit after this long without tasks (default `SATYR_EXECUTOR_IDLE_TIMEOUT`, else 60 s); 0 never. */
  readonly idleTimeoutMs?: number;
  /** Upper bound of worker threads whatever the cpus say (default: no bound beyond the cpus). */
  readonly maxWorkers?: number;
  /** Largest serialized error of one call (default 64 KiB). */
  readonly maxErrorBytes?: number;
  /**
   * How long a task runs in its worker before TASK_RUNNING is sent (default `SATYR_EXECUTOR_RUNNING_DELAY`, else
   * {@link DEFAULT_RUNNING_DELAY_MS}); 0 sends it as soon as a worker takes the task. A task that ends sooner
   * sends only its terminal update (STAGING → FINISHED: a future's `running()` is never seen true for it), which
   * halves the updates and acknowledgements of short tasks. A run timeout that counts from TASK_RUNNING starts
   * at most this much late.
   */
  readonly runningDelayMs?: number;
}

/**
 * The executor `satyr-executor` runs: function tasks (a payload of `@satyr/proto` in `TaskInfo.data`) run in a
 * pool of warm worker threads sized by the cpus of the executor's container (its own cpus plus those of its
 * running tasks, at least one), many tasks over the executor's life. KILL terminates that task's worker
 * (TASK_KILLED); SHUTDOWN kills all; after the idle timeout without tasks the executor exits.
 *
 * @example
 * ```ts
 * const exit = await runExecutor(new FunctionExecutor({ idleTimeoutMs: 30_000 }));
 * ```
 */
export class FunctionExecutor extends Executor {
  readonly #options: FunctionExecutorOptions;
  #pool: WorkerPool | undefined;
  #executorCpus = 0;
  readonly #taskCpus = new Map<string, number>();
  /** The sum of `#taskCpus`, kept as tasks come and go rather than summed on every launch. */
  #runningCpus = 0;
  readonly #running = new Set<Promise<void>>();
  #idleTimer: NodeJS.Timeout | undefined;
  #shuttingDown = false;

  constructor(options: FunctionExecutorOptions = {}) {
    super();
    this.#options = options;
  }

  override onSubscribed(info: SubscribedInfo): void {
    this.#executorCpus = cpusOf(info.executorInfo.resources);
    this.#poolOrCreate().warm();
    this.#resize();
    this.#armIdleTimer();
  }

  override async onLaunch(task: TaskInfo): Promise<void> {
    const taskId = task.taskId?.value ?? "";
    this.#disarmIdleTimer();
    const taskCpus = cpusOf(task.resources);
    this.#runningCpus += taskCpus - (this.#taskCpus.get(taskId) ?? 0);
    this.#taskCpus.set(taskId, taskCpus);
    this.#resize();
    const running = runFunctionTask(this, this.#poolOrCreate(), task, {
      killedMessage: () => (this.#shuttingDown ? "the executor was shut down" : "killed on request"),
      runningDelayMs: this.#options.runningDelayMs ?? this.environment.runningDelayMs,
    });
    this.#running.add(running);
    try {
      await running;
    } finally {
      this.#running.delete(running);
      this.#runningCpus -= this.#taskCpus.get(taskId) ?? 0;
      this.#taskCpus.delete(taskId);
      // Sums of floats drift: start again from exactly zero when nothing runs.
      if (this.#taskCpus.size === 0) this.#runningCpus = 0;
      this.#resize();
      this.#armIdleTimer();
    }
  }

  override async onKill(taskId: string, killPolicy: KillPolicy | undefined): Promise<void> {
    // A task the pool does not hold has ended or never started; the base class answers for the latter.
    if (this.#pool?.kill(taskId) !== true) await super.onKill(taskId, killPolicy);
  }

  override async onShutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.#disarmIdleTimer();
    this.#pool?.killAll();
    await Promise.allSettled([...this.#running]);
  }

  override async onExit(_exit: ExecutorExit): Promise<void> {
    this.#disarmIdleTimer();
    await this.#pool?.close();
  }

  #poolOrCreate(): WorkerPool {
    if (this.#pool === undefined) {
      const env = this.environment;
      this.#pool = new WorkerPool({
        size: 1,
        config: {
          moduleRoot: this.#options.moduleRoot ?? env.moduleRoot,
          sandbox: env.sandbox,
          maxResultBytes: this.#options.maxResultBytes ?? env.maxResultBytes,
          maxErrorBytes: this.#options.maxErrorBytes ?? DEFAULT_MAX_ERROR_BYTES,
        },
      });
    }
    return this.#pool;
  }

  /** Mesos gives the container the executor's cpus plus those of its tasks: one worker per whole cpu. */
  #resize(): void {
    const cpus = this.#executorCpus + this.#runningCpus;
    const size = Math.min(
      Math.max(1, Math.floor(cpus + 1e-9)),
      this.#options.maxWorkers ?? Number.POSITIVE_INFINITY,
    );
    this.#pool?.resize(size);
  }

  #armIdleTimer(): void {
    const idleMs = this.#options.idleTimeoutMs ?? this.environment.idleTimeoutMs;
    if (idleMs <= 0 || this.#taskCpus.size > 0 || this.#idleTimer !== undefined || this.#shuttingDown) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#taskCpus.size === 0) void this.stop();
    }, idleMs);
  }

  #disarmIdleTimer(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}
