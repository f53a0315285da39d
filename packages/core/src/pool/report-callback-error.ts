/**
 * Reports an exception thrown by a user callback (a done callback, a progress listener) without letting it
 * corrupt the pool's bookkeeping: like Python's `concurrent.futures`, which logs and ignores such exceptions,
 * it surfaces as a process warning (`process.on("warning")`) instead of being dropped.
 *
 * @example
 * ```ts
 * try { callback(future); } catch (error) { reportCallbackError(error, "done callback"); }
 * ```
 */
export function reportCallbackError(error: unknown, where: string): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`satyr pool: a ${where} threw: ${message}`, { type: "SatyrCallbackWarning", detail });
}
