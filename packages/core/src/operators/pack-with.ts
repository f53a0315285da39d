import type { OfferID, Offer as OfferMessage } from "@satyr/proto";
import { Observable, type OperatorFunction, type Subscription } from "rxjs";
import { Offer, wrapOffer } from "../resources/offer.js";
import { TASK_CONTROL, type Task } from "../tasks/task.js";
import { type OfferPlacement, type PlacementOptions, Placer } from "./placer.js";

/** Options of {@link packWith}. */
export interface PackWithOptions extends PlacementOptions {
  /**
   * How long an offer that got no task is kept for work that may arrive soon, before it is emitted with no
   * tasks (to be declined). Holding offers is what makes a single submit start in milliseconds rather than an
   * allocation interval; 0 declines unused offers at once. Default 1000.
   */
  readonly holdMs?: number;
  /** Offer ids withdrawn by the master (the client's `rescinds$`): held offers with these ids are dropped. */
  readonly rescinds$?: Observable<OfferID | string>;
  /** Share a {@link Placer} (and its executor and constraint bookkeeping) with other code. */
  readonly placer?: Placer;
  /** Called for a task whose TaskInfo cannot be built; by default the task is rejected with the error. */
  readonly onInvalid?: (task: Task<unknown>, error: Error) => void;
}

interface Held {
  readonly offer: Offer;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Packs the tasks of `pending$` (each emission: the tasks currently waiting; only those in state `pending` are
 * placed) onto the offers flowing through, with `@satyr/binpack`. Offers arriving together are packed together;
 * each offer is emitted once: with its tasks (which turn `launching`), or with none after `holdMs` (decline it).
 * The same pending task is never placed twice. Follow it with {@link launchOn} and {@link declineRest}.
 *
 * @example
 * ```ts
 * client.offers$
 *   .pipe(packWith(pending$, { heuristic: "bfd" }), launchOn(client), declineRest(client, { refuseSeconds: 5 }))
 *   .subscribe();
 * ```
 */
export function packWith(
  pending$: Observable<readonly Task<unknown>[]>,
  options: PackWithOptions = {},
): OperatorFunction<Offer | OfferMessage, OfferPlacement> {
  const holdMs = options.holdMs ?? 1000;
  return (source) =>
    new Observable<OfferPlacement>((subscriber) => {
      const placer = options.placer ?? new Placer(options);
      const held = new Map<string, Held>();
      let pending: readonly Task<unknown>[] = [];
      let immediate: ReturnType<typeof setImmediate> | undefined;
      const subscriptions: Subscription[] = [];

      const release = (id: string): void => {
        const entry = held.get(id);
        if (entry === undefined) return;
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        held.delete(id);
        subscriber.next({ offer: entry.offer, tasks: [] });
      };
      const schedule = (): void => {
        // setImmediate batches every offer of one OFFERS event (and of events read in the same chunk).
        immediate ??= setImmediate(flush);
      };
      const flush = (): void => {
        immediate = undefined;
        if (held.size === 0) return;
        const candidates = pending.filter((t) => t.state === "pending" && !t[TASK_CONTROL].settled);
        if (candidates.length > 0) {
          const round = placer.place(
            candidates,
            [...held.values()].map((h) => h.offer),
          );
          for (const { task, error } of round.invalid) {
            if (options.onInvalid !== undefined) options.onInvalid(task, error);
            else task[TASK_CONTROL].reject(error);
          }
          for (const placement of round.placements) {
            if (placement.tasks.length === 0) continue;
            const entry = held.get(placement.offer.id);
            if (entry?.timer !== undefined) clearTimeout(entry.timer);
            held.delete(placement.offer.id);
            for (const placed of placement.tasks) placed.task[TASK_CONTROL].setPhase("launching");
            subscriber.next(placement);
          }
        }
        for (const [id, entry] of held) {
          if (holdMs <= 0) release(id);
          else entry.timer ??= setTimeout(() => release(id), holdMs);
        }
      };

      subscriptions.push(
        pending$.subscribe({
          next: (tasks) => {
            pending = tasks;
            if (held.size > 0) schedule();
          },
          error: (error: unknown) => subscriber.error(error),
        }),
      );
      if (options.rescinds$ !== undefined) {
        subscriptions.push(
          options.rescinds$.subscribe((rescinded) => {
            const id = typeof rescinded === "string" ? rescinded : rescinded.value;
            const entry = held.get(id);
            if (entry?.timer !== undefined) clearTimeout(entry.timer);
            held.delete(id);
          }),
        );
      }
      subscriptions.push(
        source.subscribe({
          next: (input) => {
            const offer = input instanceof Offer ? input : wrapOffer(input);
            held.set(offer.id, { offer, timer: undefined });
            schedule();
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            // The offers ended: place what we can now, and hand back every offer still held.
            if (immediate !== undefined) clearImmediate(immediate);
            flush();
            for (const id of [...held.keys()]) release(id);
            subscriber.complete();
          },
        }),
      );
      return () => {
        if (immediate !== undefined) clearImmediate(immediate);
        for (const entry of held.values()) if (entry.timer !== undefined) clearTimeout(entry.timer);
        held.clear();
        for (const s of subscriptions) s.unsubscribe();
      };
    });
}
