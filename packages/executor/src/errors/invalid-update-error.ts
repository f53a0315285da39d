/**
 * A status update the executor was asked to send is invalid before it reaches the agent: no task id, or a state
 * an executor may not send (`TASK_STAGING`).
 *
 * @example
 * ```ts
 * try { await executor.update({ taskId: "", state: TaskState.TASK_RUNNING }); }
 * catch (e) { if (isInvalidUpdateError(e)) console.error(e.message); }
 * ```
 */
export class InvalidUpdateError extends Error {
  override readonly name = "InvalidUpdateError";
}

/**
 * Name-based guard for {@link InvalidUpdateError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isInvalidUpdateError(error)) throw error; // a programming error, not a transient one
 * ```
 */
export function isInvalidUpdateError(error: unknown): error is InvalidUpdateError {
  return error instanceof Error && error.name === "InvalidUpdateError";
}
