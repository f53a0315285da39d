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
