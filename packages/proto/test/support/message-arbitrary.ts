import { create, type DescField, type DescMessage, type MessageShape, ScalarType } from "@bufbuild/protobuf";
import fc from "fast-check";
import { file_mesos_v1_executor_executor } from "../../src/gen/mesos/v1/executor/executor_pb.js";
import { file_mesos_v1_mesos } from "../../src/gen/mesos/v1/mesos_pb.js";
import { file_mesos_v1_scheduler_scheduler } from "../../src/gen/mesos/v1/scheduler/scheduler_pb.js";

/** Every message type of the generated Mesos v1 registry, nested ones included. */
export function allMessageTypes(): DescMessage[] {
  const all: DescMessage[] = [];
  const visit = (desc: DescMessage) => {
    all.push(desc);
    for (const nested of desc.nestedMessages) visit(nested);
  };
  for (const file of [
    file_mesos_v1_mesos,
    file_mesos_v1_scheduler_scheduler,
    file_mesos_v1_executor_executor,
  ]) {
    for (const desc of file.messages) visit(desc);
  }
  return all;
}

const LEGACY_REQUIRED = 3;

function scalarArbitrary(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.DOUBLE:
      return fc.double();
    case ScalarType.FLOAT:
      // Mostly float32 values; some doubles that round, and a few beyond float32's range (refused by both).
      return fc.oneof(
        { weight: 8, arbitrary: fc.float() },
        { weight: 2, arbitrary: fc.double({ min: -1e30, max: 1e30, noNaN: true }) },
        { weight: 1, arbitrary: fc.constantFrom(1e39, -1e39) },
      );
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof(fc.integer({ min: -200, max: 200 }), fc.integer());
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffffffff }));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.oneof(
        fc.bigInt({ min: -300n, max: 300n }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      );
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.oneof(fc.bigInt({ min: 0n, max: 70_000n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return fc.oneof(
        { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
        // Any code unit, lone surrogates included (TextEncoder writes them as U+FFFD).
        { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
        { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 40, maxLength: 200 }) },
        { weight: 1, arbitrary: fc.string({ minLength: 130, maxLength: 300 }) },
      );
    case ScalarType.BYTES:
      return fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 120, maxLength: 200 }));
  }
}

function mapKeyArbitrary(type: ScalarType): fc.Arbitrary<string> {
  if (type === ScalarType.STRING) return fc.string({ maxLength: 10 });
  if (type === ScalarType.BOOL) return fc.constantFrom("true", "false");
  return fc.integer({ min: -50, max: 50 }).map(String);
}

function enumArbitrary(values: readonly { number: number }[]): fc.Arbitrary<number> {
  // Mostly declared numbers; sometimes one the enum does not declare (a closed enum keeps it as unknown).
  return fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...values.map((v) => v.number)) },
    { weight: 1, arbitrary: fc.integer({ min: -5, max: 5000 }) },
  );
}

/**
 * Random messages of one type, as protobuf-es `create` builds them: optional fields set or not, oneofs on any
 * member or none, lists and maps of up to three entries, unknown closed-enum numbers now and then, required
 * fields occasionally left out (so that encoding must refuse). Nesting stops at `maxDepth`, except for
 * required fields, which go a few levels further so that most messages stay encodable.
 */
export function messageArbitrary<Desc extends DescMessage>(
  desc: Desc,
  maxDepth = 3,
): fc.Arbitrary<MessageShape<Desc>> {
  const memo = new Map<string, fc.Arbitrary<unknown>>();
  const build = (d: DescMessage, depth: number): fc.Arbitrary<unknown> => {
    const key = `${d.typeName}@${depth}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    // Depth only grows, so building eagerly terminates, recursive types included.
    const arbitrary = initArbitrary(d, depth).map((init) => create(d, init as never));
    memo.set(key, arbitrary);
    return arbitrary;
  };
  const initArbitrary = (d: DescMessage, depth: number): fc.Arbitrary<Record<string, unknown>> => {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    const requiredKeys: string[] = [];
    const element = (field: DescField): fc.Arbitrary<unknown> | undefined => {
      const required = field.presence === LEGACY_REQUIRED;
      const nestedOk = depth < maxDepth || (required && depth < maxDepth + 4);
      switch (field.fieldKind) {
        case "scalar":
          return scalarArbitrary(field.scalar);
        case "enum":
          return enumArbitrary(field.enum.values);
        case "message":
          return nestedOk ? build(field.message, depth + 1) : undefined;
        case "list": {
          const item =
            field.listKind === "scalar"
              ? scalarArbitrary(field.scalar)
              : field.listKind === "enum"
                ? enumArbitrary(field.enum.values)
                : depth < maxDepth
                  ? build(field.message, depth + 1)
                  : undefined;
          return item === undefined ? undefined : fc.array(item, { maxLength: 3 });
        }
        case "map": {
          const value =
            field.mapKind === "scalar"
              ? scalarArbitrary(field.scalar)
              : field.mapKind === "enum"
                ? enumArbitrary(field.enum.values)
                : depth < maxDepth
                  ? build(field.message, depth + 1)
                  : undefined;
          return value === undefined
            ? undefined
            : fc.dictionary(mapKeyArbitrary(field.mapKey), value, { maxKeys: 3 });
        }
      }
    };
    for (const field of d.fields) {
      if (field.oneof !== undefined) continue;
      const arbitrary = element(field);
      if (arbitrary === undefined) continue;
      model[field.localName] = arbitrary;
      if (field.presence === LEGACY_REQUIRED) requiredKeys.push(field.localName);
    }
    for (const oneof of d.oneofs) {
      const choices: fc.Arbitrary<unknown>[] = [fc.constant({ case: undefined })];
      for (const field of oneof.fields) {
        const arbitrary = element(field);
        if (arbitrary !== undefined)
          choices.push(arbitrary.map((value) => ({ case: field.localName, value })));
      }
      model[oneof.localName] = fc.oneof(...choices);
    }
    const record = fc.record(model, { requiredKeys: [] });
    if (requiredKeys.length === 0) return record;
    // Required fields are present 49 times in 50; otherwise any subset of them may be missing.
    return fc
      .tuple(
        record,
        fc.record(Object.fromEntries(requiredKeys.map((k) => [k, model[k] as fc.Arbitrary<unknown>]))),
        fc.integer({ min: 0, max: 49 }),
      )
      .map(([optional, required, dice]) => (dice === 0 ? optional : { ...optional, ...required }));
  };
  return build(desc, 0) as fc.Arbitrary<MessageShape<Desc>>;
}
