import { type DescMessage, type JsonValue, ScalarType } from "@bufbuild/protobuf";

const INT64_TYPES: ReadonlySet<ScalarType> = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);
/** A prefix no proto3 JSON string can start with (a NUL), so only values we marked are unquoted. */
const MARK = "\u0000int64:";
const MARKED = /"\\u0000int64:(-?\d+)"/g;

/**
 * Serializes protobuf-es JSON the way Mesos writes it: int64 and uint64 values as bare JSON numbers with every
 * digit kept (`"nanoseconds":9007199254740993`), where the proto3 mapping writes strings. A real master writes
 * numbers and mesos-go's decoder rejects strings; Mesos itself reads both, so one form serves both directions.
 *
 * @param schema - the message type `json` was produced from (it says which fields are 64-bit).
 * @param json - the output of `toJson(schema, message, { useProtoFieldName: true })`; it is modified.
 */
export function stringifyMesosJson(schema: DescMessage, json: JsonValue): string {
  return JSON.stringify(markInt64(schema, json)).replace(MARKED, "$1");
}

function markInt64(schema: DescMessage, json: JsonValue): JsonValue {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return json;
  for (const field of schema.fields) {
    const value = json[field.name];
    if (value === undefined || value === null) continue;
    if (field.fieldKind === "scalar" && INT64_TYPES.has(field.scalar)) {
      json[field.name] = `${MARK}${String(value)}`;
    } else if (field.fieldKind === "list" && field.listKind === "scalar" && INT64_TYPES.has(field.scalar)) {
      json[field.name] = (value as JsonValue[]).map((item) => `${MARK}${String(item)}`);
    } else if (field.fieldKind === "message") {
      markInt64(field.message, value);
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      for (const item of value as JsonValue[]) markInt64(field.message, item);
    } else if (field.fieldKind === "map" && typeof value === "object" && !Array.isArray(value)) {
      for (const key of Object.keys(value)) {
        if (field.mapKind === "message") markInt64(field.message, value[key] as JsonValue);
        else if (field.mapKind === "scalar" && INT64_TYPES.has(field.scalar))
          value[key] = `${MARK}${String(value[key])}`;
      }
    }
  }
  return json;
}
