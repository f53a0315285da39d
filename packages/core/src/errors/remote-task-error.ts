import type { RemoteErrorData } from "@satyr/proto";
import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * Where a remote failure happened; every field is optional because not every status carries it.
 *
 * @example
 * ```ts
 * const options: RemoteTaskErrorOptions = { taskId: "satyr-7", agentId: "agent-1" };
 * const error = new RemoteTaskError({ name: "TypeError", message: "boom", props: {} }, options);
 * ```
 */
export interface RemoteTaskErrorOptions {
  /** The Mesos task id of the attempt that failed. */
  readonly taskId?: string;
  /** The agent the attempt ran on. */
  readonly agentId?: string;
  /** The error that caused this one on the remote side, if the remote error had a cause. */
  readonly cause?: unknown;
}

/**
 * A task's own exception, thrown by user code on the executor and carried back in `TaskStatus.data`.
 * It keeps the remote `name` (as {@link RemoteTaskError.remoteName}), message, stack and own properties,
 * plus the task id and agent id, so callers can tell which attempt failed where.
 *
 * @example
 * ```ts
 * try {
 *   await scheduler.submit(new FunctionTask({ fn: () => { throw new TypeError("boom"); } }));
 * } catch (error) {
 *   if (isRemoteTaskError(error)) console.log(error.remoteName, error.message, error.taskId);
 * }
 * ```
 */
export class RemoteTaskError extends SatyrError {
  override readonly name = "RemoteTaskError" as const;
  /** The remote error's own `name` (e.g. `"TypeError"`). */
  readonly remoteName: string;
  /** The remote stack trace, as text, when the executor sent one. */
  readonly remoteStack: string | undefined;
  /** Own enumerable properties of the remote error (e.g. `code`). */
  readonly props: Readonly<Record<string, unknown>>;
  readonly taskId: string | undefined;
  readonly agentId: string | undefined;

  constructor(data: RemoteErrorData, options: RemoteTaskErrorOptions = {}) {
    super(data.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.remoteName = data.name;
    this.remoteStack = data.stack;
    this.props = data.props;
    this.taskId = options.taskId;
    this.agentId = options.agentId;
  }

  /**
   * Rebuilds an error (and its chain of causes) from the payload format's {@link RemoteErrorData}.
   *
   * @example
   * ```ts
   * const error = RemoteTaskError.fromData({ name: "Error", message: "x", props: {} }, { taskId: "t1" });
   * ```
   */
  static fromData(
    data: RemoteErrorData,
    options: Omit<RemoteTaskErrorOptions, "cause"> = {},
  ): RemoteTaskError {
    const cause = data.cause === undefined ? undefined : RemoteTaskError.fromData(data.cause, options);
    return new RemoteTaskError(data, cause === undefined ? options : { ...options, cause });
  }
}

/**
 * True for a {@link RemoteTaskError}, also one from another copy of this package (checks the name).
 *
 * @example
 * ```ts
 * if (isRemoteTaskError(error)) console.error(error.remoteStack);
 * ```
 */
export function isRemoteTaskError(error: unknown): error is RemoteTaskError {
  return hasErrorName(error, "RemoteTaskError");
}
