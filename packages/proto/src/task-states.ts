import { TaskState } from "./gen/mesos/v1/mesos_pb.js";

/** The states after which Mesos never runs the task again and releases its resources. */
const TERMINAL_STATES: ReadonlySet<TaskState> = new Set([
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
 * Whether a task state is terminal: the task will never run again and its resources are released. The one
 * definition the scheduler client, the executor and the local cluster share. TASK_UNREACHABLE and TASK_UNKNOWN
 * are not terminal (the task may come back).
 *
 * @example
 * ```ts
 * isTerminalState(TaskState.TASK_FINISHED); // true
 * isTerminalState(TaskState.TASK_UNREACHABLE); // false: it may come back
 * ```
 */
export function isTerminalState(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}
