/**
 * A required environment variable is missing or holds a value the executor cannot use. The message names the
 * variable and what was wrong with it.
 *
 * @example
 * ```ts
 * try { readExecutorEnvironment({}); }
 * catch (e) { if (isInvalidEnvironmentError(e)) console.error(e.variable, e.message); }
 * ```
 */
export class InvalidEnvironmentError extends Error {
  override readonly name = "InvalidEnvironmentError";
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.variable = variable;
  }
}

/**
 * Name-based guard for {@link InvalidEnvironmentError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isInvalidEnvironmentError(error)) process.exitCode = 2;
 * ```
 */
export function isInvalidEnvironmentError(error: unknown): error is InvalidEnvironmentError {
  return error instanceof Error && error.name === "InvalidEnvironmentError";
}

/**
 * The agent answered a call with an unexpected HTTP status (for example 400 "Not a valid UUID", or 503 while it
 * recovers). Carries the status code and the agent's explanation.
 *
 * @example
 * ```ts
 * try { await executor.update({ taskId: "t1", state: TaskState.TASK_RUNNING }); }
 * catch (e) { if (isAgentCallError(e)) console.error(e.status, e.body); }
 * ```
 */
export class AgentCallError extends Error {
  override readonly name = "AgentCallError";
  /** The HTTP status code the agent answered with. */
  readonly status: number;
  /** The agent's response body (Mesos answers errors with a human sentence). */
  readonly body: string;

  constructor(status: number, body: string, what: string, options?: ErrorOptions) {
    super(`the agent answered ${what} with HTTP ${status}${body ? `: ${body}` : ""}`, options);
    this.status = status;
    this.body = body;
  }
}

/**
 * Name-based guard for {@link AgentCallError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isAgentCallError(error) && error.status === 503) retryLater();
 * ```
 */
export function isAgentCallError(error: unknown): error is AgentCallError {
  return error instanceof Error && error.name === "AgentCallError";
}

/**
 * The connection to the agent failed: the event stream ended or broke, the agent sent an ERROR event, or it could
 * not be reached. Passed to `Executor.onDisconnected`/`onError`, and the `error` of an `"agent-lost"` exit.
 *
 * @example
 * ```ts
 * class MyExecutor extends Executor {
 *   override onError(error: Error) { if (isAgentConnectionError(error)) console.warn(error.message); }
 * }
 * ```
 */
export class AgentConnectionError extends Error {
  override readonly name = "AgentConnectionError";
}

/**
 * Name-based guard for {@link AgentConnectionError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isAgentConnectionError(exit.error)) console.error("lost the agent:", exit.error.message);
 * ```
 */
export function isAgentConnectionError(error: unknown): error is AgentConnectionError {
  return error instanceof Error && error.name === "AgentConnectionError";
}

/**
 * An executor method was used when it cannot work: `update()` or `message()` before `runExecutor()` started the
 * executor or after it stopped, or an executor run twice.
 *
 * @example
 * ```ts
 * try { await new Executor().message(new Uint8Array()); }
 * catch (e) { if (isExecutorStateError(e)) console.error(e.message); }
 * ```
 */
export class ExecutorStateError extends Error {
  override readonly name = "ExecutorStateError";
}

/**
 * Name-based guard for {@link ExecutorStateError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isExecutorStateError(error)) return; // the executor already stopped
 * ```
 */
export function isExecutorStateError(error: unknown): error is ExecutorStateError {
  return error instanceof Error && error.name === "ExecutorStateError";
}

/**
 * A task's function could not be loaded: its source does not evaluate to a function, its module cannot be found
 * or imported, or the module lacks the named export. The task fails with this message; other tasks go on.
 *
 * @example
 * ```ts
 * const error = new TaskLoadError('module "./jobs.js" has no export "square" (it exports: cube)');
 * isTaskLoadError(error); // true
 * ```
 */
export class TaskLoadError extends Error {
  override readonly name = "TaskLoadError";
}

/**
 * Name-based guard for {@link TaskLoadError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isTaskLoadError(error)) reportInvalidTask(error.message);
 * ```
 */
export function isTaskLoadError(error: unknown): error is TaskLoadError {
  return error instanceof Error && error.name === "TaskLoadError";
}

/**
 * A worker thread died while running a task (an uncaught exception outside the task's promise, `process.exit()`
 * inside the function, running out of memory). Only that task fails; the worker is replaced.
 *
 * @example
 * ```ts
 * const error = new WorkerCrashError("the worker thread exited with code 3 while running the task");
 * isWorkerCrashError(error); // true
 * ```
 */
export class WorkerCrashError extends Error {
  override readonly name = "WorkerCrashError";
}

/**
 * Name-based guard for {@link WorkerCrashError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isWorkerCrashError(error)) console.warn(error.message);
 * ```
 */
export function isWorkerCrashError(error: unknown): error is WorkerCrashError {
  return error instanceof Error && error.name === "WorkerCrashError";
}

/**
 * A status update the executor was asked to send is invalid before it reaches the agent: no task id, or a state
 * an executor may not send (`TASK_STAGING`).
 *
 * @example
 * ```ts
 * try { await executor.update({ taskId: "", state: TaskState.TASK_RUNNING }); }
 * catch (e) { if (isInvalidUpdateError(e)) console.error(e.message); }
 * ```
 */
export class InvalidUpdateError extends Error {
  override readonly name = "InvalidUpdateError";
}

/**
 * Name-based guard for {@link InvalidUpdateError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isInvalidUpdateError(error)) throw error; // a programming error, not a transient one
 * ```
 */
export function isInvalidUpdateError(error: unknown): error is InvalidUpdateError {
  return error instanceof Error && error.name === "InvalidUpdateError";
}
