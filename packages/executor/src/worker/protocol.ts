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

/** One task sent to a worker: the raw `TaskInfo.data`. */
export interface WorkerJob {
  readonly id: number;
  readonly data: Uint8Array;
}

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
