/** What was wrong with a dashboard or `/files` request; each maps to one HTTP status. */
export type DashboardErrorCode = "bad-request" | "forbidden" | "not-found" | "method-not-allowed";

const STATUS: Record<DashboardErrorCode, number> = {
  "bad-request": 400,
  forbidden: 403,
  "not-found": 404,
  "method-not-allowed": 405,
};

/**
 * A request the dashboard or the sandbox file endpoints refuse, carrying the HTTP status it is answered with and
 * a message naming the offending parameter or path.
 *
 * @example
 * ```ts
 * throw new DashboardError("forbidden", "path /etc/passwd is outside the cluster's work directory");
 * ```
 */
export class DashboardError extends Error {
  override readonly name = "DashboardError";
  readonly code: DashboardErrorCode;

  constructor(code: DashboardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The HTTP status this error is answered with. */
  get status(): number {
    return STATUS[this.code];
  }
}

/**
 * Name-based guard for {@link DashboardError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isDashboardError(error)) replyText(res, error.status, error.message);
 * ```
 */
export function isDashboardError(error: unknown): error is DashboardError {
  return error instanceof Error && error.name === "DashboardError";
}
