/**
 * @packageDocumentation
 * `@satyr/executor`: the `satyr-executor` program that runs satyr function tasks for a Mesos agent (the v1
 * executor HTTP API, in worker threads), and the pieces to write custom executors: the {@link Executor} base
 * class, {@link runExecutor}, and the original satyr's {@link OneOffExecutor}.
 *
 * @example
 * ```ts
 * import { Executor, runExecutor } from "@satyr/executor";
 * import { TaskState, type TaskInfo } from "@satyr/proto";
 * class HelloExecutor extends Executor {
 *   override async onLaunch(task: TaskInfo) {
 *     await this.update({ taskId: task.taskId!.value, state: TaskState.TASK_FINISHED, message: "hello" });
 *   }
 * }
 * await runExecutor(new HelloExecutor());
 * ```
 */

// The UUID helpers live in @satyr/proto, shared with the local agent; re-exported for executor authors.
export { isTerminalState, randomUuidBytes, uuidBytes, uuidText } from "@satyr/proto";
export { AgentConnection, type AgentConnectionOptions } from "./agent-connection.js";
export { backoffDelay } from "./backoff.js";
export { parseDuration } from "./duration.js";
export {
  AgentCallError,
  AgentConnectionError,
  ExecutorStateError,
  InvalidEnvironmentError,
  InvalidUpdateError,
  isAgentCallError,
  isAgentConnectionError,
  isExecutorStateError,
  isInvalidEnvironmentError,
  isInvalidUpdateError,
  isTaskLoadError,
  isWorkerCrashError,
  TaskLoadError,
  WorkerCrashError,
} from "./errors/index.js";
export { Executor, type ExecutorExit, type StatusUpdate, type SubscribedInfo } from "./executor.js";
export { type ExecutorCommand, executorCommand } from "./executor-command.js";
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_RUNNING_DELAY_MS,
  type ExecutorEnvironment,
  readExecutorEnvironment,
} from "./executor-environment.js";
export { FunctionExecutor, type FunctionExecutorOptions } from "./function-executor.js";
export { cpusOf, type RunFunctionTaskOptions, runFunctionTask } from "./function-task.js";
export { OneOffExecutor } from "./one-off-executor.js";
export { type RunExecutorOptions, runExecutor } from "./run-executor.js";
export type { WorkerConfig } from "./worker/protocol.js";
export { type PoolOutcome, WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";
