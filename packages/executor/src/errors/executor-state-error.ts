/**
 * An executor method was used when it cannot work: `update()` or `message()` before `runExecutor()` started the
 * executor or after it stopped, or an executor run twice.
 *
 * @example
 * ```ts
 * try { await new Executor().message(new Uint8Array()); }
 * catch (e) { if (isExecutorStateError(e)) console.error(e.message); }
 * ```
 */
export class ExecutorStateError extends Error {
  override readonly name = "ExecutorStateError";
}

/**
 * Name-based guard for {@link ExecutorStateError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isExecutorStateError(error)) return; // the executor already stopped
 * ```
 */
export function isExecutorStateError(error: unknown): error is ExecutorStateError {
  return error instanceof Error && error.name === "ExecutorStateError";
}
