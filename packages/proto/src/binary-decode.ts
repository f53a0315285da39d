import {
  create,
  type DescField,
  type DescMessage,
  fromBinary,
  type MessageShape,
  protoInt64,
  ScalarType,
} from "@bufbuild/protobuf";
import { getTextEncoding, WireType } from "@bufbuild/protobuf/wire";
import { isCompilable, scalarZero } from "./binary-support.js";

// The compiled decoder mirrors protobuf-es `fromBinary(schema, bytes, { readUnknownFields: true })` step by
// step, including its leniencies (a singular field is read by its declared type whatever wire type the tag
// says; a nested length may run past its parent's end), so that any input gives the same message or fails
// in the same place. What it drops is the reflection: each message type gets a table of per-field readers
// indexed by field number, built once. Decoding is synchronous and never re-entered, so the input cursor is
// module state.

/** protobuf-es's default recursion limit for binary reads. */
const RECURSION_LIMIT = 100;
const EMPTY = new Uint8Array(0);

let input: Uint8Array = EMPTY;
let at = 0;
let length = 0;
let inputView: DataView | undefined;
let decodeUtf8: (bytes: Uint8Array, strict?: boolean) => string = getTextEncoding().decodeUtf8;

function view(): DataView {
  if (inputView === undefined) inputView = new DataView(input.buffer, input.byteOffset, input.byteLength);
  return inputView;
}

/** Moves the cursor past a fixed-size value and returns where the value starts. */
function advance(bytes: number): number {
  const start = at;
  at += bytes;
  return start;
}

function eof(): never {
  throw new RangeError("premature EOF");
}

/** An unsigned 32-bit varint; longer varints are read to their end and truncated, as protobuf-es does. */
function u32(): number {
  // Reads past the end give undefined, which masks to 0 and stops the varint; the bound check then fails.
  let b = input[at++] as number;
  let result = b & 0x7f;
  if ((b & 0x80) === 0) {
    if (at > length) eof();
    return result;
  }
  b = input[at++] as number;
  result |= (b & 0x7f) << 7;
  if ((b & 0x80) === 0) {
    if (at > length) eof();
    return result;
  }
  b = input[at++] as number;
  result |= (b & 0x7f) << 14;
  if ((b & 0x80) === 0) {
    if (at > length) eof();
    return result;
  }
  b = input[at++] as number;
  result |= (b & 0x7f) << 21;
  if ((b & 0x80) === 0) {
    if (at > length) eof();
    return result;
  }
  b = input[at++] as number;
  result |= (b & 0x0f) << 28;
  for (let read = 5; (b & 0x80) !== 0 && read < 10; read++) b = input[at++] as number;
  if ((b & 0x80) !== 0) throw new Error("invalid varint");
  if (at > length) eof();
  return result >>> 0;
}

// A 64-bit varint is read into these two halves.
let lo64 = 0;
let hi64 = 0;

function v64(): void {
  let lo = 0;
  let hi = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    b = input[at++] as number;
    lo |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      done64(lo, hi);
      return;
    }
  }
  b = input[at++] as number;
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x70) >> 4;
  if ((b & 0x80) === 0) {
    done64(lo, hi);
    return;
  }
  for (let shift = 3; shift <= 31; shift += 7) {
    b = input[at++] as number;
    hi |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      done64(lo, hi);
      return;
    }
  }
  throw new Error("invalid varint");
}

function done64(lo: number, hi: number): void {
  if (at > length) eof();
  lo64 = lo;
  hi64 = hi;
}

let tagNo = 0;
let tagWire = 0;

function readTag(): void {
  const start = at;
  const tag = u32();
  const read = at - start;
  if (read > 5 || (read === 5 && (input[at - 1] as number) > 0x0f)) {
    throw new Error("illegal tag: varint overflows uint32");
  }
  tagNo = tag >>> 3;
  tagWire = tag & 7;
  if (tagNo <= 0 || tagWire > 5) throw new Error(`illegal tag: field no ${tagNo} wire type ${tagWire}`);
}

/** Skips one value of an unknown field and returns its bytes (without the tag), to keep in `$unknown`. */
function skip(wireType: number, fieldNo: number, recursionLimit: number): Uint8Array {
  const start = at;
  switch (wireType) {
    case WireType.Varint:
      while ((input[at++] as number) & 0x80) {
        // to the last byte of the varint
      }
      break;
    case WireType.Bit64:
      at += 8;
      break;
    case WireType.Bit32:
      at += 4;
      break;
    case WireType.LengthDelimited: {
      const len = u32();
      at += len;
      break;
    }
    case WireType.StartGroup:
      if (recursionLimit <= 0) throw new Error("maximum recursion depth reached");
      for (;;) {
        readTag();
        const no = tagNo;
        const wire = tagWire;
        if (wire === WireType.EndGroup) {
          if (no !== fieldNo) throw new Error("invalid end group tag");
          break;
        }
        skip(wire, no, recursionLimit - 1);
      }
      break;
    default:
      throw new Error(`cant skip wire type ${wireType}`);
  }
  if (at > length) eof();
  return input.subarray(start, at);
}

function lengthDelimited(): Uint8Array {
  const len = u32();
  const start = at;
  at += len;
  if (at > length) eof();
  return input.subarray(start, start + len);
}

/**
 * Node's latin1 slice of a byte range: for bytes that are all ASCII it is the UTF-8 decoding too, at a fraction
 * of a TextDecoder call's cost. Most strings of a Mesos message are short ASCII (ids, names, roles). Where
 * Buffer does not exist (not Node.js), every string goes to the TextDecoder.
 */
const latin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: unknown } } }).Buffer?.prototype
  .latin1Slice as ((this: Uint8Array, start: number, end: number) => string) | undefined;
/** Above this length the ASCII scan costs more than it saves. */
const SHORT_STRING = 64;

function readString(strict: boolean): string {
  const len = u32();
  const start = at;
  at += len;
  if (at > length) eof();
  if (len <= SHORT_STRING && latin1Slice !== undefined) {
    let ascii = true;
    for (let i = start; i < at; i++) {
      if ((input[i] as number) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return latin1Slice.call(input, start, at);
  }
  return decodeUtf8(input.subarray(start, at), strict);
}

const bigints = protoInt64.supported;

function int64(lo: number, hi: number): bigint | string {
  if (bigints && hi === 0) return BigInt(lo >>> 0);
  return protoInt64.dec(lo, hi);
}

function uint64(lo: number, hi: number): bigint | string {
  if (bigints && hi === 0) return BigInt(lo >>> 0);
  return protoInt64.uDec(lo, hi);
}

type Read = () => unknown;

/** The reader of one scalar type, producing the value protobuf-es's BinaryReader would. */
function scalarRead(type: ScalarType, strictUtf8: boolean, longAsString: boolean): Read {
  const read = scalarReadRaw(type, strictUtf8);
  return longAsString ? () => String(read()) : read;
}

function scalarReadRaw(type: ScalarType, strictUtf8: boolean): Read {
  switch (type) {
    case ScalarType.STRING:
      return () => readString(strictUtf8);
    case ScalarType.BOOL:
      return () => {
        v64();
        return lo64 !== 0 || hi64 !== 0;
      };
    case ScalarType.DOUBLE:
      return () => view().getFloat64(advance(8), true);
    case ScalarType.FLOAT:
      return () => view().getFloat32(advance(4), true);
    case ScalarType.INT32:
      return () => u32() | 0;
    case ScalarType.UINT32:
      return u32;
    case ScalarType.SINT32:
      return () => {
        const zigzag = u32();
        return (zigzag >>> 1) ^ -(zigzag & 1);
      };
    case ScalarType.FIXED32:
      return () => view().getUint32(advance(4), true);
    case ScalarType.SFIXED32:
      return () => view().getInt32(advance(4), true);
    case ScalarType.INT64:
      return () => {
        v64();
        return int64(lo64, hi64);
      };
    case ScalarType.UINT64:
      return () => {
        v64();
        return uint64(lo64, hi64);
      };
    case ScalarType.SINT64:
      return () => {
        v64();
        const sign = -(lo64 & 1);
        const lo = ((lo64 >>> 1) | ((hi64 & 1) << 31)) ^ sign;
        const hi = (hi64 >>> 1) ^ sign;
        return int64(lo, hi);
      };
    case ScalarType.FIXED64:
      return () => {
        const lo = view().getInt32(advance(4), true);
        const hi = view().getInt32(advance(4), true);
        return uint64(lo, hi);
      };
    case ScalarType.SFIXED64:
      return () => {
        const lo = view().getInt32(advance(4), true);
        const hi = view().getInt32(advance(4), true);
        return int64(lo, hi);
      };
    case ScalarType.BYTES:
      return lengthDelimited;
  }
}

/** A decoded message, written by field name. */
type Fields = Record<string, unknown> & { $typeName: string; $unknown?: UnknownField[] };
type UnknownField = { no: number; wireType: WireType; data: Uint8Array };
type FieldReader = (message: Fields, wireType: number, depth: number) => void;

interface DecodePlan {
  readonly desc: DescMessage;
  /** Makes an empty message exactly as protobuf-es `create(desc)` does (same prototype, same own keys). */
  create: () => Fields;
  /** Field readers by field number (sparse). */
  readers: (FieldReader | undefined)[];
}

const plans = new WeakMap<DescMessage, DecodePlan>();

function planOf(desc: DescMessage): DecodePlan {
  let plan = plans.get(desc);
  if (plan !== undefined) return plan;
  plan = { desc, create: zeroFactory(desc), readers: [] };
  // Registered before its fields are compiled, so that a recursive type finds its own (still filling) plan.
  plans.set(desc, plan);
  const readers: (FieldReader | undefined)[] = [];
  for (const field of desc.fields) readers[field.number] = compileField(field);
  plan.readers = readers;
  return plan;
}

// Own-property kinds of an empty message, other than `$typeName`.
const ZERO_LIST = 0;
const ZERO_MAP = 1;
const ZERO_ONEOF = 2;
const ZERO_BYTES = 3;
const ZERO_CONSTANT = 4;

function zeroFactory(desc: DescMessage): () => Fields {
  // protobuf-es decides, per message, between a plain object and one whose prototype holds proto2 defaults
  // (which is how it tells a set field from a default). Learning both from one `create` call keeps the two
  // in step, down to the order of own keys.
  const sample = create(desc) as unknown as Record<string, unknown>;
  const prototype = Object.getPrototypeOf(sample) as object;
  const plain = prototype === Object.prototype;
  const typeName = desc.typeName;
  const keys: string[] = [];
  const kinds: number[] = [];
  const constants: unknown[] = [];
  for (const key of Object.keys(sample)) {
    if (key === "$typeName") continue;
    const value = sample[key];
    let kind: number;
    if (Array.isArray(value)) kind = ZERO_LIST;
    else if (value instanceof Uint8Array) kind = ZERO_BYTES;
    else if (typeof value === "object" && value !== null) kind = "case" in value ? ZERO_ONEOF : ZERO_MAP;
    else kind = ZERO_CONSTANT;
    keys.push(key);
    kinds.push(kind);
    constants.push(value);
  }
  const count = keys.length;
  return () => {
    const message = (plain ? {} : Object.create(prototype)) as Fields;
    message.$typeName = typeName;
    for (let i = 0; i < count; i++) {
      const key = keys[i] as string;
      switch (kinds[i]) {
        case ZERO_LIST:
          message[key] = [];
          break;
        case ZERO_MAP:
          message[key] = {};
          break;
        case ZERO_ONEOF:
          message[key] = { case: undefined };
          break;
        case ZERO_BYTES:
          message[key] = new Uint8Array(0);
          break;
        default:
          message[key] = constants[i];
      }
    }
    return message;
  };
}

function readMessage(
  plan: DecodePlan,
  message: Fields,
  parentDepth: number,
  delimited: boolean,
  lengthOrFieldNo: number,
): void {
  const depth = parentDepth + 1;
  if (depth > RECURSION_LIMIT) {
    throw new Error(
      `cannot decode ${plan.desc} from binary: maximum recursion depth of ${RECURSION_LIMIT} reached`,
    );
  }
  const end = delimited ? length : at + lengthOrFieldNo;
  const readers = plan.readers;
  let fieldNo = 0;
  let wireType = -1;
  // protobuf-es collects unknown fields in the array the message had when reading began (a fresh one if none)
  // and stores it at the end; kept the same so that `$unknown` comes out identical.
  let unknown = message.$unknown;
  while (at < end) {
    readTag();
    fieldNo = tagNo;
    wireType = tagWire;
    if (delimited && wireType === WireType.EndGroup) break;
    const reader = readers[fieldNo];
    if (reader === undefined) {
      const data = skip(wireType, fieldNo, RECURSION_LIMIT - depth);
      if (unknown === undefined) unknown = [];
      unknown.push({ no: fieldNo, wireType, data });
      continue;
    }
    reader(message, wireType, depth);
  }
  if (delimited && (wireType !== WireType.EndGroup || fieldNo !== lengthOrFieldNo)) {
    throw new Error("invalid end group tag");
  }
  if (unknown !== undefined && unknown.length > 0) message.$unknown = unknown;
}

/** Reads one message value into `target` (a fresh message, or the one already there to merge into). */
function subMessageReader(
  desc: DescMessage,
  delimited: boolean,
  fieldNo: number,
): (target: Fields, depth: number) => Fields {
  const sub = planOf(desc);
  if (delimited) {
    return (target, depth) => {
      readMessage(sub, target, depth, true, fieldNo);
      return target;
    };
  }
  return (target, depth) => {
    readMessage(sub, target, depth, false, u32());
    return target;
  };
}

/** A varint as protobuf-es stores an unknown closed-enum value: the int32 re-encoded (ten bytes if negative). */
function int32Varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let v = value;
  if (v >= 0) {
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
  } else {
    for (let i = 0; i < 9; i++) {
      bytes.push((v & 0x7f) | 0x80);
      v >>= 7;
    }
    bytes.push(1);
  }
  return new Uint8Array(bytes);
}

function compileField(field: DescField): FieldReader {
  const name = field.localName;
  const oneof = field.oneof?.localName;
  /** Stores a singular value as protobuf-es's `set` does: a oneof gets a new `{ case, value }`. */
  const assign =
    oneof === undefined
      ? (m: Fields, value: unknown) => {
          m[name] = value;
        }
      : (m: Fields, value: unknown) => {
          m[oneof] = { case: name, value };
        };
  switch (field.fieldKind) {
    case "scalar": {
      const read = scalarRead(field.scalar, field.utf8Validation, field.longAsString);
      return (m) => assign(m, read());
    }
    case "enum": {
      if (field.enum.open) return (m) => assign(m, u32() | 0);
      // A closed (proto2) enum keeps an unknown number as an unknown field, not as the field's value.
      const known = new Set(field.enum.values.map((v) => v.number));
      const fieldNo = field.number;
      return (m, wireType) => {
        const value = u32() | 0;
        if (known.has(value)) {
          assign(m, value);
          return;
        }
        const unknown = m.$unknown ?? [];
        unknown.push({ no: fieldNo, wireType, data: int32Varint(value) });
        m.$unknown = unknown;
      };
    }
    case "message": {
      const read = subMessageReader(field.message, field.delimitedEncoding, field.number);
      const create = planOf(field.message).create;
      if (oneof === undefined) {
        // A message field seen twice is merged into the first, as protobuf-es does.
        return (m, _wire, depth) => {
          m[name] = read((m[name] as Fields | undefined) ?? create(), depth);
        };
      }
      return (m, _wire, depth) => {
        const selected = m[oneof] as { case?: string; value?: Fields };
        const previous = selected.case === name ? selected.value : undefined;
        m[oneof] = { case: name, value: read(previous ?? create(), depth) };
      };
    }
    case "list": {
      if (field.listKind === "message") {
        const read = subMessageReader(field.message, field.delimitedEncoding, field.number);
        const create = planOf(field.message).create;
        return (m, _wire, depth) => {
          (m[name] as unknown[]).push(read(create(), depth));
        };
      }
      const type = field.listKind === "scalar" ? field.scalar : ScalarType.INT32;
      const read = scalarRead(type, field.utf8Validation, field.listKind === "scalar" && field.longAsString);
      // Either encoding of a repeated number is accepted, whatever the descriptor says is written.
      const packable = type !== ScalarType.STRING && type !== ScalarType.BYTES;
      return (m, wireType) => {
        const list = m[name] as unknown[];
        if (packable && wireType === WireType.LengthDelimited) {
          const end = u32() + at;
          while (at < end) list.push(read());
          return;
        }
        list.push(read());
      };
    }
    case "map":
      return mapEntryReader(field);
  }
}

function mapEntryReader(field: DescField & { fieldKind: "map" }): FieldReader {
  const name = field.localName;
  const readKey = scalarRead(field.mapKey, field.utf8Validation, false);
  const zeroKey = scalarZero(field.mapKey);
  let readValue: (depth: number) => unknown;
  let zeroValue: () => unknown;
  switch (field.mapKind) {
    case "message": {
      // protobuf-es reads a map's message values as length-delimited ones (maps cannot be groups).
      const read = subMessageReader(field.message, false, 2);
      const create = planOf(field.message).create;
      readValue = (depth) => read(create(), depth);
      zeroValue = create;
      break;
    }
    case "enum": {
      readValue = () => u32() | 0;
      const first = field.enum.values[0]?.number ?? 0;
      zeroValue = () => first;
      break;
    }
    default: {
      const read = scalarRead(field.scalar, field.utf8Validation, false);
      readValue = read;
      const zero = scalarZero(field.scalar);
      zeroValue = () => (zero instanceof Uint8Array ? new Uint8Array(0) : zero);
    }
  }
  const longValue = field.mapKind === "scalar" && (field as { longAsString?: boolean }).longAsString === true;
  return (m, _wire, depth) => {
    const map = m[name] as Record<string, unknown>;
    let key: unknown;
    let value: unknown;
    const end = u32() + at;
    while (at < end) {
      readTag();
      // Like protobuf-es, only the key (1) and value (2) are read; other numbers are not skipped.
      if (tagNo === 1) key = readKey();
      else if (tagNo === 2) value = readValue(depth);
    }
    if (key === undefined) key = zeroKey;
    if (value === undefined) value = zeroValue();
    if (longValue) value = String(value);
    map[typeof key === "string" || typeof key === "number" ? key : String(key)] = value;
  };
}

/**
 * Decodes the protobuf binary format through a codec compiled once per message type, giving the same message
 * as protobuf-es `fromBinary(schema, bytes, { readUnknownFields: true })`: same `$typeName`, prototype and
 * own properties (so `isFieldSet`, `equals`, `toJson` and `create` see no difference), unknown fields kept in
 * `$unknown`, unknown closed-enum values kept as unknown fields, repeated message fields merged. Bytes that
 * protobuf-es rejects are rejected (truncated data, an illegal tag, a bad end-group tag). Schemas that use
 * google.protobuf wrapper or Struct fields are passed to `fromBinary` unchanged.
 *
 * @example
 * ```ts
 * const event = decodeBinary(scheduler.EventSchema, bytes);
 * if (event.type === scheduler.Event_Type.UPDATE) console.log(event.update?.status?.state);
 * ```
 */
export function decodeBinary<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  if (!isCompilable(schema)) return fromBinary(schema, bytes, { readUnknownFields: true });
  const plan = planOf(schema);
  const message = plan.create();
  input = bytes;
  at = 0;
  length = bytes.length;
  inputView = undefined;
  decodeUtf8 = getTextEncoding().decodeUtf8;
  try {
    readMessage(plan, message, 0, false, bytes.byteLength);
  } finally {
    // Not holding on to the caller's buffer after the call.
    input = EMPTY;
    inputView = undefined;
  }
  return message as unknown as MessageShape<Desc>;
}
