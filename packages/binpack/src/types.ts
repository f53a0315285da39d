/**
 * A resource vector: amounts keyed by any dimension name (`cpus`, `mem`, `disk`, `gpus`, a port count, …).
 * A dimension that is missing reads as 0.
 *
 * @example
 * ```ts
 * const demand: Vector = { cpus: 0.5, mem: 256 };
 * ```
 */
export type Vector = Readonly<Record<string, number>>;

/**
 * Something to place: a task, a container, a job. Callers keep their own type and extend this one.
 *
 * @example
 * ```ts
 * interface Job extends Item { readonly owner: string }
 * const job: Job = { id: "build-42", demand: { cpus: 2, mem: 4096 }, owner: "ci" };
 * ```
 */
export interface Item {
  readonly id: string;
  readonly demand: Vector;
}

/**
 * Somewhere to place items: a machine, an offer's remaining resources. Bins may differ in every dimension.
 * Results match bins by position, so bin ids are handed back as given and need not be unique (item ids must be).
 *
 * @example
 * ```ts
 * const machine: Bin = { id: "node-1", capacity: { cpus: 16, mem: 65536, gpus: 1 } };
 * ```
 */
export interface Bin {
  readonly id: string;
  readonly capacity: Vector;
}

/**
 * One bin of a {@link Packing}: the items placed on it (in placement order) and what is left.
 *
 * @example
 * ```ts
 * for (const { bin, items, residual } of packing.bins) console.log(bin.id, items.length, residual.cpus);
 * ```
 */
export interface PackedBin<I extends Item = Item, B extends Bin = Bin> {
  readonly bin: B;
  readonly items: I[];
  /** Capacity minus the placed demand, over every dimension any item or bin of the call named. */
  readonly residual: Vector;
}

/**
 * The result of every heuristic. `bins` holds every input bin in input order, empty ones included (a scheduler
 * declines those); `unplaced` holds, in input order, the items that were not placed. It is always valid: no bin
 * over capacity in any dimension, no item placed twice.
 *
 * @example
 * ```ts
 * const { bins, unplaced } = pack(jobs, machines);
 * const used = bins.filter((b) => b.items.length > 0).length;
 * ```
 */
export interface Packing<I extends Item = Item, B extends Bin = Bin> {
  readonly bins: PackedBin<I, B>[];
  readonly unplaced: I[];
}

/**
 * The heuristics `pack` knows. `ff`, `ffd`, `mr`, `bf`, `bfd` keep the semantics of satyr 0.2.1's `binpack`;
 * `dot` and `norm` are bin-centric vector heuristics that pack tighter (see the README for when to pick which).
 *
 * @example
 * ```ts
 * const heuristic: Heuristic = "bfd";
 * ```
 */
export type Heuristic = "ff" | "ffd" | "mr" | "bf" | "bfd" | "dot" | "norm";

/**
 * Per-dimension weights for ordering and scoring (never for feasibility: every dimension is always checked).
 * Missing dimensions weigh 0. Without weights every dimension weighs 1.
 *
 * @example
 * ```ts
 * const weights: Weights = { cpus: 1, mem: 1 };   // satyr 0.2.1's QueueScheduler default
 * ```
 */
export type Weights = Readonly<Record<string, number>>;

/**
 * Options of the weighted heuristics.
 *
 * @example
 * ```ts
 * bfd(tasks, offers, { weights: { cpus: 1, mem: 1 } });
 * ```
 */
export interface HeuristicOptions {
  /** Per-dimension weights; without them every dimension weighs 1. */
  readonly weights?: Weights;
}

/**
 * Options of the best-fit heuristics.
 *
 * @example
 * ```ts
 * bf(tasks, offers, { goodEnough: 0.9 });   // take the first offer that ends at least 90 % utilised
 * ```
 */
export interface BestFitOptions extends HeuristicOptions {
  /**
   * "Good enough" early exit, in [0, 1]. When set, a bin's score is its weighted utilisation after the placement
   * (absolute, like Fenzo's bin packers, instead of satyr 0.2.1's candidate-relative leftover) and the scan stops
   * at the first feasible bin scoring at least this much; otherwise the best-scoring bin wins.
   */
  readonly goodEnough?: number;
}

/**
 * Options of {@link pack}.
 *
 * @example
 * ```ts
 * pack(tasks, offers, { heuristic: "bfd", weights: { cpus: 1, mem: 1 } });
 * ```
 */
export interface PackOptions extends BestFitOptions {
  /** Which heuristic to run; `bfd` when omitted. */
  readonly heuristic?: Heuristic;
}
