import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * The master refused the client's credentials (HTTP 401) or its principal (HTTP 403) on SUBSCRIBE. Terminal: the
 * client stops instead of retrying, since the same credentials would be refused again.
 *
 * @example
 * ```ts
 * client.state$.subscribe((s) => {
 *   if (s.kind === "failed" && isAuthenticationError(s.error)) console.error(`fix credentials: ${s.error.status}`);
 * });
 * ```
 */
export class AuthenticationError extends SatyrError {
  override readonly name = "AuthenticationError";
  /** The HTTP status the master answered (401 or 403). */
  readonly status: number;
  /** The URL that refused the request. */
  readonly url: string;
  /** The master's explanation (the response body), possibly empty. */
  readonly body: string;

  constructor(status: number, url: string, body: string, options?: ErrorOptions) {
    super(
      `master at ${url} refused the ${status === 401 ? "credentials" : "principal"} (HTTP ${status})${body ? `: ${body}` : ""}`,
      options,
    );
    this.status = status;
    this.url = url;
    this.body = body;
  }
}

/**
 * Name-based guard for {@link AuthenticationError}.
 *
 * @example
 * ```ts
 * if (isAuthenticationError(error)) process.exitCode = 77;
 * ```
 */
export function isAuthenticationError(error: unknown): error is AuthenticationError {
  return hasErrorName(error, "AuthenticationError");
}
