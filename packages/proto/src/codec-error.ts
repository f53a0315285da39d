/**
 * Raised when bytes cannot be decoded as the expected message, or a content type is not one Mesos speaks.
 *
 * @example
 * ```ts
 * try { codec.decode(bytes); } catch (e) { if (isCodecError(e)) console.error(e.message, e.cause); }
 * ```
 */
export class CodecError extends Error {
  override readonly name = "CodecError";
}

/**
 * Name-based guard for {@link CodecError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isCodecError(error)) reply(400, error.message);
 * ```
 */
export function isCodecError(error: unknown): error is CodecError {
  return error instanceof Error && error.name === "CodecError";
}
