/**
 * Decoding throughput and memory of a recorded scheduler event stream: 100,000 OFFERS and UPDATE events,
 * RecordIO-framed, in protobuf and in JSON, read from a file in 64 KiB chunks through `readRecords` and the
 * event codec, the way a SUBSCRIBE response body is consumed.
 *
 * Each codec runs in a fresh Node.js process, so that its memory figures are its own. Peak RSS and heap are
 * sampled every 1,000 events and reported at 10k, 50k and 100k events: flat figures mean the stream is decoded
 * incrementally, never buffered whole (the files are tens of MB).
 *
 * Run: `pnpm bench` in packages/proto.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import {
  type CodecName,
  encodeRecord,
  readRecords,
  scheduler,
  schedulerCodecs,
  TaskState,
  TaskStatus_Reason,
  TaskStatus_Source,
  Value_Type,
} from "../src/index.js";

const EVENTS = 100_000;
const CHECKPOINTS = [10_000, 50_000, 100_000];
const CHUNK_BYTES = 64 * 1024;

function offersEvent(i: number): scheduler.Event {
  const scalar = (name: string, value: number) => ({
    name,
    type: Value_Type.SCALAR,
    scalar: { value },
    allocationInfo: { role: "*" },
  });
  return create(scheduler.EventSchema, {
    type: scheduler.Event_Type.OFFERS,
    offers: {
      offers: [
        {
          id: { value: `60a26bd7-1523-4513-9dad-537df62bf032-O${i}` },
          frameworkId: { value: "60a26bd7-1523-4513-9dad-537df62bf032-0008" },
          agentId: { value: `60a26bd7-1523-4513-9dad-537df62bf032-S${i % 50}` },
          hostname: `agent-${i % 50}.cluster.example`,
          url: {
            scheme: "http",
            address: { hostname: `agent-${i % 50}.cluster.example`, ip: "10.0.0.7", port: 5051 },
            path: "/slave(1)",
          },
          resources: [
            scalar("cpus", 8),
            scalar("mem", 31_744),
            scalar("disk", 470_000),
            {
              name: "ports",
              type: Value_Type.RANGES,
              ranges: { range: [{ begin: 31000n, end: 32000n }] },
              allocationInfo: { role: "*" },
            },
          ],
          attributes: [
            { name: "rack", type: Value_Type.TEXT, text: { value: `r${i % 8}` } },
            { name: "zone", type: Value_Type.TEXT, text: { value: "eu-west-1a" } },
          ],
          allocationInfo: { role: "*" },
        },
      ],
    },
  });
}

function updateEvent(i: number): scheduler.Event {
  const uuid = new Uint8Array(16);
  for (let b = 0; b < 16; b++) uuid[b] = (i * 31 + b * 7) & 0xff;
  return create(scheduler.EventSchema, {
    type: scheduler.Event_Type.UPDATE,
    update: {
      status: {
        taskId: { value: `satyr-task-${i}` },
        state: i % 3 === 0 ? TaskState.TASK_FINISHED : TaskState.TASK_RUNNING,
        source: TaskStatus_Source.EXECUTOR,
        reason: TaskStatus_Reason.COMMAND_EXECUTOR_FAILED,
        message: "task finished",
        agentId: { value: `60a26bd7-1523-4513-9dad-537df62bf032-S${i % 50}` },
        executorId: { value: "satyr-executor" },
        timestamp: 1_764_140_000 + i / 1000,
        uuid,
        data: new Uint8Array(96).fill(i & 0xff),
        containerStatus: {
          containerId: { value: `c0ffee-${i}` },
          networkInfos: [{ ipAddresses: [{ ipAddress: "10.0.0.7" }] }],
          executorPid: 4242,
        },
      },
    },
  });
}

/** Writes the stream without holding it: one record at a time, respecting the file stream's backpressure. */
async function writeStream(file: string, codec: CodecName): Promise<void> {
  const { event } = schedulerCodecs(codec);
  const out = createWriteStream(file);
  for (let i = 0; i < EVENTS; i++) {
    const record = encodeRecord(event.encode(i % 2 === 0 ? offersEvent(i) : updateEvent(i)));
    if (!out.write(record)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

interface Checkpoint {
  events: number;
  seconds: number;
  peakRssMiB: number;
  peakHeapMiB: number;
}

interface RunResult {
  codec: CodecName;
  bytes: number;
  events: number;
  seconds: number;
  checkpoints: Checkpoint[];
}

const MiB = 1024 * 1024;

/** The measured part: runs in its own process (see main). */
async function measure(codec: CodecName, file: string): Promise<RunResult> {
  const { event } = schedulerCodecs(codec);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const checkpoints: Checkpoint[] = [];
  let events = 0;
  let offers = 0;
  const start = process.hrtime.bigint();
  const source = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  for await (const record of readRecords(source)) {
    const decoded = event.decode(record);
    // Touch the decoded event so the work cannot be skipped.
    if (decoded.type === scheduler.Event_Type.OFFERS) offers += decoded.offers?.offers.length ?? 0;
    events++;
    if (events % 1000 === 0) sample();
    if (CHECKPOINTS.includes(events)) {
      checkpoints.push({
        events,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
        peakRssMiB: peakRss / MiB,
        peakHeapMiB: peakHeap / MiB,
      });
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (events !== EVENTS || offers !== EVENTS / 2) {
    throw new Error(`decoded ${events} events and ${offers} offers, expected ${EVENTS} and ${EVENTS / 2}`);
  }
  return { codec, bytes: statSync(file).size, events, seconds, checkpoints };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

function printTable(results: RunResult[]): void {
  const header = [
    "codec",
    "events",
    "stream MB",
    "seconds",
    "events/s",
    "MB/s",
    "peak RSS MiB",
    "peak heap MiB",
  ];
  const widths = [10, 8, 10, 8, 10, 8, 13, 14];
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i] ?? 8)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of results) {
    for (const c of r.checkpoints) {
      const bytesSoFar = (r.bytes * c.events) / r.events;
      console.log(
        line([
          r.codec,
          String(c.events),
          (bytesSoFar / 1e6).toFixed(1),
          c.seconds.toFixed(2),
          Math.round(c.events / c.seconds).toLocaleString("en-US"),
          (bytesSoFar / 1e6 / c.seconds).toFixed(1),
          c.peakRssMiB.toFixed(1),
          c.peakHeapMiB.toFixed(1),
        ]),
      );
    }
  }
}

async function main(): Promise<void> {
  const [mode, codecArg, fileArg] = process.argv.slice(2);
  if (mode === "--measure") {
    const result = await measure(codecArg as CodecName, fileArg ?? "");
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "satyr-proto-bench-"));
  try {
    const results: RunResult[] = [];
    for (const codec of ["protobuf", "json"] as const) {
      const file = path.join(dir, `events.${codec}.recordio`);
      await writeStream(file, codec);
      const self = fileURLToPath(import.meta.url);
      const child = spawnSync(process.execPath, ["--expose-gc", self, "--measure", codec, file], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) throw new Error(`measuring ${codec} failed:\n${child.stderr}`);
      results.push(JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "") as RunResult);
      rmSync(file);
    }
    console.log(
      `Decoding ${EVENTS.toLocaleString("en-US")} scheduler events (half OFFERS, half UPDATE), RecordIO-framed, ` +
        `streamed from a file in ${CHUNK_BYTES / 1024} KiB chunks through readRecords + the event codec ` +
        `(Node.js ${process.version}). Figures are cumulative at each checkpoint; peaks are sampled every 1,000 events.\n`,
    );
    printTable(results);
    for (const r of results) {
      const first = r.checkpoints[0];
      const last = r.checkpoints.at(-1);
      if (first !== undefined && last !== undefined) {
        console.log(
          `${r.codec}: stream of ${(r.bytes / 1e6).toFixed(1)} MB; peak RSS grew ` +
            `${(last.peakRssMiB - first.peakRssMiB).toFixed(1)} MiB from 10k to 100k events (flat = streaming).`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
