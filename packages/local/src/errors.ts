/**
 * What went wrong, for code that branches on a {@link LocalClusterError}.
 *
 * @example
 * ```ts
 * try {
 *   await cluster.removeAgent(agentId);
 * } catch (error) {
 *   const code: LocalClusterErrorCode | undefined = isLocalClusterError(error) ? error.code : undefined;
 *   if (code !== "unknown-agent") throw error; // already gone is fine here
 * }
 * ```
 */
export type LocalClusterErrorCode = "invalid-options" | "unknown-agent" | "stopped" | "start-failed";

/**
 * Raised by {@link LocalCluster} for bad options, unknown agent ids, calls after `stop()`, and failures to start.
 *
 * @example
 * ```ts
 * try { await LocalCluster.start({ agents: 0 }); }
 * catch (e) { if (isLocalClusterError(e) && e.code === "invalid-options") console.error(e.message); }
 * ```
 */
export class LocalClusterError extends Error {
  override readonly name = "LocalClusterError";
  readonly code: LocalClusterErrorCode;

  constructor(code: LocalClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Name-based guard for {@link LocalClusterError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isLocalClusterError(error)) console.error(error.code);
 * ```
 */
export function isLocalClusterError(error: unknown): error is LocalClusterError {
  return error instanceof Error && error.name === "LocalClusterError";
}
