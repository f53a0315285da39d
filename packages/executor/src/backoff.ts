/**
 * The wait before resubscription attempt `attempt` (0 first): exponential from `initialMs`, capped at `maxMs`
 * (`MESOS_SUBSCRIPTION_BACKOFF_MAX`, past which an agent in recovery would give up on the executor), with
 * jitter in [50 %, 100 %] of that so the executors of one restarted agent do not all come back at once.
 *
 * @example
 * ```ts
 * backoffDelay(0, 100, 2000); // 50..100
 * backoffDelay(10, 100, 2000); // 1000..2000
 * ```
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return ceiling * (0.5 + random() * 0.5);
}
