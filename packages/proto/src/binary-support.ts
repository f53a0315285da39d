import { type DescField, type DescMessage, protoInt64, ScalarType } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";

/** google.protobuf.FeatureSet.FieldPresence values, as the descriptors carry them. */
export const IMPLICIT = 2;
export const LEGACY_REQUIRED = 3;

/**
 * Well-known types protobuf-es represents differently from a plain message when they are a field's type
 * (wrappers are unwrapped to a scalar, Struct becomes a JSON object). The compiled codecs do not model that,
 * so a schema reaching any of them keeps the reflective protobuf-es path.
 */
const SPECIAL_WKT = new Set([
  "google.protobuf.Struct",
  "google.protobuf.DoubleValue",
  "google.protobuf.FloatValue",
  "google.protobuf.Int64Value",
  "google.protobuf.UInt64Value",
  "google.protobuf.Int32Value",
  "google.protobuf.UInt32Value",
  "google.protobuf.BoolValue",
  "google.protobuf.StringValue",
  "google.protobuf.BytesValue",
]);

const compilable = new WeakMap<DescMessage, boolean>();

/**
 * Whether every message type reachable from `desc` is plain enough for the compiled codecs.
 */
export function isCompilable(desc: DescMessage): boolean {
  const known = compilable.get(desc);
  if (known !== undefined) return known;
  // Assume yes while visiting, so that recursive types terminate; a "no" anywhere below overrides it.
  compilable.set(desc, true);
  let ok = true;
  for (const field of desc.fields) {
    const message = messageOf(field);
    if (message === undefined) continue;
    if (SPECIAL_WKT.has(message.typeName) || !isCompilable(message)) {
      ok = false;
      break;
    }
  }
  compilable.set(desc, ok);
  return ok;
}

/** The message type of a message, message-list or message-map field. */
export function messageOf(field: DescField): DescMessage | undefined {
  switch (field.fieldKind) {
    case "message":
      return field.message;
    case "list":
      return field.listKind === "message" ? field.message : undefined;
    case "map":
      return field.mapKind === "message" ? field.message : undefined;
    default:
      return undefined;
  }
}

/** The wire type a scalar is written with (enums are int32 varints). */
export function wireTypeOf(type: ScalarType): WireType {
  switch (type) {
    case ScalarType.BYTES:
    case ScalarType.STRING:
      return WireType.LengthDelimited;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
    case ScalarType.FLOAT:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}

/** Whether a scalar type is one of the five 64-bit integer types (bigint, or string with jstype=JS_STRING). */
export function is64Bit(type: ScalarType): boolean {
  return (
    type === ScalarType.INT64 ||
    type === ScalarType.UINT64 ||
    type === ScalarType.SINT64 ||
    type === ScalarType.FIXED64 ||
    type === ScalarType.SFIXED64
  );
}

/**
 * The zero value of a scalar type (not the field's declared default), as protobuf-es uses for map entries.
 *
 * @example
 * ```ts
 * scalarZero(ScalarType.INT64); // 0n
 * ```
 */
export function scalarZero(type: ScalarType): unknown {
  switch (type) {
    case ScalarType.STRING:
      return "";
    case ScalarType.BOOL:
      return false;
    case ScalarType.BYTES:
      return new Uint8Array(0);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return protoInt64.zero;
    default:
      return 0;
  }
}
