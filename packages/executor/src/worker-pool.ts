import { Worker } from "node:worker_threads";
import {
  TRANSFER_THRESHOLD_BYTES,
  type WorkerConfig,
  type WorkerFailureKind,
  type WorkerJob,
  type WorkerReply,
} from "./worker/protocol.js";

/**
 * How one task ended in the pool.
 * - `"result"`: the calls ran; `ok` says whether all returned; `result` is the encoded TaskResult;
 * - `"failed"`: no result could be made (bad payload, function not loadable, result too large);
 * - `"crashed"`: the worker thread died while running it;
 * - `"killed"`: {@link WorkerPool.kill} stopped it.
 *
 * @example
 * ```ts
 * const outcome: PoolOutcome = await pool.run("task-1", taskInfo.data);
 * if (outcome.kind === "result" && outcome.ok) console.log("finished");
 * ```
 */
export type PoolOutcome =
  | { readonly kind: "result"; readonly ok: boolean; readonly result: Uint8Array; readonly summary: string }
  | { readonly kind: "failed"; readonly failure: WorkerFailureKind; readonly message: string }
  | { readonly kind: "crashed"; readonly message: string; readonly outOfMemory: boolean }
  | { readonly kind: "killed" };

/**
 * Options of {@link WorkerPool}.
 *
 * @example
 * ```ts
 * const options: WorkerPoolOptions = { size: 2, config: { moduleRoot: undefined, sandbox: process.cwd(),
 *   maxResultBytes: 1 << 20, maxErrorBytes: 1 << 16 } };
 * ```
 */
export interface WorkerPoolOptions {
  /** Most workers running at once (at least 1); change it later with {@link WorkerPool.resize}. */
  readonly size: number;
  readonly config: WorkerConfig;
  /** A worker beyond the first is ended after this long without work (default 10 s). */
  readonly idleWorkerMs?: number;
  /** Environment of the worker threads (default: a copy of `process.env` without the executor's agent token). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Job {
  readonly id: number;
  readonly key: string;
  readonly data: Uint8Array;
  readonly resolve: (outcome: PoolOutcome) => void;
  readonly onStart: (() => void) | undefined;
  slot: Slot | undefined;
  settled: boolean;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
  /** Set when the pool ends this worker on purpose: its exit is no crash. */
  retired: boolean;
  crash: Error | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

const DEFAULT_IDLE_WORKER_MS = 10_000;

/**
 * Where the worker script is: the compiled `dist/worker/task-worker.js` of this package. This file sits one level
 * below the package root both as TypeScript source (`src/`) and compiled (`dist/`), so the same relative URL
 * works under ts-jest and when installed.
 */
const WORKER_URL = new URL("../dist/worker/task-worker.js", import.meta.url);

/**
 * A pool of warm worker threads that run function tasks one at a time each, so a CPU-bound task never blocks the
 * executor's event loop (its subscription, updates and other tasks). Tasks queue in FIFO order when all workers
 * are busy. Killing a task terminates its worker and starts a fresh one; a worker that dies fails only the task
 * it was running.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ size: 2, config });
 * const outcome = await pool.run("task-1", taskInfo.data);
 * await pool.close();
 * ```
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #idle: Slot[] = [];
  readonly #queue: Job[] = [];
  #queueHead = 0;
  readonly #jobs = new Map<string, Job>();
  #size: number;
  #nextId = 1;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#size = clampSize(options.size);
  }

  /** Workers alive now. */
  get workers(): number {
    return this.#slots.size;
  }

  /** Most workers running at once. */
  get size(): number {
    return this.#size;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** Starts one worker ahead of the first task, so it does not pay for the thread's start-up. */
  warm(): void {
    if (!this.#closed && this.#slots.size === 0) this.#makeIdle(this.#spawn());
  }

  /** Changes the number of workers that may run at once (at least 1); extra idle workers end over time. */
  resize(size: number): void {
    this.#size = clampSize(size);
    this.#pump();
  }

  /**
   * Runs a task's payload in a worker. `key` (the task id) names it for {@link WorkerPool.kill}. `onStart` is
   * called when a worker takes the payload (at once, or after the tasks queued before it), never for a task
   * killed while queued. The promise never rejects: every ending is a {@link PoolOutcome}.
   */
  run(key: string, data: Uint8Array, onStart?: () => void): Promise<PoolOutcome> {
    if (this.#closed) return Promise.resolve({ kind: "killed" });
    if (this.#jobs.has(key)) {
      return Promise.resolve({
        kind: "failed",
        failure: "payload",
        message: `a task with id ${JSON.stringify(key)} is already running in this executor`,
      });
    }
    return new Promise((resolve) => {
      const job: Job = { id: this.#nextId++, key, data, resolve, onStart, slot: undefined, settled: false };
      this.#jobs.set(key, job);
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Stops a queued or running task (its worker is terminated and replaced). False if the pool has no such task. */
  kill(key: string): boolean {
    const job = this.#jobs.get(key);
    if (job === undefined) return false;
    const slot = job.slot;
    this.#settle(job, { kind: "killed" });
    if (slot !== undefined) {
      this.#retire(slot);
      this.#pump();
      this.warm();
    }
    return true;
  }

  /** Kills every queued and running task. */
  killAll(): void {
    for (const key of [...this.#jobs.keys()]) this.kill(key);
  }

  /** Kills every task and ends all workers. */
  async close(): Promise<void> {
    this.#closed = true;
    this.killAll();
    const exits = [...this.#slots].map((slot) => this.#retire(slot));
    await Promise.all(exits);
  }

  #pump(): void {
    while (this.#queueHead < this.#queue.length) {
      const job = this.#queue[this.#queueHead]!;
      if (job.settled) {
        this.#dequeue();
        continue;
      }
      let slot = this.#idle.pop();
      if (slot === undefined) {
        if (this.#slots.size >= this.#size || this.#closed) break;
        slot = this.#spawn();
      }
      this.#dequeue();
      this.#assign(slot, job);
    }
  }

  #dequeue(): void {
    this.#queueHead++;
    // Compact now and then so the array does not grow with every task ever queued.
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #assign(slot: Slot, job: Job): void {
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
    }
    slot.job = job;
    job.slot = slot;
    // A fresh buffer of exactly the payload: posting a view would clone the whole (possibly large) buffer under
    // it. Small payloads are copied (cheaper than a transfer); large ones are moved. Uint8Array's own slice
    // copies even when the payload is a Node Buffer, whose slice is a view of a shared slab that a transfer
    // would detach under every other view of it.
    const data = Uint8Array.prototype.slice.call(job.data);
    const message: WorkerJob = { id: job.id, data };
    slot.worker.postMessage(message, data.byteLength >= TRANSFER_THRESHOLD_BYTES ? [data.buffer] : []);
    job.onStart?.();
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_URL, {
      workerData: this.#options.config,
      env: this.#options.env ?? workerEnvironment(),
    });
    const slot: Slot = { worker, job: undefined, retired: false, crash: undefined, idleTimer: undefined };
    this.#slots.add(slot);
    worker.on("message", (reply: WorkerReply) => this.#onReply(slot, reply));
    worker.on("error", (error) => {
      slot.crash = error;
    });
    worker.on("exit", (code) => this.#onExit(slot, code));
    return slot;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    const job = slot.job;
    if (job === undefined || job.id !== reply.id) return;
    slot.job = undefined;
    job.slot = undefined;
    this.#settle(
      job,
      reply.kind === "result"
        ? { kind: "result", ok: reply.ok, result: reply.result, summary: reply.summary }
        : { kind: "failed", failure: reply.failure, message: reply.message },
    );
    if (slot.retired) return;
    this.#makeIdle(slot);
    this.#pump();
  }

  #onExit(slot: Slot, code: number): void {
    this.#slots.delete(slot);
    removeFrom(this.#idle, slot);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    const job = slot.job;
    slot.job = undefined;
    if (job !== undefined && !job.settled) {
      const crash = slot.crash;
      const outOfMemory = (crash as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
      const message = crash
        ? `the worker thread running the task crashed: ${crash.name}: ${crash.message}`
        : `the worker thread running the task exited with code ${code} (process.exit() in the task?)`;
      this.#settle(job, { kind: "crashed", message, outOfMemory });
    }
    if (this.#closed) return;
    this.#pump();
    this.warm();
  }

  #makeIdle(slot: Slot): void {
    this.#idle.push(slot);
    if (this.#slots.size > 1) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined;
        if (slot.job === undefined && this.#slots.size > 1) {
          removeFrom(this.#idle, slot);
          void this.#retire(slot);
        }
      }, this.#options.idleWorkerMs ?? DEFAULT_IDLE_WORKER_MS);
      slot.idleTimer.unref();
    }
  }

  #retire(slot: Slot): Promise<number> {
    slot.retired = true;
    slot.job = undefined;
    this.#slots.delete(slot);
    removeFrom(this.#idle, slot);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    return slot.worker.terminate();
  }

  #settle(job: Job, outcome: PoolOutcome): void {
    if (job.settled) return;
    job.settled = true;
    job.slot = undefined;
    if (this.#jobs.get(job.key) === job) this.#jobs.delete(job.key);
    job.resolve(outcome);
  }
}

function workerEnvironment(): Record<string, string | undefined> {
  const env = { ...process.env };
  // The token authenticates the executor to its agent; task code has no business reading it.
  delete env.MESOS_EXECUTOR_AUTHENTICATION_TOKEN;
  return env;
}

function clampSize(size: number): number {
  return Number.isFinite(size) ? Math.max(1, Math.floor(size)) : 1;
}

function removeFrom<T>(items: T[], item: T): void {
  const index = items.indexOf(item);
  if (index >= 0) items.splice(index, 1);
}
