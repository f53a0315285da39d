// No-op tasks per second inside one satyr-executor (the real program, over the v1 executor API) next to the
// executor's own worker pool without HTTP, and next to a bare worker-thread pool (piscina) in the same run.
// Concurrency is the same everywhere: an agent with 2 cpus, tasks of 0.1 cpu (19 in flight, 2 worker threads).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { encodeTaskPayload } from "@satyr/proto";
import { Piscina } from "piscina";
import { Bench } from "tinybench";
import { executorCommand, WorkerPool } from "../dist/index.js";
import { BenchAgent } from "./bench-agent.mjs";

const BATCH = Number(process.env.BENCH_BATCH ?? 2000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5);
const AGENT_CPUS = 2;
const TASK_CPUS = 0.1;
const EXECUTOR_CPUS = 0.1;
const WINDOW = Math.round((AGENT_CPUS - EXECUTOR_CPUS) / TASK_CPUS);
const THREADS = Math.floor(EXECUTOR_CPUS + WINDOW * TASK_CPUS + 1e-9);

// SATYR_EXECUTOR_RUNNING_DELAY=0 in the environment makes every task send RUNNING before FINISHED, as the
// command executor does; by default no-op tasks end within the delay and send FINISHED only.
const RUNNING_UPDATES =
  process.env.SATYR_EXECUTOR_RUNNING_DELAY === "0" ? "RUNNING+FINISHED per task" : "FINISHED per task";

const payload = encodeTaskPayload({
  fn: { kind: "source", source: "() => null", name: "noop" },
  calls: [[]],
});

/** Runs `count` calls of `run`, at most `window` at once. */
async function windowed(count, window, run) {
  let next = 0;
  async function lane() {
    while (next < count) await run(next++);
  }
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
}

// satyr-executor as a real process, as an agent starts it.
const agent = await BenchAgent.start({ executorCpus: EXECUTOR_CPUS });
const command = executorCommand();
// BENCH_EXECUTOR_PROFILE_DIR=<dir> writes a V8 CPU profile of each satyr-executor thread there.
const profileDir = process.env.BENCH_EXECUTOR_PROFILE_DIR;
const executorArgs = command.arguments.slice(1);
if (profileDir !== undefined) executorArgs.unshift("--cpu-prof", `--cpu-prof-dir=${profileDir}`);
const child = spawn(command.value, executorArgs, {
  env: {
    ...process.env,
    MESOS_AGENT_ENDPOINT: agent.endpoint,
    MESOS_FRAMEWORK_ID: agent.frameworkId,
    MESOS_EXECUTOR_ID: agent.executorId,
    MESOS_SANDBOX: process.cwd(),
    MESOS_CHECKPOINT: "0",
    SATYR_EXECUTOR_IDLE_TIMEOUT: "0",
  },
  stdio: ["ignore", "inherit", "inherit"],
});
await agent.subscribed();

const pool = new WorkerPool({
  size: THREADS,
  config: { moduleRoot: undefined, sandbox: process.cwd(), maxResultBytes: 1 << 20, maxErrorBytes: 1 << 16 },
});
const piscina = new Piscina({
  filename: new URL("./noop-worker.mjs", import.meta.url).href,
  minThreads: THREADS,
  maxThreads: THREADS,
});

// Start every thread before measuring: a worker pays its start-up (loading @satyr/proto) once, not per batch.
await windowed(4 * WINDOW, WINDOW, (i) => pool.run(`warm-${i}`, payload));
await windowed(4 * WINDOW, WINDOW, () => piscina.run(null));

/** CPU time (all threads) of a process in ms, where /proc tells it (Linux); a figure that load does not skew. */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

let batchNumber = 0;
let executorTasks = 0;
let executorCpuMs = 0;
const bench = new Bench({
  name: `no-op tasks, ${BATCH} per iteration`,
  iterations: ITERATIONS,
  time: 0,
  warmupIterations: 1,
});
bench
  .add(`satyr-executor (process, v1 executor API, ${RUNNING_UPDATES})`, async () => {
    const before = processCpuMs(child.pid);
    await agent.runBatch(BATCH, WINDOW, payload, `b${batchNumber++}`);
    const after = processCpuMs(child.pid);
    if (before !== undefined && after !== undefined) {
      executorTasks += BATCH;
      executorCpuMs += after - before;
    }
  })
  .add("satyr WorkerPool (in process, payload decode + result encode)", async () => {
    const base = batchNumber++;
    await windowed(BATCH, WINDOW, (i) => pool.run(`p${base}-${i}`, payload));
  })
  .add("piscina (bare worker-thread pool, no-op function)", async () => {
    await windowed(BATCH, WINDOW, () => piscina.run(null));
  });

await bench.run();

const rows = bench.tasks.map((task) => {
  const result = task.result;
  const mean = result?.latency?.mean ?? Number.NaN;
  return {
    name: task.name,
    "tasks/s": Math.round((BATCH / mean) * 1000),
    "ms per batch (mean)": Number(mean.toFixed(1)),
    "± %": Number((result?.latency?.rme ?? Number.NaN).toFixed(1)),
  };
});
console.log(`${bench.name}; ${WINDOW} in flight; ${THREADS} worker threads each; Node.js ${process.version}`);
console.table(rows);
if (executorTasks > 0) {
  console.log(
    `satyr-executor CPU per task (main thread + workers): ${(executorCpuMs / executorTasks).toFixed(3)} ms`,
  );
}
if (agent.failures > 0) console.error(`${agent.failures} executor tasks did not finish`);

agent.shutdown();
await once(child, "exit");
await agent.stop();
await pool.close();
await piscina.destroy();
