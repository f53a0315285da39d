import { type Resource, type TaskInfo, TaskState, TaskStatus_Reason } from "@satyr/proto";
import { isExecutorStateError } from "./errors/index.js";
import type { Executor, StatusUpdate } from "./executor.js";
import type { PoolOutcome, WorkerPool } from "./worker-pool.js";

/**
 * Runs one function task through a pool and reports it: TASK_RUNNING when a worker takes it, then TASK_FINISHED with the
 * encoded TaskResult, TASK_FAILED (with the TaskResult when calls threw; with only a message when the payload,
 * the function or the result was unusable, or the worker crashed), or TASK_KILLED. Resolves once the terminal
 * update was handed to the agent; failures to send go to the executor's `onError`.
 *
 * @example
 * ```ts
 * override async onLaunch(task: TaskInfo) { await runFunctionTask(this, this.pool, task); }
 * ```
 */
export async function runFunctionTask(
  executor: Executor,
  pool: WorkerPool,
  task: TaskInfo,
  killedMessage: () => string = () => "killed on request",
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
  let running: Promise<void> | undefined;
  const outcome = await pool.run(taskId, task.data, () => {
    running = send(executor, { taskId, state: TaskState.TASK_RUNNING });
  });
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
