import { TaskState } from "@satyr/proto";

const TERMINAL = new Set<TaskState>([
  TaskState.TASK_FINISHED,
  TaskState.TASK_FAILED,
  TaskState.TASK_KILLED,
  TaskState.TASK_ERROR,
  TaskState.TASK_LOST,
  TaskState.TASK_DROPPED,
  TaskState.TASK_GONE,
  TaskState.TASK_GONE_BY_OPERATOR,
]);

/**
 * Whether a task state is final (the task's resources are released and it never runs again).
 *
 * @example
 * ```ts
 * isTerminal(TaskState.TASK_FINISHED); // true
 * ```
 */
export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state);
}
