import { type Resource, type TaskInfo, TaskState, TaskStatus_Reason } from "@satyr/proto";
import { isExecutorStateError } from "./errors/index.js";
import type { Executor, StatusUpdate } from "./executor.js";
import type { PoolOutcome, WorkerPool } from "./worker-pool.js";

/**
 * Options of {@link runFunctionTask}.
 *
 * @example
 * ```ts
 * await runFunctionTask(this, pool, task, { runningDelayMs: 20, killedMessage: () => "killed on request" });
 * ```
 */
export interface RunFunctionTaskOptions {
  /** The `TaskStatus.message` of TASK_KILLED, asked when the task is killed (default "killed on request"). */
  readonly killedMessage?: () => string;
  /**
   * How long after a worker takes the task TASK_RUNNING waits (default 0: sent at once). A task that ends within
   * it sends only its terminal update, sparing the agent, the scheduler and this executor an update and its
   * acknowledgement per short task (Mesos does not require TASK_RUNNING before a terminal state). A task still
   * running then sends TASK_RUNNING, at most this much later than it started.
   */
  readonly runningDelayMs?: number;
}

/**
 * Runs one function task through a pool and reports it: TASK_RUNNING when a worker takes it (or, with
 * `runningDelayMs`, once it has run that long), then TASK_FINISHED with the encoded TaskResult, TASK_FAILED (with
 * the TaskResult when calls threw; with only a message when the payload, the function or the result was
 * unusable, or the worker crashed), or TASK_KILLED. Resolves once the terminal update was handed to the agent;
 * failures to send go to the executor's `onError`.
 *
 * @example
 * ```ts
 * override async onLaunch(task: TaskInfo) { await runFunctionTask(this, this.pool, task, { runningDelayMs: 20 }); }
 * ```
 */
export async function runFunctionTask(
  executor: Executor,
  pool: WorkerPool,
  task: TaskInfo,
  options: RunFunctionTaskOptions = {},
): Promise<void> {
  const taskId = task.taskId?.value ?? "";
  if (task.data.length === 0) {
    await send(executor, {
      taskId,
      state: TaskState.TASK_FAILED,
      reason: TaskStatus_Reason.TASK_INVALID,
      message: "the task has no payload: TaskInfo.data must hold a satyr task payload (encodeTaskPayload)",
    });
    return;
  }
  // RUNNING goes out when a worker takes the task, not at launch: a task queued behind others (the pool has a
  // worker per whole cpu) is not running yet, and a pool's run timeout counts from RUNNING. The driver keeps a
  // task's updates in order, so the terminal one never overtakes it.
  const delayMs = options.runningDelayMs ?? 0;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sendRunning = () => {
    timer = undefined;
    running = send(executor, { taskId, state: TaskState.TASK_RUNNING });
  };
  const outcome = await pool.run(taskId, task.data, () => {
    if (delayMs > 0) timer = setTimeout(sendRunning, delayMs);
    else sendRunning();
  });
  if (timer !== undefined) clearTimeout(timer);
  const killedMessage = options.killedMessage ?? (() => "killed on request");
  await Promise.all([running, send(executor, terminalStatus(taskId, outcome, killedMessage))]);
}

/** The terminal update for a pool outcome. */
function terminalStatus(taskId: string, outcome: PoolOutcome, killedMessage: () => string): StatusUpdate {
  switch (outcome.kind) {
    case "result":
      return outcome.ok
        ? { taskId, state: TaskState.TASK_FINISHED, data: outcome.result }
        : { taskId, state: TaskState.TASK_FAILED, data: outcome.result, message: outcome.summary };
    case "failed":
      return outcome.failure === "payload" || outcome.failure === "load"
        ? {
            taskId,
            state: TaskState.TASK_FAILED,
            reason: TaskStatus_Reason.TASK_INVALID,
            message: outcome.message,
          }
        : { taskId, state: TaskState.TASK_FAILED, message: outcome.message };
    case "crashed":
      return outcome.outOfMemory
        ? {
            taskId,
            state: TaskState.TASK_FAILED,
            reason: TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY,
            message: outcome.message,
          }
        : { taskId, state: TaskState.TASK_FAILED, message: outcome.message };
    case "killed":
      return { taskId, state: TaskState.TASK_KILLED, message: killedMessage() };
  }
}

async function send(executor: Executor, status: StatusUpdate): Promise<void> {
  try {
    await executor.update(status);
  } catch (error) {
    // Tasks killed because the executor is exiting have nobody left to tell.
    if (isExecutorStateError(error)) return;
    await executor.onError(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * The cpus a task or executor asked for (the sum of its scalar `cpus` resources).
 *
 * @example
 * ```ts
 * cpusOf(task.resources); // 0.1
 * ```
 */
export function cpusOf(resources: readonly Resource[]): number {
  let total = 0;
  for (const resource of resources) {
    if (resource.name === "cpus") total += resource.scalar?.value ?? 0;
  }
  return total;
}
