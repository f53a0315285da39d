import { CancelledError } from "../errors/cancelled-error.js";
import { TimeoutError } from "../errors/timeout-error.js";

/**
 * Per-call controls, as in connect-es: an `AbortSignal` to cancel and a `timeoutMs` bounding the whole call,
 * including the wait for a subscription.
 *
 * @example
 * ```ts
 * await client.revive({ timeoutMs: 5000, signal: AbortSignal.timeout(10_000) });
 * ```
 */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * Runs `work` under one signal that fires on the caller's abort, on the timeout, or on `extra` (the client
 * closing); the promise rejects with {@link CancelledError} or {@link TimeoutError} accordingly, and settles once.
 *
 * @example
 * ```ts
 * await withDeadline("REVIVE", { timeoutMs: 1000 }, 75_000, undefined, (signal) => post(signal));
 * ```
 */
export async function withDeadline<T>(
  what: string,
  options: CallOptions,
  defaultTimeoutMs: number,
  extra: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(
      `${what}: timeoutMs must be a positive finite number, got ${String(options.timeoutMs)}`,
    );
  }
  const controller = new AbortController();
  const onAbort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const caller = options.signal;
  if (caller?.aborted) throw new CancelledError(what, { cause: caller.reason });
  const onCaller = () => onAbort(new CancelledError(what, { cause: caller?.reason }));
  caller?.addEventListener("abort", onCaller, { once: true });
  const onExtra = () => onAbort(extra?.reason);
  extra?.addEventListener("abort", onExtra, { once: true });
  if (extra?.aborted) onExtra();
  const timer = setTimeout(() => onAbort(new TimeoutError(what, timeoutMs)), timeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  // The work may settle after the abort; its late outcome is irrelevant, but must not become unhandled.
  const running = work(controller.signal);
  running.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener("abort", onCaller);
    extra?.removeEventListener("abort", onExtra);
    if (!controller.signal.aborted) controller.abort(new CancelledError(`${what} (finished)`));
  }
}

/**
 * Waits `ms`, or less if `signal` aborts (then it resolves early instead of rejecting: the caller checks why).
 *
 * @example
 * ```ts
 * await sleep(backoff.next(), closing.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
