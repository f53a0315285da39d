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
  // One promise settled by whichever comes first (the work, the caller's abort, the timeout, the scope): no
  // race of two promises per call, since a client makes a call per acknowledged update.
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController();
    let settled = false;
    let leave: (() => void) | undefined;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      caller?.removeEventListener("abort", onCaller);
      leave?.();
    };
    const onAbort = (reason: unknown) => {
      if (settled) return;
      finish();
      // The work may settle after the abort: its late outcome is ignored below.
      controller.abort(reason);
      reject(reason);
    };
    const onCaller = () => onAbort(new CancelledError(what, { cause: caller?.reason }));
    caller?.addEventListener("abort", onCaller, { once: true });
    const timer = setTimeout(() => onAbort(new TimeoutError(what, timeoutMs)), timeoutMs);
    // Registering on a cancelled scope aborts synchronously, after which the work is not started.
    leave = scope?.add(onAbort);
    if (settled) return;
    let running: Promise<T>;
    try {
      running = work(controller.signal);
    } catch (error) {
      finish();
      reject(error);
      return;
    }
    running.then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        finish();
        reject(error);
      },
    );
  });
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
