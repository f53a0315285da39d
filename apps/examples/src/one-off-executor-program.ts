#!/usr/bin/env node
/**
 * A custom executor program, the original README's "One-Off Executor": it runs the one function task it is
 * launched with (TASK_RUNNING, then TASK_FINISHED with the result or TASK_FAILED with the error) and exits once
 * the agent acknowledged the outcome. The one-off-executor example launches it through an ExecutorInfo command.
 * It labels every update it sends, so the scheduler can tell this program (not satyr-executor) ran the task.
 */
import { OneOffExecutor, runExecutor, type StatusUpdate } from "@satyr/executor";
import type { TaskInfo } from "@satyr/proto";

/** The label key every update of this program carries. */
export const EXECUTOR_LABEL = "satyr.example.executor";

class LabellingOneOffExecutor extends OneOffExecutor {
  override async onLaunch(task: TaskInfo): Promise<void> {
    // stderr goes to the task's sandbox (`stderr` in the executor's directory).
    process.stderr.write(`one-off executor: executing task ${task.taskId?.value}\n`);
    await super.onLaunch(task);
  }

  override update(status: StatusUpdate): Promise<void> {
    return super.update({
      ...status,
      labels: { ...status.labels, [EXECUTOR_LABEL]: "one-off-executor-program" },
    });
  }
}

const controller = new AbortController();
process.once("SIGTERM", () => controller.abort());
const exit = await runExecutor(new LabellingOneOffExecutor(), { signal: controller.signal });
if (exit.error !== undefined) process.stderr.write(`one-off executor: ${exit.error.message}\n`);
// Exit explicitly: the task's worker thread may have left handles open.
process.exit(exit.reason === "agent-lost" ? 1 : 0);
