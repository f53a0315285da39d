import { type DescField, type DescMessage, isFieldSet, type Message } from "@bufbuild/protobuf";

/**
 * A message in protobuf text format, fields in number order, as Mesos embeds ExecutorInfos in its
 * "not compatible" TASK_ERROR message.
 *
 * @example
 * ```ts
 * textFormat(ExecutorInfoSchema, executor); // 'executor_id {\n  value: "x"\n}\n…'
 * ```
 */
export function textFormat(schema: DescMessage, message: Message, indent = ""): string {
  const fields = [...schema.fields].sort((a, b) => a.number - b.number);
  let out = "";
  for (const field of fields) {
    if (!isFieldSet(message, field)) continue;
    const value = (message as unknown as Record<string, unknown>)[field.localName];
    const values = field.fieldKind === "list" ? (value as unknown[]) : [value];
    for (const item of values) out += formatField(field, item, indent);
  }
  return out;
}

function formatField(field: DescField, value: unknown, indent: string): string {
  const messageDesc =
    field.fieldKind === "message" ? field.message : field.fieldKind === "list" ? field.message : undefined;
  if (messageDesc !== undefined) {
    return `${indent}${field.name} {\n${textFormat(messageDesc, value as Message, `${indent}  `)}${indent}}\n`;
  }
  const enumDesc =
    field.fieldKind === "enum" ? field.enum : field.fieldKind === "list" ? field.enum : undefined;
  if (enumDesc !== undefined) {
    const name = enumDesc.values.find((v) => v.number === value)?.name ?? String(value);
    return `${indent}${field.name}: ${name}\n`;
  }
  if (typeof value === "string") return `${indent}${field.name}: ${JSON.stringify(value)}\n`;
  if (value instanceof Uint8Array)
    return `${indent}${field.name}: ${JSON.stringify(Buffer.from(value).toString("latin1"))}\n`;
  return `${indent}${field.name}: ${String(value)}\n`;
}
