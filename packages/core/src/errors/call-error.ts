import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * The master answered a call with an unexpected HTTP status. Carries the status and the body (Mesos explains
 * itself in plain text, e.g. "Framework cannot be found").
 *
 * @example
 * ```ts
 * try { await client.revive(); }
 * catch (e) { if (isCallError(e)) console.error(e.status, e.body); }
 * ```
 */
export class CallError extends SatyrError {
  override readonly name = "CallError";
  /** The call type, e.g. `ACCEPT`, or `SUBSCRIBE`. */
  readonly call: string;
  readonly status: number;
  readonly body: string;
  readonly url: string;

  constructor(call: string, status: number, body: string, url: string, options?: ErrorOptions) {
    super(`${call} to ${url} failed with HTTP ${status}${body ? `: ${body.trim()}` : ""}`, options);
    this.call = call;
    this.status = status;
    this.body = body;
    this.url = url;
  }
}

/**
 * Name-based guard for {@link CallError}.
 *
 * @example
 * ```ts
 * if (isCallError(error) && error.status === 400) fixRequest();
 * ```
 */
export function isCallError(error: unknown): error is CallError {
  return hasErrorName(error, "CallError");
}
