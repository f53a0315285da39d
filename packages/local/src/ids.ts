/**
 * A duration in stout's text form, as Mesos writes MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD (`5secs`, `100ms`).
 *
 * @example
 * ```ts
 * formatDuration(5000); // "5secs"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}mins`;
  if (ms % 1000 === 0) return `${ms / 1000}secs`;
  return `${ms}ms`;
}
