import { parentPort, workerData } from "node:worker_threads";
import { FunctionLoader } from "./function-loader.js";
import { TRANSFER_THRESHOLD_BYTES, type WorkerConfig, type WorkerJob, type WorkerReply } from "./protocol.js";
import { runTask } from "./run-task.js";

// Entry point of a task worker thread: runs the jobs the pool sends, one at a time, and answers each.
const port = parentPort;
if (port === null)
  throw new Error("task-worker.js runs as a worker thread of satyr-executor, not on its own");
const config = workerData as WorkerConfig;
const loader = new FunctionLoader({ moduleRoot: config.moduleRoot, sandbox: config.sandbox });

port.on("message", (job: WorkerJob) => {
  void runTask(job.data, loader, config).then(
    (done) => {
      const reply: WorkerReply = { id: job.id, ...done };
      const buffer = done.kind === "result" ? ownBuffer(done.result) : undefined;
      port.postMessage(reply, buffer === undefined ? [] : [buffer]);
    },
    (error: unknown) => {
      // runTask answers every failure of the task itself; reaching here is a bug in the executor.
      const message = `the executor failed to run the task: ${error instanceof Error ? error.stack : String(error)}`;
      const reply: WorkerReply = { id: job.id, kind: "failed", failure: "internal", message };
      port.postMessage(reply);
    },
  );
});

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
