import { Worker } from "node:worker_threads";
import {
  DONE,
  REVOKED,
  TRANSFER_THRESHOLD_BYTES,
  WORKER_PREFETCH,
  type WorkerConfig,
  type WorkerFailureKind,
  type WorkerJob,
  type WorkerReply,
  type WorkerStart,
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
  /** The worker holding it, from when it is sent until it is answered or taken back. */
  slot: Slot | undefined;
  /** Its claim cell in that worker. */
  cell: number;
  /** `onStart` was called. */
  started: boolean;
  settled: boolean;
}

interface Slot {
  readonly worker: Worker;
  readonly claims: Int32Array;
  readonly freeCells: number[];
  /** Jobs sent to the worker and not answered yet, in the order it runs them: the first may be running. */
  readonly jobs: Job[];
  /** Jobs to post at the end of this turn of the event loop, in one message. */
  outbox: WorkerJob[];
  transfer: ArrayBuffer[];
  /** Set when the pool ends this worker on purpose: its exit is no crash. */
  retired: boolean;
  crash: Error | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

const DEFAULT_IDLE_WORKER_MS = 10_000;
const MAX_JOB_ID = 0x7fff_ffff;

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
 * Short tasks are cheap: the jobs given out in one turn of the event loop travel to each worker in one message,
 * and a busy worker is handed up to `WORKER_PREFETCH` jobs to run one after another without waiting for the
 * executor between them. A job a worker holds but has not started is taken back (through a shared claim cell)
 * when it is killed, when its worker dies, or when another worker runs out of work, so it never runs twice and
 * never waits behind a long task while a worker is idle.
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
  readonly #queue: Job[] = [];
  #queueHead = 0;
  readonly #jobs = new Map<string, Job>();
  #size: number;
  #nextId = 1;
  #closed = false;
  #flushScheduled = false;
  /** Set while killing every job, so no job is handed out or reported started meanwhile. */
  #quiet = false;

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

  /** Tasks waiting for a worker (not yet handed to one). */
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
      const id = this.#nextId;
      this.#nextId = id >= MAX_JOB_ID ? 1 : id + 1;
      const job: Job = {
        id,
        key,
        data,
        resolve,
        onStart,
        slot: undefined,
        cell: -1,
        started: false,
        settled: false,
      };
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
    if (slot === undefined || this.#revoke(slot, job)) {
      // Queued, or held by a worker that has not started it: it never runs.
      this.#settle(job, { kind: "killed" });
      if (slot !== undefined) this.#advance(slot);
      this.#pump();
      return true;
    }
    // The worker took it. Take back what else it holds first: then it cannot start anything after this job.
    this.#requeueFront(this.#revokeAll(slot));
    this.#settle(job, { kind: "killed" });
    // Ended just now (its answer, ignored, is on the way): the worker stays. Otherwise stop the job by ending
    // the thread.
    if (Atomics.load(slot.claims, job.cell) !== DONE) {
      void this.#retire(slot);
      this.warm();
    }
    this.#pump();
    return true;
  }

  /** Kills every queued and running task. */
  killAll(): void {
    this.#quiet = true;
    try {
      for (const key of [...this.#jobs.keys()]) this.kill(key);
    } finally {
      this.#quiet = false;
    }
    this.#pump();
  }

  /** Kills every task and ends all workers. */
  async close(): Promise<void> {
    this.#closed = true;
    this.killAll();
    const exits = [...this.#slots].map((slot) => this.#retire(slot));
    await Promise.all(exits);
  }

  #pump(): void {
    if (this.#quiet) return;
    while (this.#queueHead < this.#queue.length) {
      const job = this.#queue[this.#queueHead]!;
      if (job.settled) {
        this.#dequeue();
        continue;
      }
      const slot = this.#pick();
      if (slot === undefined) break;
      this.#dequeue();
      this.#assign(slot, job);
    }
  }

  /** The worker to give the next job: an idle one, else a new one, else the least busy one with room. */
  #pick(): Slot | undefined {
    let least: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.jobs.length === 0) return slot;
      if (least === undefined || slot.jobs.length < least.jobs.length) least = slot;
    }
    if (this.#closed) return undefined;
    if (this.#slots.size < this.#size) return this.#spawn();
    return least !== undefined && least.jobs.length < WORKER_PREFETCH ? least : undefined;
  }

  #dequeue(): void {
    this.#queueHead++;
    // Compact now and then so the array does not grow with every task ever queued.
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
  }

  /** Puts jobs taken back from a worker at the head of the queue, in their order. */
  #requeueFront(jobs: readonly Job[]): void {
    if (jobs.length > 0) this.#queue.splice(this.#queueHead, 0, ...jobs);
  }

  #assign(slot: Slot, job: Job): void {
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
    }
    const cell = slot.freeCells.pop()!;
    job.slot = slot;
    job.cell = cell;
    Atomics.store(slot.claims, cell, job.id);
    slot.jobs.push(job);
    // A fresh buffer of exactly the payload: posting a view would clone the whole (possibly large) buffer under
    // it. Small payloads are copied (cheaper than a transfer); large ones are moved. Uint8Array's own slice
    // copies even when the payload is a Node Buffer, whose slice is a view of a shared slab that a transfer
    // would detach under every other view of it.
    const data = Uint8Array.prototype.slice.call(job.data);
    slot.outbox.push({ id: job.id, cell, data });
    if (data.byteLength >= TRANSFER_THRESHOLD_BYTES) slot.transfer.push(data.buffer);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    // An idle worker takes it at once; otherwise it starts when the jobs before it in this worker end.
    if (slot.jobs.length === 1) this.#start(job);
  }

  /** Posts what each worker was given this turn, one message per worker. */
  #flush(): void {
    this.#flushScheduled = false;
    for (const slot of this.#slots) {
      if (slot.outbox.length === 0) continue;
      const jobs = slot.outbox;
      const transfer = slot.transfer;
      slot.outbox = [];
      slot.transfer = [];
      slot.worker.postMessage(jobs, transfer);
    }
  }

  #start(job: Job): void {
    if (job.started || job.settled) return;
    job.started = true;
    job.onStart?.();
  }

  /** Takes back a job its worker has not claimed; false once the worker claimed it. */
  #revoke(slot: Slot, job: Job): boolean {
    if (Atomics.compareExchange(slot.claims, job.cell, job.id, REVOKED) !== job.id) return false;
    removeFrom(slot.jobs, job);
    slot.freeCells.push(job.cell);
    job.slot = undefined;
    return true;
  }

  /** Takes back every unsettled job of a worker that it has not claimed, in their order. */
  #revokeAll(slot: Slot): Job[] {
    const taken: Job[] = [];
    for (const job of [...slot.jobs]) {
      if (!job.settled && this.#revoke(slot, job)) taken.push(job);
    }
    return taken;
  }

  /** After a worker's first job ended or was taken back: start the next, or find it work, or let it idle. */
  #advance(slot: Slot): void {
    if (this.#quiet || slot.retired) return;
    const next = slot.jobs[0];
    if (next !== undefined) this.#start(next);
    else if (!this.#steal(slot)) this.#makeIdle(slot);
  }

  /**
   * An idle worker with nothing queued takes back half of the jobs waiting in the busiest worker (those right
   * after the one it runs), so no job waits behind a long task while a worker is free.
   */
  #steal(thief: Slot): boolean {
    if (this.queued > 0) return false;
    let victim: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot !== thief && slot.jobs.length > 1 && slot.jobs.length > (victim?.jobs.length ?? 0)) {
        victim = slot;
      }
    }
    if (victim === undefined) return false;
    const wanted = Math.floor(victim.jobs.length / 2);
    const taken: Job[] = [];
    for (const job of victim.jobs.slice(1)) {
      if (taken.length >= wanted) break;
      if (this.#revoke(victim, job)) taken.push(job);
    }
    this.#requeueFront(taken);
    return taken.length > 0;
  }

  #spawn(): Slot {
    const claims = new Int32Array(new SharedArrayBuffer(WORKER_PREFETCH * Int32Array.BYTES_PER_ELEMENT));
    const start: WorkerStart = { config: this.#options.config, claims: claims.buffer as SharedArrayBuffer };
    const worker = new Worker(WORKER_URL, {
      workerData: start,
      env: this.#options.env ?? workerEnvironment(),
    });
    const slot: Slot = {
      worker,
      claims,
      freeCells: Array.from({ length: WORKER_PREFETCH }, (_, index) => WORKER_PREFETCH - 1 - index),
      jobs: [],
      outbox: [],
      transfer: [],
      retired: false,
      crash: undefined,
      idleTimer: undefined,
    };
    this.#slots.add(slot);
    worker.on("message", (reply: WorkerReply) => this.#onReply(slot, reply));
    worker.on("error", (error) => {
      slot.crash = error;
    });
    worker.on("exit", (code) => this.#onExit(slot, code));
    return slot;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    const job = slot.jobs.find((held) => held.id === reply.id);
    if (job === undefined) return;
    removeFrom(slot.jobs, job);
    slot.freeCells.push(job.cell);
    job.slot = undefined;
    this.#settle(
      job,
      reply.kind === "result"
        ? { kind: "result", ok: reply.ok, result: reply.result, summary: reply.summary }
        : { kind: "failed", failure: reply.failure, message: reply.message },
    );
    this.#advance(slot);
    this.#pump();
  }

  #onExit(slot: Slot, code: number): void {
    this.#slots.delete(slot);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    // Answers posted before the thread ended were delivered before this event; what is left never ran (back to
    // the queue) or was running when the thread died.
    const requeued = this.#revokeAll(slot);
    const crash = slot.crash;
    const outOfMemory = (crash as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
    const message = crash
      ? `the worker thread running the task crashed: ${crash.name}: ${crash.message}`
      : `the worker thread running the task exited with code ${code} (process.exit() in the task?)`;
    for (const job of slot.jobs.splice(0)) {
      job.slot = undefined;
      this.#settle(job, { kind: "crashed", message, outOfMemory });
    }
    if (this.#closed) {
      for (const job of requeued) this.#settle(job, { kind: "killed" });
      return;
    }
    this.#requeueFront(requeued);
    this.#pump();
    this.warm();
  }

  #makeIdle(slot: Slot): void {
    if (this.#slots.size > 1 && slot.idleTimer === undefined) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined;
        if (slot.jobs.length === 0 && this.#slots.size > 1) void this.#retire(slot);
      }, this.#options.idleWorkerMs ?? DEFAULT_IDLE_WORKER_MS);
      slot.idleTimer.unref();
    }
  }

  /** Ends a worker on purpose; the jobs it has not started go back to the queue. */
  #retire(slot: Slot): Promise<number> {
    slot.retired = true;
    this.#slots.delete(slot);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    this.#requeueFront(this.#revokeAll(slot));
    return slot.worker.terminate();
  }

  #settle(job: Job, outcome: PoolOutcome): void {
    if (job.settled) return;
    job.settled = true;
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
