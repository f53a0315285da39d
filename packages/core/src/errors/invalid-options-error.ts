import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * Options were rejected before anything was sent: a malformed master URL, an unknown codec, invalid FrameworkInfo.
 * `option` names the offending option path (for example `framework.roles[1]`).
 *
 * @example
 * ```ts
 * try { connect({ master: "ftp://x", framework: { name: "fw" } }); }
 * catch (e) { if (isInvalidOptionsError(e)) console.error(e.option, e.message); }
 * ```
 */
export class InvalidOptionsError extends SatyrError {
  override readonly name = "InvalidOptionsError";
  /** Path of the rejected option, e.g. `master` or `framework.failoverTimeoutSeconds`. */
  readonly option: string;

  constructor(option: string, problem: string, options?: ErrorOptions) {
    super(`invalid option ${option}: ${problem}`, options);
    this.option = option;
  }
}

/**
 * Name-based guard for {@link InvalidOptionsError}.
 *
 * @example
 * ```ts
 * if (isInvalidOptionsError(error)) usage(error.option);
 * ```
 */
export function isInvalidOptionsError(error: unknown): error is InvalidOptionsError {
  return hasErrorName(error, "InvalidOptionsError");
}
