import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * Why the client could not talk to a master: the connection was refused or reset, the stream broke or went silent,
 * the master sent something that is not a Mesos event stream, or no master could be found (ZooKeeper). These are
 * reported on `disconnected` states and retried; calls reject with it when they cannot be retried.
 *
 * @example
 * ```ts
 * const retryable = (code: ConnectionErrorCode) => code !== "closed";
 * ```
 */
export type ConnectionErrorCode =
  | "unreachable"
  | "stream-ended"
  | "heartbeat-timeout"
  | "protocol"
  | "redirect-loop"
  | "unavailable"
  | "no-leader"
  | "leader-changed"
  | "closed";

/**
 * A transport-level failure. `code` says which; `url` names the master involved, when there was one.
 *
 * @example
 * ```ts
 * client.state$.subscribe((s) => {
 *   if (s.kind === "disconnected" && isConnectionError(s.error)) console.warn(s.error.code, s.reason);
 * });
 * ```
 */
export class ConnectionError extends SatyrError {
  override readonly name = "ConnectionError";
  readonly code: ConnectionErrorCode;
  readonly url: string | undefined;

  constructor(code: ConnectionErrorCode, message: string, url?: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.url = url;
  }
}

/**
 * Name-based guard for {@link ConnectionError}.
 *
 * @example
 * ```ts
 * if (isConnectionError(error) && error.code === "closed") return;
 * ```
 */
export function isConnectionError(error: unknown): error is ConnectionError {
  return hasErrorName(error, "ConnectionError");
}
