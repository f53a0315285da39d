import { bestFitDense, goodEnoughFitDense, PRUNE_FROM, utilisationCoefficients } from "./best-fit.js";
import { BestFitBlocks } from "./best-fit-blocks.js";
import { BinpackError } from "./binpack-error.js";
import {
  checkIds,
  type Dense,
  decreasingOrder,
  denseWeights,
  densify,
  inputOrder,
  needOf,
  place,
} from "./dense.js";
import { MaxTree } from "./max-tree.js";
import type { BestFitOptions, Bin, Item, Vector } from "./types.js";
import { FIT_TOLERANCE } from "./vector.js";

/**
 * The heuristics {@link PreparedBins.place} runs: the any-fit family, whose choice for an item depends only
 * on the current residuals.
 *
 * @example
 * ```ts
 * const heuristic: BatchHeuristic = online ? "bf" : "bfd";
 * ```
 */
export type BatchHeuristic = "ff" | "ffd" | "bf" | "bfd";

/**
 * Options of {@link PreparedBins.place}: a heuristic (`bfd` by default), weights and a good-enough exit.
 *
 * @example
 * ```ts
 * const options: BatchOptions = { heuristic: "bf", weights: { cpus: 1, mem: 1 }, goodEnough: 0.1 };
 * ```
 */
export interface BatchOptions extends BestFitOptions {
  readonly heuristic?: BatchHeuristic;
}

/**
 * One item placed by {@link PreparedBins.place}: the caller's item and bin objects and the bin's index.
 *
 * @example
 * ```ts
 * for (const { item, bin, index } of table.place(tasks).placed) console.log(item.id, "→", bin.id, index);
 * ```
 */
export interface Placement<I extends Item = Item, B extends Bin = Bin> {
  readonly item: I;
  readonly bin: B;
  /** Position of `bin` in the bins the table was built from. */
  readonly index: number;
}

/**
 * What one batch did: placements in the order they were made, and the items that fit nowhere (input order).
 *
 * @example
 * ```ts
 * const { placed, unplaced }: BatchResult<Task, Offer> = table.place(tasks, { heuristic: "bfd" });
 * ```
 */
export interface BatchResult<I extends Item = Item, B extends Bin = Bin> {
  readonly placed: Placement<I, B>[];
  readonly unplaced: I[];
}

const BATCH_HEURISTICS: readonly BatchHeuristic[] = ["ff", "ffd", "bf", "bfd"];

/**
 * A dense table of bins kept across batches: convert thousands of offers once, then place batch after batch
 * of items onto what is left. Each {@link PreparedBins.place} call packs its items exactly as `pack` would
 * onto bins whose capacities are the current residuals, and reserves what it placed. The per-call cost is
 * then the scan alone: no record conversion of the bins and no per-bin result objects, which dominate `pack`
 * on 10k bins and small batches. The first-fit segment tree and the best-fit block summaries are kept too.
 *
 * Dimensions are those the bins name; an item needing a dimension no bin has (beyond `FIT_TOLERANCE`) fits
 * nowhere. With `goodEnough`, a bin's score is its utilisation counting what earlier batches placed on it (as
 * Fenzo's fitness counts running tasks), so batches of `bf` place items where one `bf` call over all of them
 * would; `pack` handed the residuals as capacities cannot see earlier placements.
 *
 * @example
 * ```ts
 * const table = new PreparedBins(offers);
 * for (const batch of batches) {
 *   const { placed, unplaced } = table.place(batch, { heuristic: "bf" });
 *   for (const { item, bin } of placed) launch(item, bin);
 *   retryLater(unplaced);
 * }
 * ```
 */
export class PreparedBins<B extends Bin = Bin> {
  private readonly source: readonly B[];
  private readonly dense: Dense;
  private readonly dims: Map<string, number>;
  private tree: MaxTree | undefined;
  private blocks: BestFitBlocks | undefined;
  private coef: { weights: Float64Array; coef: Float64Array } | undefined;

  constructor(bins: readonly B[]) {
    this.source = bins;
    this.dense = densify([], bins);
    this.dims = new Map(this.dense.dims.map((key, k) => [key, k]));
  }

  /** How many bins the table holds. */
  get size(): number {
    return this.dense.m;
  }

  /**
   * Packs `items` onto the bins' current residuals with one heuristic and reserves what was placed, so the
   * next call sees less room. Bad input throws a `BinpackError` before anything is reserved.
   */
  place<I extends Item>(items: readonly I[], options: BatchOptions = {}): BatchResult<I, B> {
    const { heuristic = "bfd", weights, goodEnough } = options;
    if (!BATCH_HEURISTICS.includes(heuristic)) {
      throw new BinpackError(
        `unknown batch heuristic "${String(heuristic)}"; expected one of ${BATCH_HEURISTICS.join(", ")}`,
      );
    }
    if (goodEnough !== undefined) {
      if (heuristic !== "bf" && heuristic !== "bfd") {
        throw new BinpackError(`goodEnough applies to "bf" and "bfd" only, not to "${heuristic}"`);
      }
      if (typeof goodEnough !== "number" || !(goodEnough >= 0 && goodEnough <= 1)) {
        throw new BinpackError(`goodEnough must be a number in [0, 1], got ${String(goodEnough)}`);
      }
    }
    const view = this.view(items, weights);
    const fitsSomewhere = this.knownDimensionsOnly(items);
    const all = heuristic === "ffd" || heuristic === "bfd" ? decreasingOrder(view) : inputOrder(view.n);
    const order = all.filter((i) => fitsSomewhere[i] === 1);
    if (heuristic === "ff" || heuristic === "ffd") this.firstFit(view, order);
    else if (goodEnough !== undefined) {
      const coef = this.utilisation(view.weights, view);
      goodEnoughFitDense(view, order, goodEnough, "auto", undefined, this.bestFitBlocks(), coef);
    } else bestFitDense(view, order, "auto", undefined, this.bestFitBlocks());
    const placed: Placement<I, B>[] = [];
    for (const i of view.placements) {
      const index = view.assignment[i] as number;
      // Both indexes must see every placement, whichever heuristic made it.
      this.tree?.update(index);
      this.blocks?.refresh(Math.floor(index / this.blocks.block));
      placed.push({ item: items[i] as I, bin: this.source[index] as B, index });
    }
    const unplaced: I[] = [];
    for (let i = 0; i < view.n; i++) if (view.assignment[i] === -1) unplaced.push(items[i] as I);
    return { placed, unplaced };
  }

  /** What is left on the bin at `index` (input order), over the bins' dimensions. */
  residualOf(index: number): Vector {
    const { d, dims, residual, m } = this.dense;
    if (!Number.isInteger(index) || index < 0 || index >= m) {
      throw new BinpackError(`index must be an integer in [0, ${m}), got ${String(index)}`);
    }
    const out: Record<string, number> = {};
    for (let k = 0; k < d; k++) out[dims[k] as string] = Math.max(0, residual[index * d + k] as number);
    return out;
  }

  /** A dense problem of this batch's items over the table's shared capacity, used and residual arrays. */
  private view(items: readonly Item[], weights: BatchOptions["weights"]): Dense {
    if (!Array.isArray(items)) throw new BinpackError(`items must be an array, got ${String(items)}`);
    checkIds(items, "items", true);
    const { d, dims, m, capacity, used, residual } = this.dense;
    const n = items.length;
    const demand = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const vector = (items[i] as Item).demand as unknown;
      if (typeof vector !== "object" || vector === null) {
        throw new BinpackError(
          `items[${i}].demand must be an object of resource amounts, got ${String(vector)}`,
        );
      }
      const record = vector as Record<string, unknown>;
      for (const key in record) {
        const value = record[key];
        if (typeof value !== "number" || !(value >= 0 && value < Number.POSITIVE_INFINITY)) {
          throw new BinpackError(
            `items[${i}].demand.${key} must be a finite number >= 0, got ${String(value)}`,
          );
        }
        const k = this.dims.get(key);
        if (k !== undefined) demand[i * d + k] = value;
      }
    }
    return {
      dims,
      d,
      n,
      m,
      demand,
      capacity,
      used,
      residual,
      weights: denseWeights(dims, weights),
      assignment: new Int32Array(n).fill(-1),
      placements: [],
    };
  }

  /** 1 for items that need no dimension outside the table's (beyond the fit tolerance), else 0. */
  private knownDimensionsOnly(items: readonly Item[]): Uint8Array {
    const out = new Uint8Array(items.length).fill(1);
    items.forEach((item, i) => {
      for (const key in item.demand) {
        if (!this.dims.has(key) && (item.demand[key] as number) > FIT_TOLERANCE) out[i] = 0;
      }
    });
    return out;
  }

  private firstFit(view: Dense, order: readonly number[]): void {
    this.tree ??= new MaxTree(this.dense.residual, this.dense.m, this.dense.d);
    const need = new Float64Array(view.d);
    for (const i of order) {
      const j = this.tree.findFirst(needOf(view, i, need));
      if (j >= 0) {
        place(view, i, j);
        this.tree.update(j);
      }
    }
  }

  /** The good-enough coefficients for these weights, recomputed only when the weights change. */
  private utilisation(weights: Float64Array, view: Dense): Float64Array {
    const cached = this.coef;
    if (cached?.weights.every((w, k) => w === weights[k])) return cached.coef;
    const coef = utilisationCoefficients(view);
    this.coef = { weights: weights.slice(), coef };
    return coef;
  }

  private bestFitBlocks(): BestFitBlocks | undefined {
    if (this.dense.m < PRUNE_FROM) return undefined;
    this.blocks ??= new BestFitBlocks(this.dense);
    return this.blocks;
  }
}
