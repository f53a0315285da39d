import {
  type Dense,
  decreasingOrder,
  densify,
  fitsDense,
  inputOrder,
  needOf,
  place,
  toPacking,
} from "./dense.js";
import { MaxTree } from "./max-tree.js";
import type { Bin, HeuristicOptions, Item, Packing } from "./types.js";

/** Below this many bins a plain scan beats building the tree. @internal */
export const INDEX_THRESHOLD = 64;

/**
 * First fit over dense state in the given item order: each item goes to the first bin, in bin order, where it
 * fits. With `indexed` the leftmost fitting bin comes from a {@link MaxTree}; the result is identical.
 * @internal
 */
export function firstFitDense(p: Dense, order: readonly number[], indexed = p.m >= INDEX_THRESHOLD): void {
  const need = new Float64Array(p.d);
  if (indexed) {
    const tree = new MaxTree(p.residual, p.m, p.d);
    for (const i of order) {
      const j = tree.findFirst(needOf(p, i, need));
      if (j >= 0) {
        place(p, i, j);
        tree.update(j);
      }
    }
    return;
  }
  for (const i of order) {
    needOf(p, i, need);
    for (let j = 0; j < p.m; j++) {
      if (fitsDense(p, need, j)) {
        place(p, i, j);
        break;
      }
    }
  }
}

/**
 * First fit, as satyr 0.2.1's `ff`: items in input order, each on the first bin (in bin order) where it fits in
 * every dimension. Takes no weights: nothing is ordered or scored. Large bin lists use a segment tree of
 * per-dimension maximum residuals, so a placement costs O(d · log m) instead of O(d · m).
 *
 * @example
 * ```ts
 * const { bins, unplaced } = ff(
 *   [{ id: "a", demand: { cpus: 1 } }, { id: "b", demand: { cpus: 4 } }],
 *   [{ id: "m1", capacity: { cpus: 2 } }, { id: "m2", capacity: { cpus: 4 } }],
 * );   // a → m1, b → m2
 * ```
 */
export function ff<I extends Item, B extends Bin>(items: readonly I[], bins: readonly B[]): Packing<I, B> {
  const p = densify(items, bins);
  firstFitDense(p, inputOrder(p.n));
  return toPacking(p, items, bins);
}

/**
 * First fit decreasing, as satyr 0.2.1's `ffd`: a stable sort of the items by their weighted relative size
 * (Σ_dim w · x / Σ_items x, descending), then {@link ff}.
 *
 * @example
 * ```ts
 * const packing = ffd(tasks, machines, { weights: { cpus: 1, mem: 1 } });
 * ```
 */
export function ffd<I extends Item, B extends Bin>(
  items: readonly I[],
  bins: readonly B[],
  options: HeuristicOptions = {},
): Packing<I, B> {
  const p = densify(items, bins, options.weights);
  firstFitDense(p, decreasingOrder(p));
  return toPacking(p, items, bins);
}
