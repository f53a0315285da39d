export { AgentCallError, isAgentCallError } from "./agent-call-error.js";
export { AgentConnectionError, isAgentConnectionError } from "./agent-connection-error.js";
export { ExecutorStateError, isExecutorStateError } from "./executor-state-error.js";
export { InvalidEnvironmentError, isInvalidEnvironmentError } from "./invalid-environment-error.js";
export { InvalidUpdateError, isInvalidUpdateError } from "./invalid-update-error.js";
export { isTaskLoadError, TaskLoadError } from "./task-load-error.js";
export { isWorkerCrashError, WorkerCrashError } from "./worker-crash-error.js";
