import type { OfferID, Offer as OfferMessage } from "@satyr/proto";
import { Observable, type OperatorFunction, type Subscription } from "rxjs";
import { InvalidTaskError } from "../errors/invalid-task-error.js";
import { Offer, wrapOffer } from "../resources/offer.js";
import { TASK_CONTROL, type Task } from "../tasks/task.js";
import { type OfferPlacement, type PlacementOptions, type PlacementRound, Placer } from "./placer.js";

/**
 * Options of {@link packWith}.
 *
 * @example
 * ```ts
 * const options: PackWithOptions = {
 *   heuristic: "ffd",
 *   holdMs: 250,
 *   rescinds$: client.rescinds$,
 *   onInvalid: (task, error) => console.warn(`${task.name} cannot launch`, error),
 * };
 * client.offers$.pipe(packWith(pending$, options), launchOn(client), declineRest(client)).subscribe();
 * ```
 */
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
  /** Called when a placement round fails unexpectedly; the pipeline goes on with the next round. */
  readonly onError?: (error: Error) => void;
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
        const invalid = (task: Task<unknown>, error: Error): void => {
          if (options.onInvalid !== undefined) options.onInvalid(task, error);
          else task[TASK_CONTROL].reject(error);
        };
        const candidates: Task<unknown>[] = [];
        for (const task of pending) {
          if (task.state !== "pending" || task[TASK_CONTROL].settled) continue;
          // A demand the packer cannot compare (NaN, negative, infinite) fails its own task, not the pipeline.
          const bad = badDemand(task);
          if (bad === undefined) candidates.push(task);
          else invalid(task, bad);
        }
        if (candidates.length > 0) {
          let round: PlacementRound;
          try {
            round = placer.place(
              candidates,
              [...held.values()].map((h) => h.offer),
            );
          } catch (cause) {
            // Never end the offer stream for every task: report, keep the offers held (they expire and are
            // declined), and try again on the next round.
            options.onError?.(cause instanceof Error ? cause : new Error(String(cause)));
            round = { placements: [], unplaced: candidates, invalid: [] };
          }
          for (const { task, error } of round.invalid) invalid(task, error);
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

/**
 * Why a task cannot go through placement, checked without side effects before the round: a demand with a
 * non-finite or negative amount, or a task whose resources, executor or constraints cannot even be read.
 */
function badDemand(task: Task<unknown>): Error | undefined {
  try {
    void task.constraints.length;
    const vectors = [task.resources.toVector(), task.executor()?.resources.toVector() ?? {}];
    for (const vector of vectors) {
      for (const [name, amount] of Object.entries(vector)) {
        if (!Number.isFinite(amount) || amount < 0) {
          return new InvalidTaskError(
            "resources",
            `task ${task.id}: ${name} must be a finite amount >= 0, got ${amount}`,
          );
        }
      }
    }
    return undefined;
  } catch (cause) {
    return new InvalidTaskError(
      "task",
      `task ${task.id} cannot be placed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}
