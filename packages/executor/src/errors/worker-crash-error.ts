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
