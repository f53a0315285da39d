import { catchError, defer, map, mergeMap, type Observable, type OperatorFunction, of } from "rxjs";
import type { CallOptions } from "../client/call-options.js";
import type { SchedulerClient } from "../client/scheduler-client.js";
import { TASK_CONTROL } from "../tasks/task.js";
import type { OfferPlacement } from "./placer.js";

/**
 * A placement after {@link launchOn}: whether its ACCEPT went through, and why not.
 *
 * @example
 * ```ts
 * offers$.pipe(packWith(pending$), launchOn(client)).subscribe((outcome: LaunchOutcome) => {
 *   if (outcome.error !== undefined) console.warn(`launch on ${outcome.offer.hostname} failed`, outcome.error);
 *   else if (outcome.launched) console.log(`${outcome.tasks.length} task(s) on ${outcome.offer.hostname}`);
 * });
 * ```
 */
export interface LaunchOutcome extends OfferPlacement {
  /** True when the offer's tasks were launched; false for offers with no tasks and for failed launches. */
  readonly launched: boolean;
  readonly error?: Error;
}

/**
 * Options of {@link launchOn}.
 *
 * @example
 * ```ts
 * const options: LaunchOnOptions = {
 *   concurrency: 8,
 *   timeoutMs: 10_000,
 *   onFailure: (outcome) => console.warn(`relaunching tasks of ${outcome.offer.id}`, outcome.error),
 * };
 * offers$.pipe(packWith(pending$), launchOn(client, options), declineRest(client)).subscribe();
 * ```
 */
export interface LaunchOnOptions extends Pick<CallOptions, "timeoutMs"> {
  /**
   * The ACCEPT's filter for the offer's unused resources. Default 0: what is left of an agent comes back at the
   * next allocation, since more work is likely (Mesos's own default, 5 s, would idle the rest of the agent).
   */
  readonly refuseSeconds?: number;
  /** How many ACCEPT calls may be in flight (default unbounded: one per offer). */
  readonly concurrency?: number;
  /** Called when a launch failed; its tasks are back in state `pending` by then. */
  readonly onFailure?: (outcome: LaunchOutcome) => void;
}

/**
 * Launches each placement's tasks with one ACCEPT (LAUNCH) per offer. Tasks turn `staging` on success and back
 * to `pending` when the call fails (they will be placed again); failures are emitted, not thrown, so one bad
 * launch never ends the pipeline. Placements without tasks pass through.
 *
 * @example
 * ```ts
 * offers$.pipe(packWith(pending$), launchOn(client, { refuseSeconds: 0 }), declineRest(client)).subscribe();
 * ```
 */
export function launchOn(
  client: Pick<SchedulerClient, "launch">,
  options: LaunchOnOptions = {},
): OperatorFunction<OfferPlacement, LaunchOutcome> {
  const refuseSeconds = options.refuseSeconds ?? 0;
  const callOptions = {
    filters: { refuseSeconds },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  return (source: Observable<OfferPlacement>) =>
    source.pipe(
      mergeMap((placement): Observable<LaunchOutcome> => {
        if (placement.tasks.length === 0) return of({ ...placement, launched: false });
        const infos = placement.tasks.map((t) => t.taskInfo);
        // defer: a client that throws synchronously fails this launch like a rejected call, not the whole stream.
        return defer(() => client.launch([placement.offer.id], infos, callOptions)).pipe(
          map(() => {
            for (const { task } of placement.tasks) {
              if (task.state === "launching") task[TASK_CONTROL].setPhase("staging");
            }
            return { ...placement, launched: true };
          }),
          catchError((cause: unknown) => {
            const error = cause instanceof Error ? cause : new Error(String(cause));
            for (const { task } of placement.tasks) {
              if (task.state === "launching") task[TASK_CONTROL].setPhase("pending");
            }
            const outcome: LaunchOutcome = { ...placement, launched: false, error };
            options.onFailure?.(outcome);
            return of(outcome);
          }),
        );
      }, options.concurrency ?? Number.POSITIVE_INFINITY),
    );
}
