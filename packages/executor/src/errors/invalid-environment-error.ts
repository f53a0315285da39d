/**
 * A required environment variable is missing or holds a value the executor cannot use. The message names the
 * variable and what was wrong with it.
 *
 * @example
 * ```ts
 * try { readExecutorEnvironment({}); }
 * catch (e) { if (isInvalidEnvironmentError(e)) console.error(e.variable, e.message); }
 * ```
 */
export class InvalidEnvironmentError extends Error {
  override readonly name = "InvalidEnvironmentError";
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.variable = variable;
  }
}

/**
 * Name-based guard for {@link InvalidEnvironmentError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isInvalidEnvironmentError(error)) process.exitCode = 2;
 * ```
 */
export function isInvalidEnvironmentError(error: unknown): error is InvalidEnvironmentError {
  return error instanceof Error && error.name === "InvalidEnvironmentError";
}
