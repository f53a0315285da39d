import { PoolArgumentError, TimeoutError } from "@satyr/core";
import type { Future } from "./future.js";

/**
 * Python's `FIRST_COMPLETED`: {@link wait} returns as soon as any future completes or is cancelled.
 *
 * @example
 * ```ts
 * const { done } = await wait(futures, { returnWhen: FIRST_COMPLETED });
 * ```
 */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * Python's `FIRST_EXCEPTION`: {@link wait} returns as soon as any future raises; if none does, when all complete.
 *
 * @example
 * ```ts
 * const { done } = await wait(futures, { returnWhen: FIRST_EXCEPTION });
 * ```
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/**
 * Python's `ALL_COMPLETED` (the default): {@link wait} returns when every future completed or was cancelled.
 *
 * @example
 * ```ts
 * const { notDone } = await wait(futures, { returnWhen: ALL_COMPLETED, timeout: 10_000 });
 * ```
 */
export const ALL_COMPLETED = "ALL_COMPLETED";

/**
 * When {@link wait} returns.
 *
 * @example
 * ```ts
 * const when: ReturnWhen = "FIRST_EXCEPTION";
 * ```
 */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/**
 * What {@link wait} returns: the futures that completed (or were cancelled) and those that did not.
 *
 * @example
 * ```ts
 * const { done, notDone }: DoneAndNotDone<number> = await wait(futures);
 * ```
 */
export interface DoneAndNotDone<T> {
  readonly done: Set<Future<T>>;
  readonly notDone: Set<Future<T>>;
}

/**
 * Waits for futures like Python's `concurrent.futures.wait`: until the `returnWhen` condition holds or `timeout`
 * ms passed (no bound when omitted). Never rejects on a timeout: the futures not done are in `notDone`.
 * Duplicates count once.
 *
 * @example
 * ```ts
 * const fs = [1, 2, 3].map((x) => executor.submit((v: number) => v * 2, [x]));
 * const { done, notDone } = await wait(fs, { timeout: 5000, returnWhen: FIRST_COMPLETED });
 * ```
 */
export async function wait<T>(
  futures: Iterable<Future<T>>,
  options: { timeout?: number; returnWhen?: ReturnWhen } = {},
): Promise<DoneAndNotDone<T>> {
  const { timeout, returnWhen = ALL_COMPLETED } = options;
  if (![FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED].includes(returnWhen)) {
    throw new PoolArgumentError(
      "returnWhen",
      `must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${String(returnWhen)}`,
    );
  }
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new PoolArgumentError(
      "timeout",
      `must be a finite number of milliseconds ≥ 0, got ${String(timeout)}`,
    );
  }
  const all = new Set(futures);
  const split = (): DoneAndNotDone<T> => {
    const done = new Set<Future<T>>();
    const notDone = new Set<Future<T>>();
    for (const f of all) (f.done() ? done : notDone).add(f);
    return { done, notDone };
  };
  const satisfied = (): boolean => {
    const { done, notDone } = split();
    if (notDone.size === 0) return true;
    if (returnWhen === FIRST_COMPLETED) return done.size > 0;
    if (returnWhen === FIRST_EXCEPTION) return [...done].some((f) => f.raised());
    return false;
  };
  if (satisfied()) return split();
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve();
    };
    if (timeout !== undefined) timer = setTimeout(finish, timeout);
    for (const f of all) {
      f.settled.then(() => {
        if (satisfied()) finish();
      });
    }
  });
  return split();
}

/**
 * A future as {@link asCompleted} yields it: the same object, typed without `then` so that `for await` hands out
 * the future itself (TypeScript would otherwise type the loop variable as the awaited value).
 *
 * @example
 * ```ts
 * for await (const f of asCompleted(futures)) console.log(f.done(), await f.result());
 * ```
 */
export type CompletedFuture<T> = Omit<Future<T>, "then">;

/**
 * Yields futures as they complete (or are cancelled), like Python's `concurrent.futures.as_completed`: those
 * already done first, then each as it completes. Rejects with a `TimeoutError` if not all completed within
 * `timeout` ms of the call. Duplicates are yielded once.
 *
 * @example
 * ```ts
 * for await (const future of asCompleted(futures, { timeout: 10_000 })) console.log(await future.result());
 * ```
 */
export function asCompleted<T>(
  futures: Iterable<Future<T>>,
  options: { timeout?: number } = {},
): AsyncIterableIterator<CompletedFuture<T>> {
  const { timeout } = options;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new PoolArgumentError(
      "timeout",
      `must be a finite number of milliseconds ≥ 0, got ${String(timeout)}`,
    );
  }
  const deadline = timeout === undefined ? undefined : Date.now() + timeout;
  const pending = new Set(futures);
  const total = pending.size;
  const completed: Future<T>[] = [];
  for (const f of pending) if (f.done()) completed.push(f);
  for (const f of completed) pending.delete(f);
  let wake: (() => void) | undefined;
  for (const f of pending) {
    f.settled.then(() => {
      completed.push(f);
      wake?.();
    });
  }
  let yielded = 0;
  let stopped = false;
  // A hand-written iterator, not an async generator: `yield` would await the (thenable) Future and hand out
  // its value instead of the Future itself.
  const iterator: AsyncIterableIterator<CompletedFuture<T>> = {
    async next(): Promise<IteratorResult<CompletedFuture<T>>> {
      while (!stopped && yielded < total) {
        const next = completed.shift();
        if (next !== undefined) {
          yielded++;
          return { done: false, value: next };
        }
        const remaining = deadline === undefined ? undefined : deadline - Date.now();
        if (remaining !== undefined && remaining <= 0) {
          stopped = true;
          throw new TimeoutError(`${total - yielded} (of ${total}) futures`, timeout ?? 0);
        }
        await new Promise<void>((resolve) => {
          const timer = remaining === undefined ? undefined : setTimeout(resolve, remaining);
          wake = () => {
            if (timer !== undefined) clearTimeout(timer);
            wake = undefined;
            resolve();
          };
        });
      }
      return { done: true, value: undefined };
    },
    async return(): Promise<IteratorResult<CompletedFuture<T>>> {
      stopped = true;
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
