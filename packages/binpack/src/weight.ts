import { BinpackError } from "./binpack-error.js";
import type { Vector, Weights } from "./types.js";

/**
 * satyr 0.2.1's `weight`: one score per vector, Σ_dim w · x / Σ_vectors x, i.e. each dimension normalised by
 * its sum over the list being weighted (a dimension summing to 0 contributes 0). Scores are relative to the
 * list. `ffd`/`bfd` sort by it; `bf` and `mr` apply it to leftovers and residuals.
 *
 * @example
 * ```ts
 * weight([{ cpus: 1, mem: 100 }, { cpus: 3, mem: 100 }], { cpus: 1, mem: 1 });   // [0.75, 1.25]
 * ```
 */
export function weight(vectors: readonly Vector[], weights: Weights): number[] {
  if (!Array.isArray(vectors)) throw new BinpackError(`vectors must be an array, got ${String(vectors)}`);
  if (typeof weights !== "object" || weights === null || Object.keys(weights).length === 0) {
    throw new BinpackError("weights must name at least one dimension");
  }
  const keys = Object.keys(weights);
  for (const key of keys) {
    const w = weights[key];
    if (typeof w !== "number" || !Number.isFinite(w)) {
      throw new BinpackError(`weights.${key} must be a finite number, got ${String(w)}`);
    }
  }
  const sums = keys.map((key) => vectors.reduce((total, v) => total + (v[key] ?? 0), 0));
  return vectors.map((v) =>
    keys.reduce((score, key, k) => {
      const total = sums[k] as number;
      return total === 0 ? score : score + ((weights[key] as number) * (v[key] ?? 0)) / total;
    }, 0),
  );
}
