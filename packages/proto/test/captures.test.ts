import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type DescMessage, toJson } from "@bufbuild/protobuf";
import { type ApiCodecs, executorCodecs, readRecords, scheduler, schedulerCodecs } from "../src/index.js";

// The shared reference directory sits next to the repository: <repo>/../shared.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const captures = path.resolve(repoRoot, "..", "shared", "reference", "mesos-captures");
const present = existsSync(captures);
if (!present) {
  console.warn(
    `Skipping the Mesos capture tests: ${captures} does not exist (the shared reference directory).`,
  );
}
const describeIfPresent = present ? describe : describe.skip;

type AnyCodecs = ApiCodecs<unknown, unknown>;

function codecsFor(file: string): AnyCodecs {
  const codec = file.includes(".protobuf.") ? "protobuf" : "json";
  return (file.startsWith("executor") ? executorCodecs(codec) : schedulerCodecs(codec)) as AnyCodecs;
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Every record of a capture, split in odd-sized chunks as a network would. */
async function recordsOf(file: string, chunkSize: number): Promise<Uint8Array[]> {
  const bytes = new Uint8Array(readFileSync(path.join(captures, file)));
  const records: Uint8Array[] = [];
  for await (const record of readRecords(chunksOf(bytes, chunkSize))) records.push(Uint8Array.from(record));
  return records;
}

/** The text of each record, for comparing parses independent of our codec. */
const utf8 = new TextDecoder();

/** Normalises the JSON Mesos writes to what protobuf-es writes: int64 as strings, 32.0 as 32. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

describeIfPresent("recorded Apache Mesos traffic", () => {
  const files = present ? readdirSync(captures).filter((f) => f.endsWith(".recordio")) : [];

  it("has the recordings the tests expect", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "scheduler-subscribe.json.recordio",
        "scheduler-subscribe.protobuf.recordio",
        "executor-subscribe.json.recordio",
        "scheduler-executor-kill-reconcile-takeover.json.recordio",
      ]),
    );
  });

  describe.each(files)("%s", (file) => {
    it("decodes record for record, whatever the chunking", async () => {
      const codecs = codecsFor(file);
      const whole = await recordsOf(file, 1 << 20);
      expect(whole.length).toBeGreaterThan(0);
      for (const size of [1, 7, 64, 4096]) expect(await recordsOf(file, size)).toEqual(whole);
      for (const record of whole) {
        const event = codecs.event.decode(record) as { type: number };
        expect(event.type).toBeGreaterThan(0);
      }
    });

    if (file.includes(".json.")) {
      it("loses no field: each event re-encodes to the JSON Mesos sent", async () => {
        const codecs = codecsFor(file);
        const schema = (file.startsWith("executor") ? "executor" : "scheduler") as "executor" | "scheduler";
        for (const record of await recordsOf(file, 4096)) {
          const event = codecs.event.decode(record);
          const again = JSON.parse(utf8.decode(codecs.event.encode(event)));
          expect({ schema, event: normalise(again) }).toEqual({
            schema,
            event: normalise(JSON.parse(utf8.decode(record))),
          });
        }
      });
    }
  });

  it("reads the scheduler SUBSCRIBE stream as Mesos described it", async () => {
    const { event } = schedulerCodecs("protobuf");
    const events = (await recordsOf("scheduler-subscribe.protobuf.recordio", 100)).map((r) =>
      event.decode(r),
    );
    const first = events[0];
    expect(first?.type).toBe(scheduler.Event_Type.SUBSCRIBED);
    expect(first?.subscribed?.heartbeatIntervalSeconds).toBe(15);
    expect(first?.subscribed?.masterInfo?.address?.ip).toBe("127.0.0.1");
    expect(events.map((e) => scheduler.Event_Type[e.type])).toEqual(expect.arrayContaining(["HEARTBEAT"]));
  });

  it("protobuf events carry no field our schema does not know", async () => {
    const { event } = schedulerCodecs("protobuf");
    for (const record of await recordsOf("scheduler-subscribe.protobuf.recordio", 100)) {
      const decoded = event.decode(record);
      expect(unknownFieldPaths(scheduler.EventSchema, decoded)).toEqual([]);
    }
  });

  describe("scenario event logs (JSON lines)", () => {
    const dir = path.join(captures, "scenarios");
    const logs = present && existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")) : [];
    it.each(logs)("%s decodes line by line", (file) => {
      const codecs = (
        file.startsWith("executor") ? executorCodecs("json") : schedulerCodecs("json")
      ) as AnyCodecs;
      const lines = readFileSync(path.join(dir, file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        // `_t` (seconds since SUBSCRIBE) was added by the recorder: an unknown field, ignored.
        const event = codecs.event.decode(new TextEncoder().encode(line)) as object;
        expect(event).toBeDefined();
      }
    });
  });
});

/** Paths of fields kept as unknown (present on the wire, absent from our schema), for diagnostics. */
function unknownFieldPaths(schema: DescMessage, message: unknown, at = ""): string[] {
  const found: string[] = [];
  const record = message as Record<string, unknown> & { $unknown?: { no: number }[] };
  for (const unknown of record.$unknown ?? []) found.push(`${at}#${unknown.no}`);
  for (const field of schema.fields) {
    const value = record[field.localName];
    if (field.fieldKind === "message" && value !== undefined) {
      found.push(...unknownFieldPaths(field.message, value, `${at}.${field.name}`));
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      (value as unknown[]).forEach((item, i) => {
        found.push(...unknownFieldPaths(field.message, item, `${at}.${field.name}[${i}]`));
      });
    }
  }
  return found;
}

// Keep toJson referenced for readers comparing by hand in a debugger.
void toJson;
