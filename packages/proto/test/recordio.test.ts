import fc from "fast-check";
import {
  DEFAULT_MAX_RECORD_BYTES,
  encodeRecord,
  isRecordIOError,
  RecordIODecoder,
  RecordIOError,
  readRecords,
} from "../src/index.js";

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Splits `bytes` at the given cut points (any numbers; reduced modulo the length, sorted, deduplicated). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

async function* source(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function collect(chunks: readonly Uint8Array[], maxRecordBytes?: number): Promise<Uint8Array[]> {
  const records: Uint8Array[] = [];
  const options = maxRecordBytes === undefined ? {} : { maxRecordBytes };
  // Copies, so a later chunk can never change a record already handed out.
  for await (const record of readRecords(source(chunks), options)) records.push(Uint8Array.from(record));
  return records;
}

/** What the decoder yields before it throws (or all records), and the error if any. */
function decodeAll(
  chunks: readonly Uint8Array[],
  maxRecordBytes?: number,
): { records: Uint8Array[]; error?: RecordIOError } {
  const decoder = new RecordIODecoder(maxRecordBytes === undefined ? {} : { maxRecordBytes });
  const records: Uint8Array[] = [];
  try {
    for (const chunk of chunks)
      for (const record of decoder.push(chunk)) records.push(Uint8Array.from(record));
    decoder.end();
    return { records };
  } catch (error) {
    if (!(error instanceof RecordIOError)) throw error;
    return { records, error };
  }
}

const recordsArb = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });
const cutsArb = fc.array(fc.nat(), { maxLength: 30 });

describe("RecordIO", () => {
  it("frames a record as its decimal length, a newline and the bytes", () => {
    expect(Array.from(encodeRecord(Uint8Array.of(7, 8, 9)))).toEqual([0x33, 0x0a, 7, 8, 9]);
    expect(
      new TextDecoder().decode(encodeRecord(new TextEncoder().encode("x".repeat(128))).subarray(0, 4)),
    ).toBe("128\n");
    expect(Array.from(encodeRecord(new Uint8Array(0)))).toEqual([0x30, 0x0a]);
  });

  it("decodes any sequence of records, however the stream is split", async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, cutsArb, async (records, cuts) => {
        const stream = concat(records.map(encodeRecord));
        expect(await collect(split(stream, cuts))).toEqual(records);
      }),
      { numRuns: 300 },
    );
  });

  it("decodes a stream fed one byte at a time (every header split across chunks)", () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        const stream = concat(records.map(encodeRecord));
        const bytes = Array.from(stream, (b) => Uint8Array.of(b));
        expect(decodeAll(bytes).records).toEqual(records);
      }),
      { numRuns: 100 },
    );
  });

  it("decodes a multi-digit length header split between two chunks", () => {
    const record = new Uint8Array(12345).fill(0x61);
    const stream = encodeRecord(record); // "12345\n" + bytes
    for (let cut = 1; cut <= 6; cut++) {
      const { records, error } = decodeAll([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(error).toBeUndefined();
      expect(records).toEqual([record]);
    }
  });

  it("returns records that stay valid after later chunks are pushed", () => {
    const decoder = new RecordIODecoder();
    const chunk = concat([encodeRecord(Uint8Array.of(1, 2)), encodeRecord(Uint8Array.of(3))]);
    const first = decoder.push(chunk);
    expect(first.map((r) => Array.from(r))).toEqual([[1, 2], [3]]);
  });

  it("rejects a non-digit byte in a header with the offset of that byte, after the good records", () => {
    const nonDigit = fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x0a && (b < 0x30 || b > 0x39));
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.nat(),
        nonDigit,
        cutsArb,
        (records, which, digit, bad, cuts) => {
          const framed = records.map(encodeRecord);
          const index = which % records.length;
          const headerLength = String(records[index]?.length).length;
          const position = framed.slice(0, index).reduce((n, f) => n + f.length, 0) + (digit % headerLength);
          const stream = concat(framed);
          stream[position] = bad;
          const { records: good, error } = decodeAll(split(stream, cuts));
          expect(error).toBeInstanceOf(RecordIOError);
          expect(error?.offset).toBe(position);
          expect(error?.message).toContain(`at byte ${position}`);
          expect(good).toEqual(records.slice(0, index));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("returns the records before a malformed header first, then keeps failing with the same error", () => {
    const decoder = new RecordIODecoder();
    const chunk = concat([encodeRecord(Uint8Array.of(1)), new TextEncoder().encode("x\n")]);
    expect(decoder.push(chunk)).toEqual([Uint8Array.of(1)]);
    const failure = decoder.failure;
    expect(failure?.offset).toBe(3);
    expect(() => decoder.push(encodeRecord(Uint8Array.of(2)))).toThrow(failure);
    expect(() => decoder.end()).toThrow(failure);
  });

  it("rejects an empty header (a bare newline) with its offset", () => {
    const stream = concat([encodeRecord(Uint8Array.of(1)), Uint8Array.of(0x0a)]);
    const { records, error } = decodeAll([stream]);
    expect(records).toEqual([Uint8Array.of(1)]);
    expect(error?.offset).toBe(3);
    expect(error?.message).toMatch(/without a length/);
  });

  it("enforces the record cap at the header, naming its offset", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(400), { maxLength: 12 }), fc.nat(400), cutsArb, (lengths, cap, cuts) => {
        const records = lengths.map((n) => new Uint8Array(n).fill(n & 0xff));
        const framed = records.map(encodeRecord);
        const { records: got, error } = decodeAll(split(concat(framed), cuts), cap);
        const firstOver = lengths.findIndex((n) => n > cap);
        if (firstOver === -1) {
          expect(error).toBeUndefined();
          expect(got).toEqual(records);
        } else {
          expect(error).toBeInstanceOf(RecordIOError);
          expect(error?.offset).toBe(framed.slice(0, firstOver).reduce((n, f) => n + f.length, 0));
          expect(error?.message).toContain(`${cap}-byte cap`);
          expect(got).toEqual(records.slice(0, firstOver));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("refuses an absurd header before reading its body", () => {
    const { error } = decodeAll([new TextEncoder().encode("99999999999999999999999\n")]);
    expect(error?.offset).toBe(0);
    expect(DEFAULT_MAX_RECORD_BYTES).toBeGreaterThan(1 << 20);
  });

  it("rejects a stream that ends inside a header or a body, at the end offset", async () => {
    const stream = concat([encodeRecord(Uint8Array.of(1, 2, 3)), new TextEncoder().encode("10\nabc")]);
    const { records, error } = decodeAll(split(stream, [2, 7]));
    expect(records).toEqual([Uint8Array.of(1, 2, 3)]);
    expect(error?.offset).toBe(stream.length);
    expect(error?.message).toMatch(/ended inside a record/);
    await expect(collect([new TextEncoder().encode("12")])).rejects.toThrow(RecordIOError);
  });

  it("terminates with records or a RecordIOError on arbitrary bytes, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 500 }), cutsArb, fc.nat(1000), async (bytes, cuts, cap) => {
        try {
          const records = await collect(split(bytes, cuts), cap);
          // Whatever was decoded re-encodes to exactly the input.
          expect(concat(records.map(encodeRecord))).toEqual(bytes);
        } catch (error) {
          expect(isRecordIOError(error)).toBe(true);
          expect((error as RecordIOError).offset).toBeGreaterThanOrEqual(0);
          expect((error as RecordIOError).offset).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("pulls the source lazily and closes it when the consumer stops", async () => {
    let pulled = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          pulled++;
          yield encodeRecord(Uint8Array.of(pulled & 0xff));
        }
      } finally {
        closed = true;
      }
    }
    let seen = 0;
    for await (const _record of readRecords(endless())) {
      if (++seen === 3) break;
    }
    expect(pulled).toBe(3);
    expect(closed).toBe(true);
  });

  it("validates its options", () => {
    expect(() => new RecordIODecoder({ maxRecordBytes: -1 })).toThrow(RangeError);
    expect(() => new RecordIODecoder({ maxRecordBytes: 1.5 })).toThrow(RangeError);
  });

  it("has a typed error with a name-based guard", () => {
    const error = new RecordIOError("bad", 4);
    expect(error.name).toBe("RecordIOError");
    expect(isRecordIOError(error)).toBe(true);
    expect(isRecordIOError(Object.assign(new Error("x"), { name: "RecordIOError" }))).toBe(true);
    expect(isRecordIOError(new Error("x"))).toBe(false);
    expect(isRecordIOError("RecordIOError")).toBe(false);
  });
});
