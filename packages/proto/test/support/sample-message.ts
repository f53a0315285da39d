import {
  create,
  type DescEnum,
  type DescField,
  type DescMessage,
  type MessageShape,
  ScalarType,
} from "@bufbuild/protobuf";

/** An int64 value JSON numbers cannot hold exactly (2^60 + 7). */
export const BIG_INT64 = 2n ** 60n + 7n;

function scalarSample(type: ScalarType, seed: number): unknown {
  switch (type) {
    case ScalarType.DOUBLE:
      return 0.1 + seed;
    case ScalarType.FLOAT:
      return 1.5 + seed;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return -(BIG_INT64 + BigInt(seed));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return BIG_INT64 + BigInt(seed);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return -1000 - seed;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return 4_000_000_000 + seed;
    case ScalarType.BOOL:
      return true;
    case ScalarType.STRING:
      return `välue-${seed} ✓`;
    case ScalarType.BYTES:
      return Uint8Array.of(0, 255, 0x80 + seed, 62, 63);
  }
}

function enumSample(desc: DescEnum, seed: number): number {
  // A non-zero value where there is one, so that it is written on the wire and in JSON.
  const values = desc.values.filter((v) => v.number !== 0);
  const pick = values[seed % Math.max(values.length, 1)] ?? desc.values[0];
  return pick?.number ?? 0;
}

function mapKeySample(type: ScalarType): string {
  if (type === ScalarType.STRING) return "key";
  if (type === ScalarType.BOOL) return "true";
  return "7";
}

/**
 * A message of the given schema with every field set: lists with two elements, maps with one entry, the first
 * member of each oneof; message fields recurse up to `maxDepth` levels (deeper ones stay unset, which also
 * ends recursive types).
 */
export function sampleMessage<Desc extends DescMessage>(
  schema: Desc,
  maxDepth = 3,
  seed = 0,
): MessageShape<Desc> {
  return fill(schema, 0, maxDepth, seed) as MessageShape<Desc>;
}

function fill(schema: DescMessage, depth: number, maxDepth: number, seed: number): unknown {
  const element = (field: DescField, s: number): unknown => {
    switch (field.fieldKind) {
      case "scalar":
        return scalarSample(field.scalar, s);
      case "enum":
        return enumSample(field.enum, s);
      case "message":
        return fill(field.message, depth + 1, maxDepth, s);
      case "list":
        if (field.listKind === "scalar") return scalarSample(field.scalar, s);
        if (field.listKind === "enum") return enumSample(field.enum, s);
        return fill(field.message, depth + 1, maxDepth, s);
      case "map":
        if (field.mapKind === "scalar") return scalarSample(field.scalar, s);
        if (field.mapKind === "enum") return enumSample(field.enum, s);
        return fill(field.message, depth + 1, maxDepth, s);
    }
  };
  const nests = (field: DescField): boolean =>
    field.fieldKind === "message" ||
    (field.fieldKind === "list" && field.listKind === "message") ||
    (field.fieldKind === "map" && field.mapKind === "message");

  const init: Record<string, unknown> = {};
  const oneofs = new Set<string>();
  for (const field of schema.fields) {
    // Required fields are filled at any depth (encoding refuses a message without them); a hard limit still
    // ends recursive types.
    const required = field.presence === 3; // FeatureSet_FieldPresence.LEGACY_REQUIRED
    if (nests(field) && depth >= maxDepth && !(required && depth < maxDepth + 6)) continue;
    let value: unknown;
    if (field.fieldKind === "list") value = [element(field, seed), element(field, seed + 1)];
    else if (field.fieldKind === "map") value = { [mapKeySample(field.mapKey)]: element(field, seed) };
    else value = element(field, seed);
    if (field.oneof !== undefined) {
      if (oneofs.has(field.oneof.localName)) continue;
      oneofs.add(field.oneof.localName);
      init[field.oneof.localName] = { case: field.localName, value };
    } else {
      init[field.localName] = value;
    }
  }
  return create(schema, init as never);
}
