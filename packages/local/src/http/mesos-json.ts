import { type DescMessage, type MessageShape, ScalarType, toJson } from "@bufbuild/protobuf";
import { type CodecName, type MessageCodec, messageCodec } from "@satyr/proto";

const INT64_TYPES = new Set<ScalarType>([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);
const MARK = "\u0000int64:";
const MARKED = /"\\u0000int64:(-?\d+)"/g;

/**
 * The codec a master or agent writes events with. Protobuf is @satyr/proto's; JSON is @satyr/proto's output
 * with one change Mesos clients depend on: int64/uint64 values are bare JSON numbers (`"begin":31000`), as a
 * real master writes them, not the proto3 mapping's strings (mesos-go's JSON decoder rejects those). Decoding
 * is @satyr/proto's, which reads both.
 *
 * @example
 * ```ts
 * const codec = mesosEventCodec(scheduler.EventSchema, "json");
 * stream.write(encodeRecord(codec.encode(event)));
 * ```
 */
export function mesosEventCodec<Desc extends DescMessage>(
  schema: Desc,
  name: CodecName,
): MessageCodec<MessageShape<Desc>> {
  const base = messageCodec(schema, name);
  if (name !== "json") return base;
  const encoder = new TextEncoder();
  return {
    name: base.name,
    contentType: base.contentType,
    decode: base.decode,
    encode: (message) => {
      const json = markInt64(schema, toJson(schema, message, { useProtoFieldName: true }));
      return encoder.encode(JSON.stringify(json).replace(MARKED, "$1"));
    },
  };
}

/** Replaces every int64 value (a decimal string in proto3 JSON) by a marker the serializer turns into a number. */
function markInt64(schema: DescMessage, json: unknown): unknown {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return json;
  const object = json as Record<string, unknown>;
  for (const field of schema.fields) {
    const value = object[field.name];
    if (value === undefined) continue;
    if (field.fieldKind === "scalar" && INT64_TYPES.has(field.scalar)) {
      object[field.name] = `${MARK}${String(value)}`;
    } else if (field.fieldKind === "list" && field.listKind === "scalar" && INT64_TYPES.has(field.scalar)) {
      object[field.name] = (value as unknown[]).map((v) => `${MARK}${String(v)}`);
    } else if (field.fieldKind === "message") {
      markInt64(field.message, value);
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      for (const item of value as unknown[]) markInt64(field.message, item);
    }
  }
  return object;
}
