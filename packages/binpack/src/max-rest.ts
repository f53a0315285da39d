import { type Dense, densify, fitsDense, inputOrder, needOf, place, toPacking } from "./dense.js";
import type { Bin, HeuristicOptions, Item, Packing } from "./types.js";

/**
 * satyr 0.2.1's max-rest over dense state: per item, weight every bin's residual (normalised by the column sums
 * over all bins), take the maximum (first on ties) and try the item there only.
 * @internal
 */
export function maxRestDense(p: Dense, order: readonly number[]): void {
  const { d, m, residual, weights } = p;
  const sums = new Float64Array(d);
  const coef = new Float64Array(d);
  const need = new Float64Array(d);
  for (const i of order) {
    sums.fill(0);
    for (let j = 0, base = 0; j < m; j++, base += d) {
      for (let k = 0; k < d; k++) sums[k] = (sums[k] as number) + (residual[base + k] as number);
    }
    for (let k = 0; k < d; k++) {
      const s = sums[k] as number;
      coef[k] = s !== 0 ? (weights[k] as number) / s : 0;
    }
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let j = 0, base = 0; j < m; j++, base += d) {
      let score = 0;
      for (let k = 0; k < d; k++) score += (coef[k] as number) * (residual[base + k] as number);
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    }
    if (best >= 0 && fitsDense(p, needOf(p, i, need), best)) place(p, i, best);
  }
}

/**
 * Max-rest, as satyr 0.2.1's `mr`: items in input order; each is tried only on the bin with the largest weighted
 * residual (normalised by the residual sums over all bins) and skipped if it does not fit there. A spreading
 * policy (worst fit on a fixed set of bins): it balances load, it does not pack.
 *
 * @example
 * ```ts
 * const spread = mr(services, machines, { weights: { cpus: 1, mem: 1 } });
 * ```
 */
export function mr<I extends Item, B extends Bin>(
  items: readonly I[],
  bins: readonly B[],
  options: HeuristicOptions = {},
): Packing<I, B> {
  const p = densify(items, bins, options.weights);
  maxRestDense(p, inputOrder(p.n));
  return toPacking(p, items, bins);
}
