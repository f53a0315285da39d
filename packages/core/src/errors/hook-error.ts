import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * An exception thrown (or a promise rejected) by a `Scheduler` hook or a task's `onUpdate`. It is reported on
 * `scheduler.errors$` and logged; unlike the original satyr it never stops the framework.
 *
 * @example
 * ```ts
 * scheduler.errors$.subscribe((e) => console.error(e.hook, e.cause));
 * ```
 */
export class HookError extends SatyrError {
  override readonly name = "HookError" as const;
  /** The hook that failed, e.g. `"onOffers"` or `"task.onUpdate"`. */
  readonly hook: string;

  constructor(hook: string, cause: unknown) {
    super(`${hook} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.hook = hook;
  }
}

/**
 * True for a {@link HookError} (name-based).
 *
 * @example
 * ```ts
 * if (isHookError(error)) console.log(error.hook);
 * ```
 */
export function isHookError(error: unknown): error is HookError {
  return hasErrorName(error, "HookError");
}
