import { CancelledError, isTimeoutError } from "../errors/index.js";
import { PoolArgumentError } from "./pool-errors.js";

/**
 * Validates an optional timeout in milliseconds (a finite number ≥ 0).
 * @internal
 */
export function checkTimeout(value: number | undefined, argument: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new PoolArgumentError(
      argument,
      `must be a finite number of milliseconds ≥ 0, got ${String(value)}`,
    );
  }
  return value;
}

/** @internal */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // AbortSignal.timeout() aborts with a TimeoutError DOMException: keep it, it already says what happened.
  if (isTimeoutError(reason)) return reason as Error;
  return new CancelledError("the task (its signal was aborted)", { cause: reason });
}

/** @internal */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
