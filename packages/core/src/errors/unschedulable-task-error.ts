import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * A task that fits no agent the scheduler has seen offers from, after the scheduler's patience ran out
 * (`QueueSchedulerOptions.unschedulableAfterMs`). Waiting longer would not help: no agent is big enough,
 * or none matches the task's hard constraints.
 *
 * @example
 * ```ts
 * await scheduler.submit(huge).catch((e) => { if (isUnschedulableTaskError(e)) console.log(e.demand); });
 * ```
 */
export class UnschedulableTaskError extends SatyrError {
  override readonly name = "UnschedulableTaskError" as const;
  readonly taskId: string;
  /** What the task asked for (resource name → amount, ports as a count). */
  readonly demand: Readonly<Record<string, number>>;
  /** How many agents were considered. */
  readonly agentsSeen: number;

  constructor(
    message: string,
    details: {
      taskId: string;
      demand: Readonly<Record<string, number>>;
      agentsSeen: number;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.taskId = details.taskId;
    this.demand = details.demand;
    this.agentsSeen = details.agentsSeen;
  }
}

/**
 * True for an {@link UnschedulableTaskError} (name-based, works across package copies).
 *
 * @example
 * ```ts
 * if (isUnschedulableTaskError(error)) console.log("no agent can ever run", error.taskId);
 * ```
 */
export function isUnschedulableTaskError(error: unknown): error is UnschedulableTaskError {
  return hasErrorName(error, "UnschedulableTaskError");
}
