/**
 * Cost of the protobuf codec per message, protobuf-es (`toBinary` / `fromBinary`, the codec's previous path,
 * with the ASCII string writer of fast-utf8.ts installed) against the compiled codec (`encodeBinary` /
 * `decodeBinary`), for the messages a framework exchanges most (bench/hot-messages.ts).
 *
 * Each timed run encodes or decodes the message BATCH times, so that the timer's own cost does not count;
 * figures are tinybench medians divided by BATCH. Before timing, both paths are checked to agree (same bytes,
 * equal messages), so the bench cannot time a codec that is wrong.
 *
 * Run: `pnpm bench` in packages/proto (or `node .bench/bench/binary-codec.js` after `tsc -p tsconfig.bench.json`).
 */
import { cpus } from "node:os";
import { equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Bench } from "tinybench";
import { decodeBinary, encodeBinary } from "../src/index.js";
import { hotMessages } from "./hot-messages.js";

const BATCH = 200;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);

let sink = 0;

function nsPerOp(name: string, op: () => void): number {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  bench.add(name, () => {
    for (let i = 0; i < BATCH; i++) op();
  });
  const [task] = bench.runSync();
  const result = task?.result;
  if (result === undefined || !("latency" in result)) throw new Error(`${name} did not complete`);
  return (result.latency.p50 * 1e6) / BATCH;
}

const fmt = (ns: number) => ns.toFixed(0).padStart(7);
const ratio = (before: number, after: number) => `${(before / after).toFixed(1)}×`.padStart(6);

function main(): void {
  console.log("# @satyr/proto binary codec: ns per message, protobuf-es vs compiled");
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, tinybench medians`,
  );
  console.log("(a shared, contended VM gives noisy figures; compare within one run)\n");
  console.log(
    `${"message".padEnd(28)} ${"bytes".padStart(5)} | ${"encode: es".padStart(10)} ${"compiled".padStart(8)} ${"ratio".padStart(6)} | ${"decode: es".padStart(10)} ${"compiled".padStart(8)} ${"ratio".padStart(6)}`,
  );
  let sumBefore = 0;
  let sumAfter = 0;
  for (const { name, schema, message } of hotMessages(7)) {
    const bytes = toBinary(schema, message);
    const compiled = encodeBinary(schema, message);
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(compiled)) !== 0)
      throw new Error(`${name}: bytes differ`);
    if (!equals(schema, decodeBinary(schema, bytes), fromBinary(schema, bytes))) {
      throw new Error(`${name}: decoded messages differ`);
    }
    const encodeEs = nsPerOp(`${name} toBinary`, () => {
      sink += toBinary(schema, message).length;
    });
    const encodeCompiled = nsPerOp(`${name} encodeBinary`, () => {
      sink += encodeBinary(schema, message).length;
    });
    const decodeEs = nsPerOp(`${name} fromBinary`, () => {
      sink += fromBinary(schema, bytes, { readUnknownFields: true }).$typeName.length;
    });
    const decodeCompiled = nsPerOp(`${name} decodeBinary`, () => {
      sink += decodeBinary(schema, bytes).$typeName.length;
    });
    sumBefore += encodeEs + decodeEs;
    sumAfter += encodeCompiled + decodeCompiled;
    console.log(
      `${name.padEnd(28)} ${String(bytes.length).padStart(5)} | ${fmt(encodeEs).padStart(10)} ${fmt(encodeCompiled).padStart(8)} ${ratio(encodeEs, encodeCompiled)} | ${fmt(decodeEs).padStart(10)} ${fmt(decodeCompiled).padStart(8)} ${ratio(decodeEs, decodeCompiled)}`,
    );
  }
  console.log(
    `\nall seven, encode + decode: protobuf-es ${sumBefore.toFixed(0)} ns, compiled ${sumAfter.toFixed(0)} ns (${ratio(sumBefore, sumAfter).trim()})`,
  );
  if (sink < 0) console.log(sink);
}

main();
