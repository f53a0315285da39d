import {
  DEFAULT_MAX_ERROR_BYTES,
  type KillPolicy,
  type TaskInfo,
  TaskState,
  TaskStatus_Reason,
} from "@satyr/proto";
import { Executor, type ExecutorExit } from "./executor.js";
import { runFunctionTask } from "./function-task.js";
import { WorkerPool } from "./worker-pool.js";

/**
 * The executor of the original satyr: runs the function task it receives once — TASK_RUNNING, then
 * TASK_FINISHED with the result or TASK_FAILED with the error — and exits once the agent acknowledged the
 * outcome. The function runs in a worker thread, so KILL and SHUTDOWN can stop it. A second launch is refused
 * with TASK_FAILED.
 *
 * @example
 * ```ts
 * await runExecutor(new OneOffExecutor());
 * ```
 */
export class OneOffExecutor extends Executor {
  #pool: WorkerPool | undefined;
  #task: Promise<void> | undefined;
  #taskId: string | undefined;
  #shuttingDown = false;

  override async onLaunch(task: TaskInfo): Promise<void> {
    const taskId = task.taskId?.value ?? "";
    if (this.#taskId !== undefined) {
      await this.update({
        taskId,
        state: TaskState.TASK_FAILED,
        reason: TaskStatus_Reason.TASK_INVALID,
        message: `this one-off executor already ran task ${JSON.stringify(this.#taskId)}; launch each task on a new executor`,
      });
      return;
    }
    this.#taskId = taskId;
    const env = this.environment;
    this.#pool = new WorkerPool({
      size: 1,
      config: {
        moduleRoot: env.moduleRoot,
        sandbox: env.sandbox,
        maxResultBytes: env.maxResultBytes,
        maxErrorBytes: DEFAULT_MAX_ERROR_BYTES,
      },
    });
    this.#task = runFunctionTask(this, this.#pool, task, {
      killedMessage: () => (this.#shuttingDown ? "the executor was shut down" : "killed on request"),
    });
    await this.#task;
    void this.stop();
  }

  override async onKill(taskId: string, killPolicy: KillPolicy | undefined): Promise<void> {
    if (this.#pool?.kill(taskId) !== true) await super.onKill(taskId, killPolicy);
  }

  override async onShutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.#pool?.killAll();
    await this.#task;
  }

  override async onExit(_exit: ExecutorExit): Promise<void> {
    await this.#pool?.close();
  }
}
