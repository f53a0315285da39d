import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * An operation was cancelled through its `AbortSignal`; `cause` holds the signal's reason. The guard
 * {@link isCancelledError} also accepts a plain `AbortError`, so code can treat both the same.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const p = client.revive({ signal: controller.signal });
 * controller.abort();
 * await p.catch((e) => isCancelledError(e)); // true
 * ```
 */
export class CancelledError extends SatyrError {
  override readonly name = "CancelledError";

  constructor(what: string, options?: ErrorOptions) {
    super(`${what} was cancelled`, options);
  }
}

/**
 * Name-based guard for {@link CancelledError}; also true for an `AbortError` (DOMException or not).
 *
 * @example
 * ```ts
 * if (isCancelledError(error)) return; // the caller gave up; nothing to report
 * ```
 */
export function isCancelledError(error: unknown): error is Error {
  if (hasErrorName(error, "CancelledError", "AbortError")) return true;
  return typeof DOMException !== "undefined" && error instanceof DOMException && error.name === "AbortError";
}
