import type { DescMessage } from "@bufbuild/protobuf";

const CAMEL_KEY = /"[a-z0-9]+[A-Z][A-Za-z0-9]*"\s*:/;

/**
 * Mesos's JSON parser knows only proto (snake_case) field names and silently ignores any other key, so a
 * camelCase `frameworkId` is dropped. protobuf-es would accept it; this removes such keys first so the call
 * fails the way it fails on Mesos. Bodies without a camelCase-looking key are returned untouched.
 *
 * @example
 * ```ts
 * const body = dropNonProtoKeys(scheduler.CallSchema, rawBody);
 * ```
 */
export function dropNonProtoKeys(schema: DescMessage, body: Buffer): Buffer {
  const text = body.toString("utf8");
  if (!CAMEL_KEY.test(text)) return body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return body;
  }
  return Buffer.from(JSON.stringify(prune(schema, value)), "utf8");
}

function prune(schema: DescMessage, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const field = schema.fields.find((f) => f.name === key);
    if (field === undefined) continue;
    const message =
      field.fieldKind === "message" ? field.message : field.fieldKind === "list" ? field.message : undefined;
    if (message === undefined) out[key] = item;
    else if (Array.isArray(item)) out[key] = item.map((i) => prune(message, i));
    else out[key] = prune(message, item);
  }
  return out;
}
