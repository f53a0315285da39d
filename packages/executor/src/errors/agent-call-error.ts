/**
 * The agent answered a call with an unexpected HTTP status (for example 400 "Not a valid UUID", or 503 while it
 * recovers). Carries the status code and the agent's explanation.
 *
 * @example
 * ```ts
 * try { await executor.update({ taskId: "t1", state: TaskState.TASK_RUNNING }); }
 * catch (e) { if (isAgentCallError(e)) console.error(e.status, e.body); }
 * ```
 */
export class AgentCallError extends Error {
  override readonly name = "AgentCallError";
  /** The HTTP status code the agent answered with. */
  readonly status: number;
  /** The agent's response body (Mesos answers errors with a human sentence). */
  readonly body: string;

  constructor(status: number, body: string, what: string, options?: ErrorOptions) {
    super(`the agent answered ${what} with HTTP ${status}${body ? `: ${body}` : ""}`, options);
    this.status = status;
    this.body = body;
  }
}

/**
 * Name-based guard for {@link AgentCallError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isAgentCallError(error) && error.status === 503) retryLater();
 * ```
 */
export function isAgentCallError(error: unknown): error is AgentCallError {
  return error instanceof Error && error.name === "AgentCallError";
}
