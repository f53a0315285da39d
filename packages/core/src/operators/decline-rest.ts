import { mergeMap, type Observable, type OperatorFunction } from "rxjs";
import type { SchedulerClient } from "../client/scheduler-client.js";
import type { OfferPlacement } from "./placer.js";

/**
 * Options of {@link declineRest}.
 *
 * @example
 * ```ts
 * const options: DeclineRestOptions = {
 *   refuseSeconds: 30,
 *   timeoutMs: 5_000,
 *   onError: (error, placement) => console.warn(`decline of ${placement.offer.id} failed`, error),
 * };
 * offers$.pipe(packWith(pending$), launchOn(client), declineRest(client, options)).subscribe();
 * ```
 */
export interface DeclineRestOptions {
  /** How long the master should not re-offer the declined resources (default 5, Mesos's default). */
  readonly refuseSeconds?: number;
  readonly timeoutMs?: number;
  /** Called when a DECLINE call fails (the offer then times out or is rescinded on the master). */
  readonly onError?: (error: Error, placement: OfferPlacement) => void;
}

/**
 * Declines every placement without tasks (offers nobody used) with a refuse filter, then passes every
 * placement on. A failed DECLINE is reported to `onError`, never thrown into the pipeline.
 *
 * @example
 * ```ts
 * offers$.pipe(packWith(pending$), launchOn(client), declineRest(client, { refuseSeconds: 5 })).subscribe();
 * ```
 */
export function declineRest<P extends OfferPlacement>(
  client: Pick<SchedulerClient, "decline">,
  options: DeclineRestOptions = {},
): OperatorFunction<P, P> {
  const callOptions = {
    filters: { refuseSeconds: options.refuseSeconds ?? 5 },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  return (source: Observable<P>) =>
    source.pipe(
      mergeMap(async (placement) => {
        if (placement.tasks.length === 0) {
          try {
            await client.decline([placement.offer.id], callOptions);
          } catch (cause) {
            options.onError?.(cause instanceof Error ? cause : new Error(String(cause)), placement);
          }
        }
        return placement;
      }),
    );
}
