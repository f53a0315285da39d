export { type CommandOptions, type CommandSpec, commandInfo, type UriOptions } from "./command-info.js";
export { CommandTask, type CommandTaskOptions } from "./command-task.js";
export {
  type ContainerOptions,
  containerInfo,
  type DockerOptions,
  type PortMapping,
  portsNeeded,
  type VolumeOptions,
} from "./docker.js";
export { type ExecutorOptions, executorInfoWith, executorSpec } from "./executor-spec.js";
export {
  type CallResult,
  type FunctionChunkOptions,
  type FunctionInput,
  FunctionTask,
  type FunctionTaskOptions,
  functionRef,
  type ModuleFunction,
} from "./function-task.js";
export {
  describeStatus,
  type ExecutorSpec,
  type PlainTaskOptions,
  type Settlement,
  TASK_CONTROL,
  TASK_LABELS,
  Task,
  type TaskControl,
  type TaskInfoContext,
  type TaskInfoParts,
  type TaskOptions,
  taskOptionsOf,
} from "./task.js";
export { decodeTask, registerTaskKind, type TaskKind, taskKinds } from "./task-kinds.js";
export {
  hasFailed,
  hasSucceeded,
  isInfrastructureFailure,
  phaseOf,
  reasonName,
  stateName,
  type TaskPhase,
} from "./task-state.js";
