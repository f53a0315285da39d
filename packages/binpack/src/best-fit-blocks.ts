import type { Dense } from "./dense.js";
import type { BlockSummaries } from "./gen/kernels.js";

/**
 * Bins per block of the best-fit block index, and the run length of the blocked leftover sums every best-fit
 * scan uses (see {@link bestFitPruned}). 32 bins of 5 dimensions are 1.25 KB: small enough that a block's
 * bounds are tight, large enough that 10k bins are ~300 blocks to walk per item.
 * @internal
 */
export const BEST_FIT_BLOCK = 32;

/**
 * Per-block summaries of the bins' residuals that let best fit skip whole blocks without changing its answer.
 * Blocks are runs of `block` consecutive bins. For every block and dimension it keeps the minimum, maximum and
 * sum of the residuals (the sum accumulated in bin order from 0, exactly as a scan of the block would), and
 * the block's smallest "reference score" Σ_k ref_k · residual_k, where `ref` is a fixed positive direction
 * chosen once from the starting residuals. Residuals only shrink while packing, and every placement refreshes
 * its block, so the summaries stay exact.
 * @internal
 */
export class BestFitBlocks implements BlockSummaries {
  readonly block: number;
  readonly count: number;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  /** Smallest reference score in the block; −∞ when a residual is negative (float noise), which disables pruning there. */
  readonly key: Float64Array;
  readonly ref: Float64Array;
  /** Blocks by ascending starting key: best fit visits the most promising blocks first. */
  readonly order: Int32Array;
  private readonly p: Dense;

  constructor(p: Dense, block = BEST_FIT_BLOCK) {
    const { d, m, residual, weights } = p;
    this.p = p;
    this.block = block;
    this.count = Math.ceil(m / block);
    this.min = new Float64Array(this.count * d);
    this.max = new Float64Array(this.count * d);
    this.sum = new Float64Array(this.count * d);
    this.key = new Float64Array(this.count);
    // The reference direction is best fit's own coefficient vector (weight / leftover sum) for a vanishing item
    // on a fully feasible fleet: when most bins fit, each item's real direction is close to it, and the bound
    // ρ · key (ρ = min_k c_k / ref_k) is tight.
    this.ref = new Float64Array(d);
    const totals = new Float64Array(d);
    for (let j = 0, b = 0; j < m; j++, b += d)
      for (let k = 0; k < d; k++) totals[k] = (totals[k] as number) + (residual[b + k] as number);
    for (let k = 0; k < d; k++) {
      const t = totals[k] as number;
      this.ref[k] = t > 0 && Number.isFinite(t) ? (weights[k] as number) / t : 0;
    }
    for (let g = 0; g < this.count; g++) this.refresh(g);
    const keys = this.key;
    this.order = Int32Array.from({ length: this.count }, (_, g) => g).sort(
      (a, b) => (keys[a] as number) - (keys[b] as number) || a - b,
    );
  }

  /** Recomputes block `g` from its bins' residuals. */
  refresh(g: number): void {
    const { d, m, residual } = this.p;
    const { min, max, sum, ref } = this;
    const start = g * this.block;
    const end = Math.min(start + this.block, m);
    const at = g * d;
    let key = Number.POSITIVE_INFINITY;
    for (let k = 0; k < d; k++) {
      min[at + k] = Number.POSITIVE_INFINITY;
      max[at + k] = Number.NEGATIVE_INFINITY;
      sum[at + k] = 0;
    }
    for (let j = start, b = start * d; j < end; j++, b += d) {
      let score = 0;
      for (let k = 0; k < d; k++) {
        const r = residual[b + k] as number;
        if (r < (min[at + k] as number)) min[at + k] = r;
        if (r > (max[at + k] as number)) max[at + k] = r;
        sum[at + k] = (sum[at + k] as number) + r;
        if (r < 0) score = Number.NEGATIVE_INFINITY;
        score += (ref[k] as number) * r;
      }
      if (score < key) key = score;
    }
    this.key[g] = key;
  }
}

/**
 * Best fit for the item at row offset `at`, with block pruning; the same bin as the plain scan
 * ({@link import("./best-fit.js").bestFitGeneric}) returns, which a property test checks.
 *
 * Pass 1 needs the per-dimension leftover sums over the feasible bins. A block whose minimum residual fits the
 * item in every dimension is feasible throughout and contributes its stored sum; a block whose maximum is
 * short in some dimension contributes nothing; only the others are scanned. Sums are accumulated per block
 * and then across blocks in bin order, the same blocked order every best-fit scan uses, so they are bitwise
 * those of the plain scan.
 *
 * Pass 2 minimises Σ_k c_k · r_k over the feasible bins. With ρ = min_k c_k / ref_k, every bin of a block
 * scores at least ρ · key (all terms are ≥ 0 when no residual is negative), so a block whose bound, shrunk by
 * a margin far above float rounding, exceeds the best score so far cannot hold the winner and is skipped.
 * Blocks are visited by ascending starting key and ties go to the lower bin index, as in the plain scan.
 * @internal
 */
export function bestFitPruned(
  p: Dense,
  blocks: BestFitBlocks,
  at: number,
  need: Float64Array,
  sums: Float64Array,
  part: Float64Array,
  coef: Float64Array,
): number {
  const { d, m, residual, demand, weights } = p;
  const { block, count: blockCount, min, max, sum, key, ref, order } = blocks;
  sums.fill(0);
  let count = 0;
  for (let g = 0, at2 = 0; g < blockCount; g++, at2 += d) {
    let all = true;
    let none = false;
    for (let k = 0; k < d; k++) {
      const nk = need[k] as number;
      if ((max[at2 + k] as number) < nk) {
        none = true;
        break;
      }
      if ((min[at2 + k] as number) < nk) all = false;
    }
    if (none) continue;
    const start = g * block;
    const end = Math.min(start + block, m);
    if (all) {
      count += end - start;
      for (let k = 0; k < d; k++) sums[k] = (sums[k] as number) + (sum[at2 + k] as number);
      continue;
    }
    part.fill(0);
    for (let j = start, b = start * d; j < end; j++, b += d) {
      let k = 0;
      while (k < d && (residual[b + k] as number) >= (need[k] as number)) k++;
      if (k < d) continue;
      count++;
      for (k = 0; k < d; k++) part[k] = (part[k] as number) + (residual[b + k] as number);
    }
    for (let k = 0; k < d; k++) sums[k] = (sums[k] as number) + (part[k] as number);
  }
  if (count === 0) return -1;
  let rho = Number.POSITIVE_INFINITY;
  for (let k = 0; k < d; k++) {
    const s = (sums[k] as number) - count * (demand[at + k] as number);
    const c = s > 0 ? (weights[k] as number) / s : 0;
    coef[k] = c;
    const r = ref[k] as number;
    if (r > 0) rho = Math.min(rho, c / r);
  }
  if (rho === Number.POSITIVE_INFINITY) rho = 0;
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let t = 0; t < blockCount; t++) {
    const g = order[t] as number;
    const at2 = g * d;
    let k = 0;
    while (k < d && (max[at2 + k] as number) >= (need[k] as number)) k++;
    if (k < d) continue;
    const lowest = key[g] as number;
    // Relative rounding of a 5-term score is ~1e-15; 1e-10 leaves a wide margin, and the subtraction keeps the
    // bound below scores that underflow.
    if (lowest > 0 && rho * lowest * (1 - 1e-10) - 1e-300 > bestScore) continue;
    const start = g * block;
    const end = Math.min(start + block, m);
    for (let j = start, b = start * d; j < end; j++, b += d) {
      k = 0;
      while (k < d && (residual[b + k] as number) >= (need[k] as number)) k++;
      if (k < d) continue;
      let score = 0;
      for (k = 0; k < d; k++) score += (coef[k] as number) * (residual[b + k] as number);
      if (score < bestScore || (score === bestScore && j < best)) {
        bestScore = score;
        best = j;
      }
    }
  }
  return best;
}
