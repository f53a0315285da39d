import { RecordIOError } from "./recordio-error.js";

/**
 * Default cap on one record's length: a master's OFFERS event for a large cluster stays far below it.
 *
 * @example
 * ```ts
 * // Accept records up to four times the default (a very large cluster's OFFERS event).
 * const decoder = new RecordIODecoder({ maxRecordBytes: 4 * DEFAULT_MAX_RECORD_BYTES });
 * ```
 */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * Options of {@link RecordIODecoder} and {@link readRecords}.
 *
 * @example
 * ```ts
 * const options: RecordIOOptions = { maxRecordBytes: 1 << 20 };
 * for await (const record of readRecords(response.body, options)) handle(record);
 * ```
 */
export interface RecordIOOptions {
  /** Longest record accepted, in bytes; a longer length header fails with {@link RecordIOError}. */
  readonly maxRecordBytes?: number;
}

const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;
/** Digits in the longest header we accept; more can only be a corrupt stream. */
const MAX_HEADER_DIGITS = 16;
const encoder = new TextEncoder();

/**
 * Incremental RecordIO decoder (`<decimal length>\n<bytes>` repeated, as Mesos streams events). Feed it chunks
 * split anywhere; it returns the records completed by each chunk. It copies only the bytes of records that span
 * chunks, so memory stays bounded by the largest record, not by the stream.
 *
 * @example
 * ```ts
 * const decoder = new RecordIODecoder({ maxRecordBytes: 1 << 20 });
 * for (const record of decoder.push(chunk)) handle(record);
 * decoder.end(); // throws if the stream stopped inside a record
 * ```
 */
export class RecordIODecoder {
  readonly #max: number;
  /** Offset in the stream of the next byte to be pushed. */
  #offset = 0;
  #headerDigits = 0;
  #headerValue = 0;
  #headerStart = 0;
  /** Set while reading a record body: its buffer and how much is filled. */
  #body: Uint8Array | undefined;
  #filled = 0;
  #failure: RecordIOError | undefined;

  constructor(options: RecordIOOptions = {}) {
    this.#max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (!Number.isSafeInteger(this.#max) || this.#max < 0) {
      throw new RangeError(
        `maxRecordBytes must be a non-negative integer, got ${String(options.maxRecordBytes)}`,
      );
    }
  }

  /**
   * Consumes one chunk and returns the records it completes (possibly none). When the chunk holds a malformed
   * header after some complete records, those records are returned first and the error is kept in
   * {@link RecordIODecoder.failure}; it is thrown by the next `push` or `end`. A decoder that failed stays failed.
   * @throws {@link RecordIOError} on a malformed header or an over-long record.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failure !== undefined) throw this.#failure;
    const records: Uint8Array[] = [];
    try {
      this.#consume(chunk, records);
    } catch (error) {
      if (!(error instanceof RecordIOError)) throw error;
      this.#failure = error;
      if (records.length === 0) throw error;
    }
    return records;
  }

  /** The error that stopped this decoder, if any (see {@link RecordIODecoder.push}). */
  get failure(): RecordIOError | undefined {
    return this.#failure;
  }

  #consume(chunk: Uint8Array, records: Uint8Array[]): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#body !== undefined) {
        const take = Math.min(this.#body.length - this.#filled, chunk.length - i);
        this.#body.set(chunk.subarray(i, i + take), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === this.#body.length) {
          records.push(this.#body);
          this.#body = undefined;
        }
        continue;
      }
      const byte = chunk[i]!;
      const at = this.#offset + i;
      if (byte === NEWLINE) {
        if (this.#headerDigits === 0) throw new RecordIOError("RecordIO header without a length", at);
        const length = this.#headerValue;
        this.#headerDigits = 0;
        this.#headerValue = 0;
        i++;
        if (length === 0) {
          records.push(new Uint8Array(0));
          continue;
        }
        // A record wholly inside this chunk is returned as a view, without a copy.
        if (chunk.length - i >= length) {
          records.push(chunk.subarray(i, i + length));
          i += length;
        } else {
          this.#body = new Uint8Array(length);
          this.#filled = 0;
        }
        continue;
      }
      if (byte < ZERO || byte > NINE) {
        throw new RecordIOError(
          `RecordIO header has a non-digit byte 0x${byte.toString(16).padStart(2, "0")}`,
          at,
        );
      }
      if (this.#headerDigits === 0) this.#headerStart = at;
      this.#headerDigits++;
      this.#headerValue = this.#headerValue * 10 + (byte - ZERO);
      if (this.#headerDigits > MAX_HEADER_DIGITS || this.#headerValue > this.#max) {
        throw new RecordIOError(`RecordIO record longer than the ${this.#max}-byte cap`, this.#headerStart);
      }
      i++;
    }
    this.#offset += chunk.length;
  }

  /**
   * Declares the end of the stream.
   * @throws {@link RecordIOError} if the stream ended inside a header or a record.
   */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#body !== undefined || this.#headerDigits > 0) {
      throw new RecordIOError("RecordIO stream ended inside a record", this.#offset);
    }
  }
}

/**
 * Reads records from a byte stream (an HTTP body, a file), with backpressure: the source is pulled only as
 * records are consumed. Ends the source when the consumer stops early.
 *
 * @example
 * ```ts
 * for await (const record of readRecords(response.body)) {
 *   const event = codec.decode(record);
 * }
 * ```
 */
export async function* readRecords(
  source: AsyncIterable<Uint8Array>,
  options: RecordIOOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const decoder = new RecordIODecoder(options);
  for await (const chunk of source) {
    yield* decoder.push(chunk);
    // Records before a malformed header were delivered above; the error must not wait for another chunk.
    if (decoder.failure !== undefined) throw decoder.failure;
  }
  decoder.end();
}

/**
 * Frames one record: its decimal byte length, a newline, then the bytes.
 *
 * @example
 * ```ts
 * response.write(encodeRecord(codec.encode(event)));
 * ```
 */
export function encodeRecord(record: Uint8Array): Uint8Array {
  const header = encoder.encode(`${record.length}\n`);
  const framed = new Uint8Array(header.length + record.length);
  framed.set(header, 0);
  framed.set(record, header.length);
  return framed;
}
