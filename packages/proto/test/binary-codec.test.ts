import { type DescMessage, equals, fromBinary, isFieldSet, type Message, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import fc from "fast-check";
import { decodeBinary, encodeBinary } from "../src/index.js";
import { allMessageTypes, messageArbitrary } from "./support/message-arbitrary.js";
import { expectSameMessage } from "./support/same-message.js";

// Property tests of the compiled codec against protobuf-es itself, for every message type of the registry:
// protobuf-es is the specification, so any difference in bytes, decoded shape or failure is a bug.

const TYPES = allMessageTypes().map((desc) => [desc.typeName, desc] as const);
const RUNS = 25;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

function outcome<T>(run: () => T): Outcome<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

function protobufEsDecode(desc: DescMessage, bytes: Uint8Array): Message {
  return fromBinary(desc, bytes, { readUnknownFields: true });
}

/** Both decoders give the same message, or both refuse the bytes with the same error text. */
function expectSameDecoding(desc: DescMessage, bytes: Uint8Array): Outcome<Message> {
  const expected = outcome(() => protobufEsDecode(desc, bytes));
  const actual = outcome(() => decodeBinary(desc, bytes) as Message);
  if (!expected.ok) {
    expect(actual.ok).toBe(false);
    if (!actual.ok) expect(actual.error.message).toBe(expected.error.message);
    return expected;
  }
  if (!actual.ok) throw new Error(`compiled decoder refused what protobuf-es reads: ${actual.error.message}`);
  expectSameMessage(actual.value, expected.value);
  // equals() treats NaN as unequal to NaN, so it is held against protobuf-es's verdict on a second decoding.
  const again = protobufEsDecode(desc, bytes);
  expect(equals(desc, actual.value, expected.value)).toBe(equals(desc, again, expected.value));
  for (const field of desc.fields) {
    expect(isFieldSet(actual.value, field)).toBe(isFieldSet(expected.value, field));
  }
  return expected;
}

/** Both encoders give the same bytes, or both refuse the message with the same error text. */
function expectSameEncoding(desc: DescMessage, message: Message): Outcome<Uint8Array> {
  const expected = outcome(() => toBinary(desc, message));
  const actual = outcome(() => encodeBinary(desc, message as never));
  if (!expected.ok) {
    // A required field left out, or a float beyond float32: refused with protobuf-es's words.
    expect(actual.ok).toBe(false);
    if (!actual.ok) expect(actual.error.message).toBe(expected.error.message);
    return expected;
  }
  if (!actual.ok) throw actual.error;
  expect(actual.value).toEqual(expected.value);
  return expected;
}

describe.each(TYPES)("%s", (_name, desc) => {
  it("encodes to the bytes of toBinary, decodes to the message of fromBinary", () => {
    fc.assert(
      fc.property(messageArbitrary(desc), (message) => {
        const encoded = expectSameEncoding(desc, message);
        if (!encoded.ok) return;
        const decoded = expectSameDecoding(desc, encoded.value);
        // Re-encoding what was decoded also agrees (an unknown closed-enum value has moved to $unknown, so a
        // required enum field may now be missing: then both refuse).
        if (decoded.ok) expectSameEncoding(desc, decoded.value);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  });

  it("keeps unknown fields and refuses or reads damaged bytes exactly as protobuf-es", () => {
    const used = new Set(desc.fields.map((f) => f.number));
    const unknownField = fc.record({
      no: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 5000, max: 536870911 })),
      kind: fc.constantFrom(
        WireType.Varint,
        WireType.Bit64,
        WireType.LengthDelimited,
        WireType.StartGroup,
        WireType.Bit32,
      ),
      value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      bytes: fc.uint8Array({ maxLength: 12 }),
    });
    const damage = fc.oneof(
      fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
      fc.record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({
        op: fc.constant("insert" as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(
        messageArbitrary(desc, 2),
        fc.array(unknownField, { maxLength: 4 }),
        fc.array(damage, { minLength: 1, maxLength: 3 }),
        (message, unknowns, damages) => {
          let known: Uint8Array;
          try {
            known = toBinary(desc, message);
          } catch {
            return; // not encodable (a required field left out): nothing to decode
          }
          const writer = new BinaryWriter();
          for (const u of unknowns) {
            if (used.has(u.no)) continue;
            switch (u.kind) {
              case WireType.Varint:
                writer.tag(u.no, u.kind).uint64(u.value);
                break;
              case WireType.Bit64:
                writer.tag(u.no, u.kind).fixed64(u.value);
                break;
              case WireType.LengthDelimited:
                writer.tag(u.no, u.kind).bytes(u.bytes);
                break;
              case WireType.Bit32:
                writer.tag(u.no, u.kind).fixed32(Number(u.value & 0xffffffffn));
                break;
              default:
                writer.tag(u.no, WireType.StartGroup).tag(1, WireType.Varint).uint64(u.value);
                writer.tag(2, WireType.LengthDelimited).bytes(u.bytes).tag(u.no, WireType.EndGroup);
            }
          }
          const extra = writer.finish();
          const bytes = new Uint8Array(known.length + extra.length);
          bytes.set(known);
          bytes.set(extra, known.length);

          const decoded = expectSameDecoding(desc, bytes);
          expect(decoded.ok).toBe(true);
          if (decoded.ok) {
            const again = expectSameEncoding(desc, decodeBinary(desc, bytes) as Message);
            // Unknown fields are written back last, byte for byte. (protobuf-es drops an unknown closed-enum
            // value read before other unknown fields of the same message; the compiled decoder does the same.)
            if (again.ok && extra.length > 0)
              expect(again.value.subarray(again.value.length - extra.length)).toEqual(extra);
          }

          let damaged = bytes;
          for (const d of damages) {
            const at = damaged.length === 0 ? 0 : d.at % (damaged.length + 1);
            if (d.op === "truncate") damaged = damaged.subarray(0, at);
            else if (d.op === "set") {
              damaged = damaged.slice();
              if (at < damaged.length) damaged[at] = d.byte;
            } else {
              const next = new Uint8Array(damaged.length + d.bytes.length);
              next.set(damaged.subarray(0, at));
              next.set(d.bytes, at);
              next.set(damaged.subarray(at), at + d.bytes.length);
              damaged = next;
            }
          }
          expectSameDecoding(desc, damaged);
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
  });
});
