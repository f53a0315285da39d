import { BEST_FIT_BLOCK, BestFitBlocks, bestFitPruned } from "./best-fit-blocks.js";
import { BinpackError } from "./binpack-error.js";
import { type Dense, decreasingOrder, densify, inputOrder, place, toPacking } from "./dense.js";
import {
  bestFitKernels,
  goodEnoughBlockKernels,
  goodEnoughKernels,
  prunedBestFitKernels,
} from "./gen/kernels.js";
import type { BestFitOptions, Bin, Item, Packing } from "./types.js";
import { FIT_TOLERANCE } from "./vector.js";

/**
 * The plain best-fit scan for one item, for any dimension count: the reference the faster paths must agree
 * with (the generated kernels unroll it for 1–8 dimensions; {@link bestFitPruned} skips blocks). Leftover sums
 * are accumulated per run of `block` bins and then across runs, in bin order: a fixed order every path shares,
 * so all of them compute bitwise the same scores.
 * @internal
 */
export function bestFitGeneric(
  p: Dense,
  at: number,
  sums: Float64Array,
  coef: Float64Array,
  block = BEST_FIT_BLOCK,
): number {
  const { d, m, residual, demand, weights } = p;
  sums.fill(0);
  const part = new Float64Array(d);
  let count = 0;
  let first = -1;
  for (let start = 0; start < m; start += block) {
    const end = Math.min(start + block, m);
    part.fill(0);
    for (let j = start, base = start * d; j < end; j++, base += d) {
      let k = 0;
      while (k < d && (residual[base + k] as number) >= (demand[at + k] as number) - FIT_TOLERANCE) k++;
      if (k < d) continue;
      if (count++ === 0) first = j;
      for (k = 0; k < d; k++) part[k] = (part[k] as number) + (residual[base + k] as number);
    }
    for (let k = 0; k < d; k++) sums[k] = (sums[k] as number) + (part[k] as number);
  }
  if (count <= 1) return first;
  // Leftover sums are residual sums minus count × demand; a constant shift of every score (Σ c·d) is dropped.
  for (let k = 0; k < d; k++) {
    const s = (sums[k] as number) - count * (demand[at + k] as number);
    coef[k] = s > 0 ? (weights[k] as number) / s : 0;
  }
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let j = first, base = first * d; j < m; j++, base += d) {
    let k = 0;
    while (k < d && (residual[base + k] as number) >= (demand[at + k] as number) - FIT_TOLERANCE) k++;
    if (k < d) continue;
    let score = 0;
    for (k = 0; k < d; k++) score += (coef[k] as number) * (residual[base + k] as number);
    if (score < bestScore) {
      bestScore = score;
      best = j;
    }
  }
  return best;
}

/**
 * How {@link bestFitDense} scans: `"auto"` picks the block-pruned scan from {@link PRUNE_FROM} bins on and the
 * generated full-scan kernels below; the others force one path (tests compare them, the bench times them):
 * `"generic"` is the plain loop, `"scan"` the generated full scan, `"pruned"` the generated pruned kernels and
 * `"pruned-generic"` their loop form (used above 8 dimensions).
 * @internal
 */
export type BestFitPath = "auto" | "generic" | "scan" | "pruned" | "pruned-generic";

/** Bins from which `"auto"` best fit prunes by blocks; below it the index costs more than it saves. @internal */
export const PRUNE_FROM = 4 * BEST_FIT_BLOCK;

/**
 * satyr 0.2.1's best fit over dense state. Per item: one pass finds the feasible bins and the column sums of
 * their leftovers (residual − demand); a second pass scores the feasible bins by Σ_dim w · leftover / column sum
 * and takes the minimum, the first on ties (scores are computed up to a constant shift, which can only reorder
 * bins whose scores tie to the last bits of a double). The normalisation over the feasible candidates is the
 * original's and makes a bin's score depend on the other candidates; it is kept for parity. Every path returns
 * the same bins.
 * @internal
 */
export function bestFitDense(
  p: Dense,
  order: readonly number[],
  path: BestFitPath = "auto",
  block = BEST_FIT_BLOCK,
  prepared?: BestFitBlocks,
): void {
  const { d, m, demand, residual, weights } = p;
  const sums = new Float64Array(d);
  const coef = new Float64Array(d);
  const chosen = path === "auto" ? (m >= PRUNE_FROM ? "pruned" : "scan") : path;
  if (chosen === "pruned" || chosen === "pruned-generic") {
    // Summaries a caller keeps across calls (over the same residual arrays) save rebuilding them per call.
    const blocks = prepared ?? new BestFitBlocks(p, block);
    const need = new Float64Array(d);
    const part = new Float64Array(d);
    const kernel = chosen === "pruned" ? prunedBestFitKernels[d] : undefined;
    for (const i of order) {
      const at = i * d;
      let j: number;
      if (kernel !== undefined) j = kernel(residual, m, demand, at, weights, FIT_TOLERANCE, blocks);
      else {
        for (let k = 0; k < d; k++) need[k] = (demand[at + k] as number) - FIT_TOLERANCE;
        j = bestFitPruned(p, blocks, at, need, sums, part, coef);
      }
      if (j >= 0) {
        place(p, i, j);
        blocks.refresh(Math.floor(j / blocks.block));
      }
    }
    return;
  }
  const kernel = chosen === "generic" ? undefined : bestFitKernels[d];
  for (const i of order) {
    const at = i * d;
    const j =
      kernel === undefined
        ? bestFitGeneric(p, at, sums, coef, block)
        : kernel(residual, m, demand, at, weights, FIT_TOLERANCE, block);
    if (j >= 0) place(p, i, j);
  }
}

/**
 * The good-enough score's coefficients: per bin and dimension, w / (capacity · Σ w over the bin's dimensions),
 * 0 where the bin lacks the dimension. They depend on the capacities and weights only, so a caller keeping the
 * bins may keep them too.
 * @internal
 */
export function utilisationCoefficients(p: Dense): Float64Array {
  const { d, m, capacity, weights } = p;
  const coef = new Float64Array(m * d);
  for (let j = 0; j < m; j++) {
    let total = 0;
    for (let k = 0; k < d; k++) if ((capacity[j * d + k] as number) > 0) total += weights[k] as number;
    if (total === 0) continue;
    for (let k = 0; k < d; k++) {
      const c = capacity[j * d + k] as number;
      coef[j * d + k] = c > 0 ? (weights[k] as number) / (c * total) : 0;
    }
  }
  return coef;
}

/**
 * Best fit with a "good enough" early exit. A bin's score is its weighted utilisation after the placement,
 * Σ_dim w · (used + demand) / capacity over the dimensions it has, divided by the sum of those weights (absolute,
 * so it can be judged without seeing the other bins). The first feasible bin scoring ≥ `goodEnough` wins at
 * once; otherwise the highest score, the first on ties.
 * @internal
 */
export function goodEnoughFitDense(
  p: Dense,
  order: readonly number[],
  goodEnough: number,
  path: BestFitPath = "auto",
  block = BEST_FIT_BLOCK,
  prepared?: BestFitBlocks,
  preparedCoef?: Float64Array,
): void {
  const { d, m, residual, demand, used } = p;
  const coef = preparedCoef ?? utilisationCoefficients(p);
  const chosen = path === "auto" ? (m >= PRUNE_FROM ? "pruned" : "scan") : path;
  // Skipping blocks with no room pays where bins fill up in order (the early ones are full).
  const blocks =
    chosen === "pruned" || chosen === "pruned-generic"
      ? (prepared ?? new BestFitBlocks(p, block))
      : undefined;
  const kernel = chosen === "generic" || chosen === "pruned-generic" ? undefined : goodEnoughKernels[d];
  const blockKernel = chosen === "pruned" ? goodEnoughBlockKernels[d] : undefined;
  for (const i of order) {
    const at = i * d;
    let best = -1;
    if (blocks !== undefined && blockKernel !== undefined) {
      best = blockKernel(residual, m, demand, at, used, coef, goodEnough, FIT_TOLERANCE, blocks);
    } else if (blocks === undefined && kernel !== undefined) {
      best = kernel(residual, m, demand, at, used, coef, goodEnough, FIT_TOLERANCE);
    } else {
      let bestScore = Number.NEGATIVE_INFINITY;
      const max = blocks?.max;
      for (let j = 0, base = 0; j < m; j++, base += d) {
        if (max !== undefined && blocks !== undefined && j % blocks.block === 0) {
          const q = (j / blocks.block) * d;
          let k = 0;
          while (k < d && (max[q + k] as number) >= (demand[at + k] as number) - FIT_TOLERANCE) k++;
          if (k < d) {
            // No bin of this block has room: jump to the last bin of the block.
            const skip = Math.min(blocks.block, m - j) - 1;
            j += skip;
            base += skip * d;
            continue;
          }
        }
        let k = 0;
        while (k < d && (residual[base + k] as number) >= (demand[at + k] as number) - FIT_TOLERANCE) k++;
        if (k < d) continue;
        let score = 0;
        for (k = 0; k < d; k++) {
          score += (coef[base + k] as number) * ((used[base + k] as number) + (demand[at + k] as number));
        }
        if (score > bestScore) {
          bestScore = score;
          best = j;
          if (score >= goodEnough) break;
        }
      }
    }
    if (best >= 0) {
      place(p, i, best);
      blocks?.refresh(Math.floor(best / blocks.block));
    }
  }
}

function run(p: Dense, order: readonly number[], goodEnough: number | undefined): void {
  if (goodEnough === undefined) {
    bestFitDense(p, order);
    return;
  }
  if (typeof goodEnough !== "number" || !(goodEnough >= 0 && goodEnough <= 1)) {
    throw new BinpackError(`goodEnough must be a number in [0, 1], got ${String(goodEnough)}`);
  }
  goodEnoughFitDense(p, order, goodEnough);
}

/**
 * Best fit, as satyr 0.2.1's `bf`: items in input order, each on the feasible bin whose weighted leftover is
 * smallest, leftovers normalised per dimension by their sum over the feasible bins; the first bin on ties.
 * With `goodEnough` the score becomes the bin's utilisation after placement and the scan stops at the first bin
 * that reaches it (see {@link BestFitOptions}).
 *
 * @example
 * ```ts
 * const packing = bf(tasks, offers, { weights: { cpus: 1, mem: 1 } });
 * ```
 */
export function bf<I extends Item, B extends Bin>(
  items: readonly I[],
  bins: readonly B[],
  options: BestFitOptions = {},
): Packing<I, B> {
  const p = densify(items, bins, options.weights);
  run(p, inputOrder(p.n), options.goodEnough);
  return toPacking(p, items, bins);
}

/**
 * Best fit decreasing, as satyr 0.2.1's `bfd` (its QueueScheduler default, with `cpus=1, mem=1`): the stable
 * weighted decreasing sort of {@link ffd}, then {@link bf} with the same weights.
 *
 * @example
 * ```ts
 * const packing = bfd(tasks, offers, { weights: { cpus: 1, mem: 1 } });
 * ```
 */
export function bfd<I extends Item, B extends Bin>(
  items: readonly I[],
  bins: readonly B[],
  options: BestFitOptions = {},
): Packing<I, B> {
  const p = densify(items, bins, options.weights);
  run(p, decreasingOrder(p), options.goodEnough);
  return toPacking(p, items, bins);
}
