export type {
  ChunkOutcome,
  ChunkRequest,
  ChunkRunHooks,
  ChunkRunner,
  PoolBackend,
  PoolResources,
} from "./chunk-runner.js";
export {
  FunctionPool,
  type FunctionPoolOptions,
  type PoolStats,
  type PoolTaskOptions,
  type ShutdownCancel,
} from "./function-pool.js";
export { defaultChunksize, type MapProgress } from "./map-progress.js";
export { MapRun, type MapRunOptions } from "./map-run.js";
export {
  type ChunkRunnerOptions,
  type PoolBackendOptions,
  poolBackend,
  SchedulerChunkRunner,
} from "./pool-backend.js";
export { type CallSettlement, type CallState, PoolCall } from "./pool-call.js";
export {
  BrokenPoolError,
  isBrokenPoolError,
  isPoolArgumentError,
  isPoolClosedError,
  isPoolStateError,
  PoolArgumentError,
  PoolClosedError,
  PoolStateError,
} from "./pool-errors.js";
export { assertPoolFunction, functionLabel, type PoolFunction } from "./pool-function.js";
export { isTerminalPhase, PoolTask, type PoolTaskListener, type PoolTaskPhase } from "./pool-task.js";
export { reportCallbackError } from "./report-callback-error.js";
export { waitFor } from "./wait-for.js";
