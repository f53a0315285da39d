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
 * A group of operations cancelled together (all of a client's calls when it closes). Unlike one shared
 * `AbortSignal` with a listener per call, it holds any number of members without listener-count warnings.
 *
 * @example
 * ```ts
 * const scope = new CancelScope();
 * const leave = scope.add((reason) => controller.abort(reason));
 * scope.cancel(new Error("closing")); // or leave() when the operation ends first
 * ```
 */
export class CancelScope {
  readonly #members = new Set<(reason: unknown) => void>();
  #cancelled = false;
  #reason: unknown;

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Adds a member; cancels it at once if the scope already is. Returns the function that removes it. */
  add(cancel: (reason: unknown) => void): () => void {
    if (this.#cancelled) {
      cancel(this.#reason);
      return () => undefined;
    }
    this.#members.add(cancel);
    return () => this.#members.delete(cancel);
  }

  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    const members = [...this.#members];
    this.#members.clear();
    for (const cancel of members) cancel(reason);
  }
}

/** The abort reason of a call's signal once the call has settled; shared, as building an error per call costs a stack capture. */
const CALL_FINISHED = new CancelledError("call finished");

/**
 * Runs `work` under one signal that fires on the caller's abort, on the timeout, or when `scope` is cancelled
 * (the client closing); the promise rejects with {@link CancelledError}, {@link TimeoutError} or the scope's
 * reason accordingly, and settles once.
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
  scope: CancelScope | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(
      `${what}: timeoutMs must be a positive finite number, got ${String(options.timeoutMs)}`,
    );
  }
  const caller = options.signal;
  if (caller?.aborted) throw new CancelledError(what, { cause: caller.reason });
  const controller = new AbortController();
  // Listen before anything can abort: a cancelled scope aborts synchronously on registration.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  const onAbort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onCaller = () => onAbort(new CancelledError(what, { cause: caller?.reason }));
  caller?.addEventListener("abort", onCaller, { once: true });
  const leave = scope?.add(onAbort);
  const timer = setTimeout(() => onAbort(new TimeoutError(what, timeoutMs)), timeoutMs);
  try {
    // The work may settle after the abort; its late outcome is irrelevant, but must not become unhandled.
    const running = (async () => work(controller.signal))();
    running.catch(() => undefined);
    return await Promise.race([running, aborted]);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener("abort", onCaller);
    leave?.();
    // Only work still running after the outcome (none, normally) sees this reason, so it is built once.
    if (!controller.signal.aborted) controller.abort(CALL_FINISHED);
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
