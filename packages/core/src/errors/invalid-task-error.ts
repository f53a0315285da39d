import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * A task that cannot be built or submitted as given: a native or bound function as `fn`, both `args` and
 * `calls`, a bad `maxAttempts`, a task submitted twice, an argument the payload format cannot carry. The
 * message names the offending option.
 *
 * @example
 * ```ts
 * try { new FunctionTask({ fn: Math.max, args: [1, 2] }); } catch (e) { isInvalidTaskError(e); } // true
 * ```
 */
export class InvalidTaskError extends SatyrError {
  override readonly name = "InvalidTaskError" as const;
  /** The option or property at fault, e.g. `"fn"`. */
  readonly option: string;

  constructor(option: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.option = option;
  }
}

/**
 * True for an {@link InvalidTaskError} (name-based).
 *
 * @example
 * ```ts
 * if (isInvalidTaskError(error)) console.log(error.option);
 * ```
 */
export function isInvalidTaskError(error: unknown): error is InvalidTaskError {
  return hasErrorName(error, "InvalidTaskError");
}
