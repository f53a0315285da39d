/**
 * Why a task payload or task result could not be encoded or decoded:
 * - `"version"`: the bytes were written by an incompatible version of the payload format;
 * - `"malformed"`: the bytes are not a satyr payload of the expected kind, or are corrupt;
 * - `"unserializable"`: a value (a function, a symbol, a promise, ...) cannot travel as msgpack;
 * - `"too-large"`: the encoded result is larger than the allowed maximum.
 *
 * @example
 * ```ts
 * const code: PayloadErrorCode = "too-large";
 * ```
 */
export type PayloadErrorCode = "version" | "malformed" | "unserializable" | "too-large";

/**
 * Raised by the task payload functions ({@link encodeTaskPayload}, {@link decodeTaskResult}, ...). The message
 * names what was wrong: the argument position of an unserializable value, both versions of a mismatch, the size
 * and the limit of a result too large.
 *
 * @example
 * ```ts
 * try { encodeTaskPayload({ fn, calls: [[() => 1]] }); }
 * catch (e) { if (isPayloadError(e) && e.code === "unserializable") console.error(e.message); }
 * ```
 */
export class PayloadError extends Error {
  override readonly name = "PayloadError";
  readonly code: PayloadErrorCode;

  constructor(code: PayloadErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Name-based guard for {@link PayloadError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isPayloadError(error) && error.code === "version") console.error("executor and scheduler differ");
 * ```
 */
export function isPayloadError(error: unknown): error is PayloadError {
  return error instanceof Error && error.name === "PayloadError";
}
