import { TimeoutError } from "../errors/index.js";
import { checkTimeout } from "./pool-util.js";

/**
 * Waits for `promise` at most `timeoutMs` (no bound when `undefined`): resolves or rejects as it does, or rejects
 * with a `TimeoutError` naming `what` when the time runs out. The awaited work is not cancelled, which is what
 * Python's `Future.result(timeout)` and `AsyncResult.get(timeout)` do.
 *
 * @example
 * ```ts
 * const value = await waitFor(call.result(), 5000, "the call"); // TimeoutError after 5 s
 * ```
 */
export function waitFor<T>(promise: Promise<T>, timeoutMs: number | undefined, what: string): Promise<T> {
  const ms = checkTimeout(timeoutMs, "timeout");
  if (ms === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
