import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * An operation did not finish within its `timeoutMs`.
 *
 * @example
 * ```ts
 * try { await client.revive({ timeoutMs: 1000 }); }
 * catch (e) { if (isTimeoutError(e)) console.warn(`gave up after ${e.timeoutMs} ms`); }
 * ```
 */
export class TimeoutError extends SatyrError {
  override readonly name = "TimeoutError";
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number, options?: ErrorOptions) {
    super(`${what} timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Name-based guard for {@link TimeoutError} (also true for a DOM `TimeoutError` from `AbortSignal.timeout`).
 *
 * @example
 * ```ts
 * if (isTimeoutError(error)) retryLater();
 * ```
 */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return hasErrorName(error, "TimeoutError") || (isDomException(error) && error.name === "TimeoutError");
}

function isDomException(error: unknown): error is { name: string } {
  return typeof DOMException !== "undefined" && error instanceof DOMException;
}
