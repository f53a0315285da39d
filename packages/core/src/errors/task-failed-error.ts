import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * A task that ended without a result and without a remote exception: a command that exited non-zero,
 * TASK_ERROR (invalid task), or an infrastructure failure (LOST, GONE, DROPPED, executor crash, agent removed)
 * that kept happening until the task's attempts were used up.
 *
 * @example
 * ```ts
 * await scheduler.submit(new CommandTask({ command: "exit 3" })).catch((e) => {
 *   if (isTaskFailedError(e)) console.log(e.state, e.reason, e.attempts);
 * });
 * ```
 */
export class TaskFailedError extends SatyrError {
  override readonly name = "TaskFailedError" as const;
  readonly taskId: string;
  readonly agentId: string | undefined;
  /** The final Mesos state name, e.g. `"TASK_LOST"`. */
  readonly state: string;
  /** The Mesos reason name, e.g. `"REASON_AGENT_REMOVED"`, when the status had one. */
  readonly reason: string | undefined;
  /** How many times the task was launched. */
  readonly attempts: number;

  constructor(
    message: string,
    details: {
      taskId: string;
      agentId?: string | undefined;
      state: string;
      reason?: string | undefined;
      attempts: number;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.taskId = details.taskId;
    this.agentId = details.agentId;
    this.state = details.state;
    this.reason = details.reason;
    this.attempts = details.attempts;
  }
}

/**
 * True for a {@link TaskFailedError} (name-based).
 *
 * @example
 * ```ts
 * if (isTaskFailedError(error) && error.state === "TASK_LOST") console.log("cluster trouble");
 * ```
 */
export function isTaskFailedError(error: unknown): error is TaskFailedError {
  return hasErrorName(error, "TaskFailedError");
}
