import { filter, firstValueFrom, timeout as rxTimeout } from "rxjs";
import type { ConnectionState, SchedulerClient } from "../../src/client/index.js";

/** Resolves with the first state of `client` that matches, failing after `timeoutMs`. */
export function waitForState<K extends ConnectionState["kind"]>(
  client: SchedulerClient,
  kind: K,
  timeoutMs = 5000,
  where: (state: Extract<ConnectionState, { kind: K }>) => boolean = () => true,
): Promise<Extract<ConnectionState, { kind: K }>> {
  return firstValueFrom(
    client.state$.pipe(
      filter(
        (s): s is Extract<ConnectionState, { kind: K }> =>
          s.kind === kind && where(s as Extract<ConnectionState, { kind: K }>),
      ),
      rxTimeout({
        first: timeoutMs,
        with: () => {
          throw new Error(
            `state ${kind} not reached within ${timeoutMs} ms (now ${JSON.stringify(client.state.kind)})`,
          );
        },
      }),
    ),
  );
}

/** Records every state a client goes through. */
export function recordStates(client: SchedulerClient): ConnectionState[] {
  const states: ConnectionState[] = [];
  client.state$.subscribe((s) => states.push(s));
  return states;
}

/** Polls `predicate` until it holds. */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fast reconnection settings for tests. */
export const FAST = {
  backoff: { initialMs: 20, maxMs: 200, jitter: 0.2 },
  reconcile: { initialMs: 50, maxMs: 200, maxRetries: 2, implicitIntervalMs: 0 },
  callTimeoutMs: 5000,
  subscribeTimeoutMs: 3000,
} as const;

/** The error `promise` rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}
