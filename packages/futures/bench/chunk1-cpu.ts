/**
 * `node .bench/bench/chunk1-cpu.js` (after `tsc -p tsconfig.bench.json`): CPU per cluster task on the embedded
 * cluster, per process. Runs SATYR_BENCH_N (default 2,000) no-op calls with chunksize 1 and then
 * SATYR_BENCH_LATENCY_SAMPLES (default 100) sequential submits, and prints tasks/s, p50/p99 and the CPU ms per
 * task of this process (scheduler client + embedded master and agent) and of every descendant process (the
 * satyr-executor), read from /proc. Set SATYR_BENCH_PROFILE_DIR to also write V8 CPU profiles of every process.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpus, type FunctionTask, mem } from "@satyr/core";
import { MesosPoolExecutor } from "../src/index.js";

const N = Number(process.env.SATYR_BENCH_N ?? 2_000);
const SAMPLES = Number(process.env.SATYR_BENCH_LATENCY_SAMPLES ?? 100);
const resources = [cpus(0.01), mem(16)];
const noop = () => undefined;
const PROFILE_DIR = process.env.SATYR_BENCH_PROFILE_DIR;

/** With SATYR_BENCH_PROFILE_DIR the satyr-executor writes a V8 CPU profile there too. */
function profiledExecutor() {
  if (PROFILE_DIR === undefined) return {};
  const value = process.execPath;
  // The bench runs from packages/futures/.bench/bench/: the executor script of this checkout.
  const script = fileURLToPath(new URL("../../../executor/dist/bin/satyr-executor.js", import.meta.url));
  return {
    executor: {
      command: {
        value,
        arguments: [value, "--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, script],
        shell: false as const,
      },
    },
  };
}

/** Clock ticks (utime + stime) of every descendant of this process, by pid. */
function descendantTicks(): Map<number, number> {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while /proc was read
    }
  }
  const result = new Map<number, number>();
  const isDescendant = (pid: number): boolean => {
    let current = parents.get(pid);
    while (current !== undefined && current > 1) {
      if (current === process.pid) return true;
      current = parents.get(current);
    }
    return false;
  };
  for (const [pid, t] of ticks) if (isDescendant(pid)) result.set(pid, t);
  return result;
}

/** SIGTERMs every satyr-executor below this process and waits for them to exit, so they write their profiles. */
async function stopExecutorsForProfiles(): Promise<void> {
  const executors = [...descendantTicks().keys()].filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("satyr-executor");
    } catch {
      return false;
    }
  });
  for (const pid of executors) process.kill(pid, "SIGTERM");
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let waited = 0; waited < 10_000 && executors.some(alive); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Phase times of every task while `phases` is set: where a chunksize-1 task waits. */
let phases: Map<string, number>[] | undefined;
const onTask = (task: FunctionTask<unknown>) => {
  const own = phases === undefined ? undefined : new Map<string, number>([["created", performance.now()]]);
  if (own !== undefined) phases!.push(own);
  task.state$.subscribe((phase) => own?.set(phase, performance.now()));
};
const STEPS: [string, string][] = [
  ["created", "launching"],
  ["launching", "staging"],
  ["staging", "running"],
  ["running", "finished"],
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const pool = new MesosPoolExecutor({
    name: "bench-cpu",
    resources,
    maxWorkers: 256,
    onTask,
    ...profiledExecutor(),
  });
  try {
    await pool.submit(noop).result();
    for await (const _ of pool.map(noop, [Array.from({ length: 200 }, (_, i) => i)], { chunksize: 1 })) {
      // warm-up
    }
    phases = [];
    const childrenBefore = descendantTicks();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let count = 0;
    for await (const _ of pool.map(noop, [Array.from({ length: N }, (_, i) => i)], { chunksize: 1 })) count++;
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const childrenAfter = descendantTicks();
    const timed = phases;
    phases = undefined;
    if (count !== N) throw new Error(`map yielded ${count} results for ${N} calls`);
    let childTicks = 0;
    for (const [pid, t] of childrenAfter) childTicks += t - (childrenBefore.get(pid) ?? 0);
    const mainMs = (cpu.user + cpu.system) / 1000 / N;
    const childMs = (childTicks * 10) / N;
    console.log(
      `chunksize 1, ${N} tasks: ${(N / seconds).toFixed(0)} tasks/s; CPU per task: main ${mainMs.toFixed(2)} ms ` +
        `(user ${(cpu.user / 1000 / N).toFixed(2)}, sys ${(cpu.system / 1000 / N).toFixed(2)}), executor ` +
        `${childMs.toFixed(2)} ms, total ${(mainMs + childMs).toFixed(2)} ms`,
    );
    console.log(
      `median per phase under load: ${STEPS.map(([from, to]) => {
        const values = timed
          .map((m) => (m.get(to) ?? Number.NaN) - (m.get(from) ?? Number.NaN))
          .filter((v) => !Number.isNaN(v))
          .sort((a, b) => a - b);
        return `${from} → ${to} ${values.length > 0 ? percentile(values, 50).toFixed(1) : "?"} ms`;
      }).join(", ")}`,
    );
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      await pool.submit(noop).result();
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `single submit, ${SAMPLES} sequential: p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    if (PROFILE_DIR !== undefined) await stopExecutorsForProfiles();
  } finally {
    await pool.shutdown({ cancelFutures: true });
  }
}

await main();
