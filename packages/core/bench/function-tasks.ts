// End-to-end figures for QueueScheduler + FunctionTask on a 2-agent LocalCluster: throughput of 1,000 function
// tasks submitted at once, the median (and p95) time from submit to result, and the latency of single submits.
import { LocalCluster } from "@satyr/local";
import { cpus, FunctionTask, mem, QueueScheduler, run } from "../src/index.js";

const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 50);
const AGENT_CPUS = Number(process.env.BENCH_AGENT_CPUS ?? 4);
// Another satyr-executor script to measure instead of the installed one (same Node.js).
const EXECUTOR = process.env.BENCH_EXECUTOR;
const executor =
  EXECUTOR === undefined
    ? {}
    : {
        executor: {
          command: { value: process.execPath, arguments: [process.execPath, EXECUTOR], shell: false },
        },
      };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

interface Figures {
  readonly scenario: string;
  readonly tasks: number;
  readonly seconds: number;
  readonly tasksPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly singleP50Ms: number;
  readonly singleP95Ms: number;
}

async function scenario(name: string, allocationIntervalMs: number): Promise<Figures> {
  await using cluster = await LocalCluster.start({
    agents: 2,
    resources: { cpus: AGENT_CPUS, mem: 16384, disk: 16384, ports: [[31000, 32000]] },
    allocationIntervalMs,
  });
  const scheduler = new QueueScheduler({ offerHoldMs: 2000 });
  await using _running = await run(scheduler, { name: `bench-${name}`, master: cluster.masterUrl });
  const square = (x: number) => x * x;
  const resources = [cpus(0.1), mem(32)];

  // Warm-up: starts the executor on both agents.
  await Promise.all(
    [0, 1, 2, 3].map((i) =>
      scheduler.submit(new FunctionTask({ fn: square, args: [i], resources, ...executor })),
    ),
  );

  const latencies: number[] = [];
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: TASKS }, async (_, i) => {
      const t0 = performance.now();
      const value = await scheduler.submit(
        new FunctionTask({ fn: square, args: [i], resources, ...executor }),
      );
      latencies.push(performance.now() - t0);
      return value;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  results.forEach((value, i) => {
    if (value !== i * i) throw new Error(`wrong result for task ${i}: ${String(value)}`);
  });
  latencies.sort((a, b) => a - b);

  // One task at a time, as a single `submit` in an otherwise idle framework sees it.
  const single: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    const t0 = performance.now();
    await scheduler.submit(new FunctionTask({ fn: square, args: [i], resources, ...executor }));
    single.push(performance.now() - t0);
  }
  single.sort((a, b) => a - b);
  return {
    scenario: name,
    tasks: TASKS,
    seconds: Number(seconds.toFixed(2)),
    tasksPerSecond: Math.round(TASKS / seconds),
    p50Ms: Number(percentile(latencies, 50).toFixed(1)),
    p95Ms: Number(percentile(latencies, 95).toFixed(1)),
    singleP50Ms: Number(percentile(single, 50).toFixed(1)),
    singleP95Ms: Number(percentile(single, 95).toFixed(1)),
  };
}

const figures: Figures[] = [];
figures.push(await scenario("allocation-interval-1000ms", 1000));
figures.push(await scenario("allocation-interval-50ms", 50));
console.log(
  `@satyr/core: ${TASKS} function tasks (cpus 0.1, mem 32) on a 2-agent LocalCluster (${AGENT_CPUS} cpus each)` +
    (EXECUTOR === undefined ? "" : `, executor ${EXECUTOR}`),
);
console.table(figures);
