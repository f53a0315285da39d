import { parentPort, workerData } from "node:worker_threads";
import { FunctionLoader } from "./function-loader.js";
import {
  CLAIMED,
  DONE,
  TRANSFER_THRESHOLD_BYTES,
  type WorkerJob,
  type WorkerReply,
  type WorkerStart,
} from "./protocol.js";
import { runTask } from "./run-task.js";

// Entry point of a task worker thread: runs the jobs the pool sends, one at a time in the order sent, skipping
// those the pool took back, and answers each as soon as it ends.
const port = parentPort;
if (port === null)
  throw new Error("task-worker.js runs as a worker thread of satyr-executor, not on its own");
const { config, claims: claimBuffer } = workerData as WorkerStart;
const claims = new Int32Array(claimBuffer);
const loader = new FunctionLoader({ moduleRoot: config.moduleRoot, sandbox: config.sandbox });
/** Jobs sent and not yet taken up: at most WORKER_PREFETCH, so shifting is cheap. */
const waiting: WorkerJob[] = [];
let draining = false;

port.on("message", (jobs: WorkerJob[]) => {
  for (const job of jobs) waiting.push(job);
  if (!draining) void drain();
});

async function drain(): Promise<void> {
  draining = true;
  for (let job = waiting.shift(); job !== undefined; job = waiting.shift()) {
    // A job the pool revoked (killed, or given to another worker) is skipped: it never started.
    if (Atomics.compareExchange(claims, job.cell, job.id, CLAIMED) !== job.id) continue;
    await runJob(job);
  }
  draining = false;
}

async function runJob(job: WorkerJob): Promise<void> {
  let reply: WorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const done = await runTask(job.data, loader, config);
    reply = { id: job.id, ...done };
    const buffer = done.kind === "result" ? ownBuffer(done.result) : undefined;
    if (buffer !== undefined) transfer = [buffer];
  } catch (error) {
    // runTask answers every failure of the task itself; reaching here is a bug in the executor.
    const message = `the executor failed to run the task: ${error instanceof Error ? error.stack : String(error)}`;
    reply = { id: job.id, kind: "failed", failure: "internal", message };
  }
  // Before the answer: a KILL racing with the end of the job then knows it need not end this thread.
  Atomics.store(claims, job.cell, DONE);
  try {
    port?.postMessage(reply, transfer);
  } catch (error) {
    const message = `the executor could not send the task's result back: ${error instanceof Error ? error.message : String(error)}`;
    port?.postMessage({ id: job.id, kind: "failed", failure: "internal", message } satisfies WorkerReply);
  }
}

/** The buffer under large `bytes` spanning all of it, to transfer instead of copy (small ones copy faster). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const buffer = bytes.buffer;
  return buffer instanceof ArrayBuffer &&
    bytes.byteLength >= TRANSFER_THRESHOLD_BYTES &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength
    ? buffer
    : undefined;
}
