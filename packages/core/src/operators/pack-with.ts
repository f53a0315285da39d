import type { OfferID, Offer as OfferMessage } from "@satyr/proto";
import { Observable, type OperatorFunction, type Subscription } from "rxjs";
import { InvalidTaskError } from "../errors/invalid-task-error.js";
import { Offer, wrapOffer } from "../resources/offer.js";
import { EPSILON, type Resources } from "../resources/resources.js";
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
        const room = new RoomForCopies([...held.values()].map((h) => h.offer));
        for (const task of pending) {
          if (task.state !== "pending" || task[TASK_CONTROL].settled) continue;
          // A demand the packer cannot compare (NaN, negative, infinite) fails its own task, not the pipeline.
          const bad = badDemand(task);
          if (bad !== undefined) invalid(task, bad);
          else if (room.admits(task)) candidates.push(task);
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

/** A demand vector and a key equal for equal vectors, per (immutable) Resources. */
const demands = new WeakMap<Resources, { vector: Record<string, number>; key: string }>();

function demandOf(resources: Resources): { vector: Record<string, number>; key: string } {
  let demand = demands.get(resources);
  if (demand === undefined) {
    const vector = resources.toVector();
    demand = { vector, key: JSON.stringify(Object.entries(vector).sort(([a], [b]) => (a < b ? -1 : 1))) };
    demands.set(resources, demand);
  }
  return demand;
}

/**
 * Bounds how many tasks with the same demand a round considers: no more copies than the offers held could hold
 * altogether, counting each dimension's total. A queue longer than the cluster is big (a map with many calls in
 * flight) would otherwise go through placement whole on every round, to be left pending again; the bound only
 * leaves out tasks that could not have been placed (executors and constraints only take more room).
 */
class RoomForCopies {
  readonly #offered: Record<string, number> = {};
  readonly #taken = new Map<string, number>();

  constructor(offers: readonly Offer[]) {
    for (const offer of offers) {
      for (const [name, amount] of Object.entries(offer.resources.toVector())) {
        this.#offered[name] = (this.#offered[name] ?? 0) + amount;
      }
    }
  }

  admits(task: Task<unknown>): boolean {
    const { vector, key } = demandOf(task.resources);
    const taken = this.#taken.get(key) ?? 0;
    for (const [name, amount] of Object.entries(vector)) {
      if (amount > 0 && (taken + 1) * amount > (this.#offered[name] ?? 0) + EPSILON) return false;
    }
    this.#taken.set(key, taken + 1);
    return true;
  }
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
