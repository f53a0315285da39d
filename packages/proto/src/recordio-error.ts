/**
 * Raised when a RecordIO stream is malformed: a header that is not a decimal length, a record longer than the
 * configured cap, or a stream that ends inside a record.
 *
 * @example
 * ```ts
 * try { for await (const record of readRecords(body)) handle(record); }
 * catch (e) { if (isRecordIOError(e)) console.error(`bad stream at byte ${e.offset}`); }
 * ```
 */
export class RecordIOError extends Error {
  override readonly name = "RecordIOError";
  /** Offset, from the start of the stream, of the byte where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number, options?: ErrorOptions) {
    super(`${message} (at byte ${offset})`, options);
    this.offset = offset;
  }
}

/**
 * Name-based guard for {@link RecordIOError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isRecordIOError(error)) console.log(error.offset);
 * ```
 */
export function isRecordIOError(error: unknown): error is RecordIOError {
  return error instanceof Error && error.name === "RecordIOError";
}
