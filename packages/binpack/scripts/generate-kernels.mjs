// Writes src/gen/kernels.ts: the full-scan best-fit kernels unrolled for 1..MAX_D dimensions. A loop over a
// runtime dimension count keeps every residual in memory; unrolled, V8 holds the item's demand, the column
// sums and the coefficients in registers, which makes the scan several times faster. Run `pnpm generate`.
import { mkdirSync, writeFileSync } from "node:fs";

const MAX_D = 8;
const range = (d) => Array.from({ length: d }, (_, k) => k);
const join = (d, f, sep) => range(d).map(f).join(sep);

function bestFit(d) {
  const feasible = join(d, (k) => `r${k} < n${k}`, " || ");
  const load = join(d, (k) => `const r${k} = residual[b + ${k}] as number;`, "\n      ");
  const load2 = join(d, (k) => `const r${k} = residual[b + ${k}] as number;`, "\n    ");
  return `function bestFit${d}(residual: Float64Array, m: number, demand: Float64Array, at: number, weights: Float64Array, tolerance: number, block: number): number {
  ${join(d, (k) => `const d${k} = demand[at + ${k}] as number;`, "\n  ")}
  ${join(d, (k) => `const n${k} = d${k} - tolerance;`, "\n  ")}
  ${join(d, (k) => `let s${k} = 0;`, "\n  ")}
  let count = 0;
  let first = -1;
  // Sums run per block of bins, then across blocks: the order every best-fit path shares.
  for (let start = 0; start < m; start += block) {
    const end = start + block < m ? start + block : m;
    ${join(d, (k) => `let t${k} = 0;`, "\n    ")}
    for (let j = start, b = start * ${d}; j < end; j++, b += ${d}) {
      ${load}
      if (${feasible}) continue;
      if (count++ === 0) first = j;
      ${join(d, (k) => `t${k} += r${k};`, "\n      ")}
    }
    ${join(d, (k) => `s${k} += t${k};`, "\n    ")}
  }
  if (count <= 1) return first;
  // Leftover sums are residual sums minus count × demand; a constant shift of every score (Σ c·d) is dropped.
  ${join(d, (k) => `const l${k} = s${k} - count * d${k};`, "\n  ")}
  ${join(d, (k) => `const c${k} = l${k} > 0 ? (weights[${k}] as number) / l${k} : 0;`, "\n  ")}
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  // Rechecking feasibility is cheaper than storing and chasing a list of feasible bins.
  for (let j = first, b = first * ${d}; j < m; j++, b += ${d}) {
    ${load2}
    if (${feasible}) continue;
    const score = ${join(d, (k) => `c${k} * r${k}`, " + ")};
    if (score < bestScore) {
      bestScore = score;
      best = j;
    }
  }
  return best;
}`;
}

function goodEnough(d) {
  return `function goodEnough${d}(residual: Float64Array, m: number, demand: Float64Array, at: number, used: Float64Array, coef: Float64Array, threshold: number, tolerance: number): number {
  ${join(d, (k) => `const d${k} = demand[at + ${k}] as number;`, "\n  ")}
  ${join(d, (k) => `const n${k} = d${k} - tolerance;`, "\n  ")}
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let j = 0, b = 0; j < m; j++, b += ${d}) {
    if (${join(d, (k) => `(residual[b + ${k}] as number) < n${k}`, " || ")}) continue;
    const score = ${join(d, (k) => `(coef[b + ${k}] as number) * ((used[b + ${k}] as number) + d${k})`, " + ")};
    if (score > bestScore) {
      bestScore = score;
      best = j;
      if (score >= threshold) return j;
    }
  }
  return best;
}`;
}

function pruned(d) {
  const feasible = join(d, (k) => `r${k} < n${k}`, " || ");
  const load = join(d, (k) => `const r${k} = residual[b + ${k}] as number;`, "\n      ");
  return `function bestFitPruned${d}(residual: Float64Array, m: number, demand: Float64Array, at: number, weights: Float64Array, tolerance: number, blocks: BlockSummaries): number {
  const { block, count: blockCount, min, max, sum, key, ref, order } = blocks;
  ${join(d, (k) => `const d${k} = demand[at + ${k}] as number;`, "\n  ")}
  ${join(d, (k) => `const n${k} = d${k} - tolerance;`, "\n  ")}
  ${join(d, (k) => `let s${k} = 0;`, "\n  ")}
  let count = 0;
  for (let g = 0, q = 0; g < blockCount; g++, q += ${d}) {
    // A block short in some dimension holds no feasible bin and adds 0.
    if (${join(d, (k) => `(max[q + ${k}] as number) < n${k}`, " || ")}) continue;
    const start = g * block;
    const end = start + block < m ? start + block : m;
    if (${join(d, (k) => `(min[q + ${k}] as number) >= n${k}`, " && ")}) {
      // Feasible throughout: the stored sum is the block's scan sum, bit for bit.
      count += end - start;
      ${join(d, (k) => `s${k} += sum[q + ${k}] as number;`, "\n      ")}
      continue;
    }
    ${join(d, (k) => `let t${k} = 0;`, "\n    ")}
    for (let j = start, b = start * ${d}; j < end; j++, b += ${d}) {
      ${load}
      if (${feasible}) continue;
      count++;
      ${join(d, (k) => `t${k} += r${k};`, "\n      ")}
    }
    ${join(d, (k) => `s${k} += t${k};`, "\n    ")}
  }
  if (count === 0) return -1;
  ${join(d, (k) => `const l${k} = s${k} - count * d${k};`, "\n  ")}
  ${join(d, (k) => `const c${k} = l${k} > 0 ? (weights[${k}] as number) / l${k} : 0;`, "\n  ")}
  // Every bin of a block without negative residuals scores at least rho · key (rho = min c / ref over ref > 0).
  let rho = Number.POSITIVE_INFINITY;
  ${join(d, (k) => `if ((ref[${k}] as number) > 0 && c${k} / (ref[${k}] as number) < rho) rho = c${k} / (ref[${k}] as number);`, "\n  ")}
  if (rho === Number.POSITIVE_INFINITY) rho = 0;
  // Shrunk by far more than the rounding of a score, and below scores that underflow.
  const shrink = rho * (1 - 1e-10);
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let t = 0; t < blockCount; t++) {
    const g = order[t] as number;
    const q = g * ${d};
    if (${join(d, (k) => `(max[q + ${k}] as number) < n${k}`, " || ")}) continue;
    const lowest = key[g] as number;
    if (lowest > 0 && shrink * lowest - 1e-300 > bestScore) continue;
    const start = g * block;
    const end = start + block < m ? start + block : m;
    for (let j = start, b = start * ${d}; j < end; j++, b += ${d}) {
      ${load}
      if (${feasible}) continue;
      const score = ${join(d, (k) => `c${k} * r${k}`, " + ")};
      if (score < bestScore || (score === bestScore && j < best)) {
        bestScore = score;
        best = j;
      }
    }
  }
  return best;
}`;
}

function goodEnoughBlocks(d) {
  return `function goodEnoughBlocks${d}(residual: Float64Array, m: number, demand: Float64Array, at: number, used: Float64Array, coef: Float64Array, threshold: number, tolerance: number, blocks: BlockSummaries): number {
  const { block, count: blockCount, max } = blocks;
  ${join(d, (k) => `const d${k} = demand[at + ${k}] as number;`, "\n  ")}
  ${join(d, (k) => `const n${k} = d${k} - tolerance;`, "\n  ")}
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  // Blocks in bin order, so the first bin reaching the threshold is the one the plain scan stops at.
  for (let g = 0, q = 0; g < blockCount; g++, q += ${d}) {
    if (${join(d, (k) => `(max[q + ${k}] as number) < n${k}`, " || ")}) continue;
    const start = g * block;
    const end = start + block < m ? start + block : m;
    for (let j = start, b = start * ${d}; j < end; j++, b += ${d}) {
      if (${join(d, (k) => `(residual[b + ${k}] as number) < n${k}`, " || ")}) continue;
      const score = ${join(d, (k) => `(coef[b + ${k}] as number) * ((used[b + ${k}] as number) + d${k})`, " + ")};
      if (score > bestScore) {
        bestScore = score;
        best = j;
        if (score >= threshold) return j;
      }
    }
  }
  return best;
}`;
}

const out = `// Generated by scripts/generate-kernels.mjs; do not edit. Regenerate with \`pnpm generate\`.

/**
 * Full-scan best fit for one item with satyr 0.2.1's scoring: returns the feasible bin whose leftover, weighted
 * and normalised by the leftover sums over the feasible bins (summed per run of \`block\` bins, then across runs), is
 * smallest (the first on ties), or -1.
 * @internal
 */
export type BestFitKernel = (
  residual: Float64Array,
  m: number,
  demand: Float64Array,
  at: number,
  weights: Float64Array,
  tolerance: number,
  block: number,
) => number;

/**
 * The block summaries the pruned kernels read ({@link import("../best-fit-blocks.js").BestFitBlocks}).
 * @internal
 */
export interface BlockSummaries {
  readonly block: number;
  readonly count: number;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  readonly key: Float64Array;
  readonly ref: Float64Array;
  readonly order: Int32Array;
}

/**
 * Block-pruned best fit: the same bin as {@link BestFitKernel} (see \`bestFitPruned\` in best-fit-blocks.ts).
 * @internal
 */
export type PrunedBestFitKernel = (
  residual: Float64Array,
  m: number,
  demand: Float64Array,
  at: number,
  weights: Float64Array,
  tolerance: number,
  blocks: BlockSummaries,
) => number;

/**
 * Full-scan utilisation best fit with an early exit: returns the first feasible bin whose score reaches
 * \`threshold\`, else the best-scoring one (the first on ties), or -1.
 * @internal
 */
export type GoodEnoughKernel = (
  residual: Float64Array,
  m: number,
  demand: Float64Array,
  at: number,
  used: Float64Array,
  coef: Float64Array,
  threshold: number,
  tolerance: number,
) => number;

/**
 * {@link GoodEnoughKernel} skipping blocks whose maximum residual falls short of the item somewhere: the same bin.
 * @internal
 */
export type GoodEnoughBlockKernel = (
  residual: Float64Array,
  m: number,
  demand: Float64Array,
  at: number,
  used: Float64Array,
  coef: Float64Array,
  threshold: number,
  tolerance: number,
  blocks: BlockSummaries,
) => number;

${range(MAX_D)
  .map((k) => bestFit(k + 1))
  .join("\n\n")}

${range(MAX_D)
  .map((k) => pruned(k + 1))
  .join("\n\n")}

${range(MAX_D)
  .map((k) => goodEnough(k + 1))
  .join("\n\n")}

${range(MAX_D)
  .map((k) => goodEnoughBlocks(k + 1))
  .join("\n\n")}

/** Kernels by dimension count (index 0 unused); dimension counts above ${MAX_D} use the generic loops. @internal */
export const bestFitKernels: readonly (BestFitKernel | undefined)[] = [undefined, ${join(MAX_D, (k) => `bestFit${k + 1}`, ", ")}];

/** Kernels by dimension count (index 0 unused). @internal */
export const prunedBestFitKernels: readonly (PrunedBestFitKernel | undefined)[] = [undefined, ${join(MAX_D, (k) => `bestFitPruned${k + 1}`, ", ")}];

/** Kernels by dimension count (index 0 unused). @internal */
export const goodEnoughBlockKernels: readonly (GoodEnoughBlockKernel | undefined)[] = [undefined, ${join(MAX_D, (k) => `goodEnoughBlocks${k + 1}`, ", ")}];

/** Kernels by dimension count (index 0 unused). @internal */
export const goodEnoughKernels: readonly (GoodEnoughKernel | undefined)[] = [undefined, ${join(MAX_D, (k) => `goodEnough${k + 1}`, ", ")}];
`;

mkdirSync(new URL("../src/gen/", import.meta.url), { recursive: true });
writeFileSync(new URL("../src/gen/kernels.ts", import.meta.url), out);
