/**
 * @packageDocumentation
 * The public barrel of `@satyr/core`.
 */
export * from "./client/index.js";
export { type EmbeddedCluster, type ModuleImporter, startEmbeddedCluster } from "./embedded-cluster.js";
export { HookError, isHookError } from "./errors/hook-error.js";
export * from "./errors/index.js";
export { InvalidTaskError, isInvalidTaskError } from "./errors/invalid-task-error.js";
export {
  isLocalClusterUnavailableError,
  LocalClusterUnavailableError,
} from "./errors/local-cluster-unavailable-error.js";
export {
  isRemoteTaskError,
  RemoteTaskError,
  type RemoteTaskErrorOptions,
} from "./errors/remote-task-error.js";
export { isResourceError, ResourceError } from "./errors/resource-error.js";
export { isTaskFailedError, TaskFailedError } from "./errors/task-failed-error.js";
export { isUnschedulableTaskError, UnschedulableTaskError } from "./errors/unschedulable-task-error.js";
export * from "./operators/index.js";
export * from "./pool/index.js";
export * from "./resources/index.js";
export { Running, type RunOptions, run, type StopOptions } from "./run.js";
export * from "./scheduler/index.js";
export * from "./tasks/index.js";
