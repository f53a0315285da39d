import { isFieldSet } from "@bufbuild/protobuf";
import {
  isTerminalState,
  TaskState,
  type TaskStatus,
  TaskStatus_Reason,
  TaskStatusSchema,
} from "@satyr/proto";

/**
 * Where a task is in its life: `pending` (waiting for an offer), `launching` (ACCEPT sent), then the Mesos
 * states in lower case (`staging`, `running`, `finished`, `lost`, ...).
 *
 * @example
 * ```ts
 * task.state$.subscribe((phase: TaskPhase) => console.log(`${task.name}: ${phase}`));
 * phaseOf(TaskState.TASK_RUNNING); // "running"
 * ```
 */
export type TaskPhase =
  | "pending"
  | "launching"
  | "staging"
  | "starting"
  | "running"
  | "killing"
  | "finished"
  | "failed"
  | "killed"
  | "error"
  | "lost"
  | "dropped"
  | "unreachable"
  | "gone"
  | "gone_by_operator"
  | "unknown";

/**
 * The Mesos name of a state, e.g. `"TASK_RUNNING"`.
 *
 * @example
 * ```ts
 * stateName(update.status.state); // "TASK_FINISHED"
 * ```
 */
export function stateName(state: TaskState): string {
  return TaskState[state] ?? `TASK_STATE_${state}`;
}

/**
 * The Mesos name of a status reason, e.g. `"REASON_AGENT_REMOVED"`; `undefined` for the default (0) when the
 * status did not set one.
 *
 * @example
 * ```ts
 * reasonName(status); // "REASON_EXECUTOR_TERMINATED"
 * ```
 */
export function reasonName(status: TaskStatus): string | undefined {
  // proto2 enums default to their first value (COMMAND_EXECUTOR_FAILED), so presence must be checked.
  if (!isFieldSet(status, TaskStatusSchema.field.reason)) return undefined;
  const name = TaskStatus_Reason[status.reason];
  return name === undefined ? undefined : `REASON_${name}`;
}

/**
 * The {@link TaskPhase} of a Mesos state.
 *
 * @example
 * ```ts
 * phaseOf(TaskState.TASK_RUNNING); // "running"
 * ```
 */
export function phaseOf(state: TaskState): TaskPhase {
  return stateName(state)
    .replace(/^TASK_/, "")
    .toLowerCase() as TaskPhase;
}

/**
 * TASK_FINISHED.
 *
 * @example
 * ```ts
 * hasSucceeded(status);
 * ```
 */
export function hasSucceeded(status: TaskStatus): boolean {
  return status.state === TaskState.TASK_FINISHED;
}

/**
 * A terminal state other than FINISHED.
 *
 * @example
 * ```ts
 * if (hasFailed(status)) console.log(status.message);
 * ```
 */
export function hasFailed(status: TaskStatus): boolean {
  return isTerminalState(status.state) && status.state !== TaskState.TASK_FINISHED;
}

/** Reasons that blame the cluster (agent, executor, container runtime, master) rather than the task's code. */
const INFRASTRUCTURE_REASONS = new Set<TaskStatus_Reason>([
  TaskStatus_Reason.EXECUTOR_TERMINATED,
  TaskStatus_Reason.EXECUTOR_UNREGISTERED,
  TaskStatus_Reason.EXECUTOR_REGISTRATION_TIMEOUT,
  TaskStatus_Reason.EXECUTOR_REREGISTRATION_TIMEOUT,
  TaskStatus_Reason.AGENT_DISCONNECTED,
  TaskStatus_Reason.AGENT_REMOVED,
  TaskStatus_Reason.AGENT_RESTARTED,
  TaskStatus_Reason.AGENT_UNKNOWN,
  TaskStatus_Reason.CONTAINER_LAUNCH_FAILED,
  TaskStatus_Reason.CONTAINER_PREEMPTED,
  TaskStatus_Reason.MASTER_DISCONNECTED,
  TaskStatus_Reason.INVALID_OFFERS,
  TaskStatus_Reason.RESOURCES_UNKNOWN,
  TaskStatus_Reason.GC_ERROR,
]);

/**
 * True when a status reports an infrastructure failure worth retrying on a fresh task id: LOST, DROPPED, GONE,
 * GONE_BY_OPERATOR, UNREACHABLE, UNKNOWN, or FAILED/KILLED with a reason blaming the agent, executor or
 * container runtime (executor crash, agent removed, ...). A task's own failure (non-zero exit, an exception
 * carried in the status data) is not.
 *
 * @example
 * ```ts
 * isInfrastructureFailure(status); // true for TASK_LOST
 * ```
 */
export function isInfrastructureFailure(status: TaskStatus): boolean {
  switch (status.state) {
    case TaskState.TASK_LOST:
    case TaskState.TASK_DROPPED:
    case TaskState.TASK_GONE:
    case TaskState.TASK_GONE_BY_OPERATOR:
    case TaskState.TASK_UNREACHABLE:
    case TaskState.TASK_UNKNOWN:
      return true;
    case TaskState.TASK_FAILED:
    case TaskState.TASK_KILLED:
      return (
        status.data.length === 0 &&
        isFieldSet(status, TaskStatusSchema.field.reason) &&
        INFRASTRUCTURE_REASONS.has(status.reason)
      );
    default:
      return false;
  }
}
