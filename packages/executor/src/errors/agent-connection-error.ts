/**
 * The connection to the agent failed: the event stream ended or broke, the agent sent an ERROR event, or it could
 * not be reached. Passed to `Executor.onDisconnected`/`onError`, and the `error` of an `"agent-lost"` exit.
 *
 * @example
 * ```ts
 * class MyExecutor extends Executor {
 *   override onError(error: Error) { if (isAgentConnectionError(error)) console.warn(error.message); }
 * }
 * ```
 */
export class AgentConnectionError extends Error {
  override readonly name = "AgentConnectionError";
}

/**
 * Name-based guard for {@link AgentConnectionError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isAgentConnectionError(exit.error)) console.error("lost the agent:", exit.error.message);
 * ```
 */
export function isAgentConnectionError(error: unknown): error is AgentConnectionError {
  return error instanceof Error && error.name === "AgentConnectionError";
}
