/**
 * What a task worker thread is told when it starts (its `workerData`).
 *
 * @example
 * ```ts
 * const env = readExecutorEnvironment();
 * const config: WorkerConfig = {
 *   moduleRoot: env.moduleRoot,
 *   sandbox: env.sandbox,
 *   maxResultBytes: env.maxResultBytes,
 *   maxErrorBytes: DEFAULT_MAX_ERROR_BYTES, // from @satyr/proto
 * };
 * const pool = new WorkerPool({ size: 2, config });
 * ```
 */
export interface WorkerConfig {
  /** `SATYR_MODULE_ROOT`: first place relative module references and bare specifiers are looked up. */
  readonly moduleRoot: string | undefined;
  /** The task sandbox (`MESOS_SANDBOX`), the second place. */
  readonly sandbox: string | undefined;
  /** Largest encoded task result. */
  readonly maxResultBytes: number;
  /** Largest serialized error of one call. */
  readonly maxErrorBytes: number;
}

/** What a task worker thread gets as its `workerData`: the config and its claim cells. @internal */
export interface WorkerStart {
  readonly config: WorkerConfig;
  /** An Int32Array's buffer of {@link WORKER_PREFETCH} claim cells (see {@link WorkerJob.cell}). */
  readonly claims: SharedArrayBuffer;
}

/**
 * One task sent to a worker: the raw `TaskInfo.data`. Jobs travel in arrays (one message per worker per turn of
 * the event loop) and a worker may hold several: before running one it claims it by swapping `id` in its claim
 * cell for {@link CLAIMED}. The pool takes back a job not yet claimed by swapping `id` for {@link REVOKED}, so a
 * job killed, or moved to a worker that went idle, never runs, and one already claimed is known to be running
 * until the worker marks it {@link DONE}.
 */
export interface WorkerJob {
  readonly id: number;
  /** Index of this job's claim cell, which holds `id` until the worker claims or the pool revokes the job. */
  readonly cell: number;
  readonly data: Uint8Array;
}

/** Most jobs one worker holds at once (running, plus waiting in its own queue); also its number of claim cells. */
export const WORKER_PREFETCH = 16;
/** A claim cell's value once its worker took the job. */
export const CLAIMED = -1;
/** A claim cell's value once the pool took the job back. */
export const REVOKED = -2;
/** A claim cell's value once its worker ran the job (its answer is on the way). */
export const DONE = -3;

/**
 * Why a task could not produce a result at all: its payload is unreadable, its function cannot be loaded, or its
 * result is over the size limit (or the executor itself failed: "internal").
 */
export type WorkerFailureKind = "payload" | "load" | "too-large" | "internal";

/** A worker's answer to one job. */
export type WorkerReply =
  | {
      readonly id: number;
      readonly kind: "result";
      /** Every call returned. */
      readonly ok: boolean;
      /** The encoded `TaskResult`. */
      readonly result: Uint8Array;
      /** When some call threw: which, and its error, for `TaskStatus.message`. */
      readonly summary: string;
    }
  | {
      readonly id: number;
      readonly kind: "failed";
      readonly failure: WorkerFailureKind;
      readonly message: string;
    };

/** Below this size, copying bytes between threads is cheaper than transferring their buffer. */
export const TRANSFER_THRESHOLD_BYTES = 64 * 1024;
