import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { getTextEncoding } from "@bufbuild/protobuf/wire";
import { installFastUtf8 } from "../src/fast-utf8.js";
import { TaskIDSchema } from "../src/index.js";

const samples = [
  "",
  "task-1",
  "1f3b0c2e-8d4a-4a0b-9c53-6f3c5a1b2d7e",
  "x".repeat(64),
  "x".repeat(65),
  "tâche-été",
  "emoji 🚀 in an id",
  "lone \ud800 surrogate",
  "\u007f\u0080",
];

describe("installFastUtf8", () => {
  beforeAll(() => installFastUtf8());

  it.each(samples)("encodes %j exactly as TextEncoder does", (text) => {
    expect(getTextEncoding().encodeUtf8(text)).toEqual(new TextEncoder().encode(text));
  });

  it.each(samples)("round-trips %j through a protobuf string field", (text) => {
    const bytes = toBinary(TaskIDSchema, create(TaskIDSchema, { value: text }));
    expect(fromBinary(TaskIDSchema, bytes).value).toBe(
      new TextDecoder().decode(new TextEncoder().encode(text)),
    );
  });

  it("installs once, however often it is called", () => {
    const first = getTextEncoding().encodeUtf8;
    installFastUtf8();
    expect(getTextEncoding().encodeUtf8).toBe(first);
  });
});
