/**
 * `pnpm bench`: the pool figures on the embedded cluster, in one run on this machine —
 * 10,000 no-op calls through `MesosPoolExecutor.map` with default chunking and with chunksize 1 (tasks/s),
 * through multiprocessing's `Pool.map` with default chunking, p50/p99 of a single submit, and piscina running
 * the same 10,000 calls without chunking, as the ratio.
 * Set MESOS_MASTER to measure a real cluster instead of the embedded one.
 */
import { availableParallelism, cpus as machineCpus } from "node:os";
import { cpus, mem } from "@satyr/core";
import { Pool } from "@satyr/multiprocessing";
import { Piscina } from "piscina";
import { MesosPoolExecutor } from "../src/index.js";

const N = Number(process.env.SATYR_BENCH_N ?? 10_000);
const LATENCY_SAMPLES = Number(process.env.SATYR_BENCH_LATENCY_SAMPLES ?? 200);
// No-op tasks need next to nothing; small asks let many of them be on the agent at once.
const resources = [cpus(0.01), mem(16)];
const noop = () => undefined;
// SATYR_BENCH_WORKDIR keeps the embedded cluster's sandboxes (executor stdout/stderr) for inspection.
const run = process.env.SATYR_BENCH_WORKDIR
  ? { local: { workDir: process.env.SATYR_BENCH_WORKDIR, keepWorkDir: true } }
  : undefined;

/** Progress on stderr, so a failing stage is easy to tell apart. */
function stage(message: string): void {
  process.stderr.write(`  … ${message}\n`);
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

async function timeMap(executor: MesosPoolExecutor, chunksize: number | undefined): Promise<number> {
  const xs = Array.from({ length: N }, (_, i) => i);
  const started = performance.now();
  let count = 0;
  for await (const _ of executor.map(noop, [xs], chunksize === undefined ? {} : { chunksize })) count++;
  const seconds = (performance.now() - started) / 1000;
  if (count !== N) throw new Error(`map yielded ${count} results for ${N} calls`);
  return N / seconds;
}

async function main(): Promise<void> {
  console.log(
    `satyr pool bench — ${new Date().toISOString()}, Node ${process.version}, ${machineCpus().length} cpus ` +
      `(${machineCpus()[0]?.model ?? "?"}), master: ${process.env.MESOS_MASTER ?? "embedded LocalCluster"}`,
  );

  // Default chunking: the default bound (availableParallelism) and Python's chunk rule.
  const defaults = new MesosPoolExecutor({ name: "bench-default", resources, run });
  await defaults.submit(noop); // framework subscribed and executor started before timing
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const started = performance.now();
    await defaults.submit(noop);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  stage(`single submit: p50 ${percentile(latencies, 50).toFixed(1)} ms`);
  const chunkedRate = await timeMap(defaults, undefined);
  stage(`map, default chunking: ${chunkedRate.toFixed(0)} tasks/s`);
  await defaults.shutdown();

  // multiprocessing's Pool.map: the same engine behind Python's Pool API.
  const pool = new Pool({ name: "bench-pool", resources, run });
  await pool.apply(noop);
  const xs = Array.from({ length: N }, (_, i) => i);
  const poolStarted = performance.now();
  const values = await pool.map(noop, xs);
  const poolRate = N / ((performance.now() - poolStarted) / 1000);
  if (values.length !== N) throw new Error(`Pool.map returned ${values.length} results for ${N} calls`);
  stage(`Pool.map, default chunking: ${poolRate.toFixed(0)} tasks/s`);
  pool.close();
  await pool.join();

  // chunksize 1: every call its own cluster task, many in flight.
  const wide = new MesosPoolExecutor({ name: "bench-chunk1", resources, run, maxWorkers: 256 });
  await wide.submit(noop);
  const singleRate = await timeMap(wide, 1);
  stage(`map, chunksize 1: ${singleRate.toFixed(0)} tasks/s`);
  await wide.shutdown();

  const piscina = new Piscina({ filename: new URL("./noop-worker.js", import.meta.url).href });
  await Promise.all(Array.from({ length: 100 }, () => piscina.run(null))); // threads warm
  const started = performance.now();
  await Promise.all(Array.from({ length: N }, () => piscina.run(null)));
  const piscinaRate = N / ((performance.now() - started) / 1000);
  await piscina.destroy();

  const rows = [
    ["figure", "measured", "target", "met"],
    [
      `map ${N} no-op, default chunking (workers ${availableParallelism()})`,
      `${chunkedRate.toFixed(0)} tasks/s (${(chunkedRate / piscinaRate).toFixed(2)}× piscina)`,
      "≥ piscina (1.00×)",
      chunkedRate >= piscinaRate ? "yes" : "no",
    ],
    [
      `map ${N} no-op, chunksize 1`,
      `${singleRate.toFixed(0)} tasks/s`,
      "≥ 1000 tasks/s",
      singleRate >= 1000 ? "yes" : "no",
    ],
    [
      `single submit latency (${LATENCY_SAMPLES} sequential)`,
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
      "p50 ≤ 20 ms",
      percentile(latencies, 50) <= 20 ? "yes" : "no",
    ],
    [`piscina ${N} no-op run() calls, no chunking`, `${piscinaRate.toFixed(0)} tasks/s`, "reference", ""],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | "));
}

await main();
