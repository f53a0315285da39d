import type { ResourcesInput } from "../resources/resources.js";
import type { PoolFunction } from "./pool-function.js";

/**
 * Resources asked for one cluster task (a chunk): whatever `FunctionTask` accepts (`[cpus(0.1), mem(128)]`).
 *
 * @example
 * ```ts
 * const resources: PoolResources = [cpus(0.1), mem(64)];
 * ```
 */
export type PoolResources = ResourcesInput;

/**
 * One cluster task as the pool machinery sees it: a function and the argument lists of the calls it runs in
 * order (one for `submit`/`apply`, several for a chunk of `map`).
 *
 * @example
 * ```ts
 * const request: ChunkRequest = { fn: (a: number, b: number) => a * b, calls: [[1, 2], [3, 4]], name: "pool" };
 * ```
 */
export interface ChunkRequest {
  readonly fn: PoolFunction;
  readonly calls: readonly (readonly unknown[])[];
  readonly name: string;
  readonly resources?: PoolResources | undefined;
}

/**
 * The outcome of one call of a chunk: its value, or the error it threw (a `RemoteTaskError` for a remote
 * exception).
 *
 * @example
 * ```ts
 * const outcome: ChunkOutcome<number> = { ok: true, value: 6 };
 * ```
 */
export type ChunkOutcome<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error };

/**
 * What a runner is told while it runs a chunk: `signal` aborts when the pool cancels the task (the runner kills
 * it and rejects), `onRunning` is called once the cluster reports the task running.
 *
 * @example
 * ```ts
 * const hooks: ChunkRunHooks = { signal: AbortSignal.timeout(1000), onRunning: () => console.log("running") };
 * ```
 */
export interface ChunkRunHooks {
  readonly signal: AbortSignal;
  onRunning(): void;
}

/**
 * Runs chunks as cluster tasks. `run` resolves with one {@link ChunkOutcome} per call when the task completed
 * (some calls may have thrown), and rejects when the task as a whole failed (infrastructure failure after
 * retries, unserializable arguments, kill). The pool machinery only ever talks to the cluster through this.
 *
 * @example
 * ```ts
 * const runner: ChunkRunner = {
 *   async run(request) { return request.calls.map(() => ({ ok: true, value: undefined })); },
 * };
 * ```
 */
export interface ChunkRunner {
  run(request: ChunkRequest, hooks: ChunkRunHooks): Promise<readonly ChunkOutcome[]>;
}

/**
 * Where a pool gets its runner: started on first use (so constructing a pool does no I/O) and stopped when the
 * pool is shut down. A backend built from an existing scheduler stops nothing it did not start.
 *
 * @example
 * ```ts
 * const backend: PoolBackend = { start: async () => runner, stop: async () => {} };
 * ```
 */
export interface PoolBackend {
  start(): Promise<ChunkRunner>;
  stop(): Promise<void>;
}
