import { BinpackError } from "./binpack-error.js";
import type { Bin, Item, Vector } from "./types.js";
import { FIT_TOLERANCE } from "./vector.js";

/** Ceiling that does not let floating-point noise above an integer add a bin the data does not force. */
function ceil(x: number): number {
  return Math.ceil(x - 1e-9 * Math.max(1, Math.abs(x)));
}

function checkCapacity(capacity: unknown, what: string): void {
  if (typeof capacity !== "number" || !Number.isFinite(capacity) || capacity <= 0) {
    throw new BinpackError(`${what} must be a finite number > 0, got ${String(capacity)}`);
  }
}

function checkedSizes(sizes: readonly number[], capacity: number): number[] {
  if (!Array.isArray(sizes)) throw new BinpackError(`sizes must be an array, got ${String(sizes)}`);
  checkCapacity(capacity, "capacity");
  const out: number[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const w = sizes[i];
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw new BinpackError(`sizes[${i}] must be a finite number >= 0, got ${String(w)}`);
    }
    // An item larger than a bin is never placed, so it occupies no bin.
    if (w - FIT_TOLERANCE <= capacity) out.push(w);
  }
  return out;
}

/**
 * L1 = ⌈Σ sizes / capacity⌉, the continuous bound for one dimension and identical bins (never above the optimal
 * number of bins; at worst half of it). Sizes larger than the capacity are ignored: no bin can take them.
 *
 * @example
 * ```ts
 * lowerBoundL1([60, 60, 60], 100);   // 2
 * ```
 */
export function lowerBoundL1(sizes: readonly number[], capacity: number): number {
  const kept = checkedSizes(sizes, capacity);
  let total = 0;
  for (const w of kept) total += w;
  return Math.max(0, ceil(total / capacity));
}

/** Index of the first element of ascending `a` that is > x (upper bound). */
function above(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index of the first element of ascending `a` that is ≥ x (lower bound). */
function atLeast(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** L2 on already checked sizes, O(n log n). */
function l2(kept: number[], capacity: number): number {
  const a = kept.sort((x, y) => x - y);
  const n = a.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (a[i] as number);
  const sum = (from: number, to: number) => (prefix[to] as number) - (prefix[from] as number);
  // Classes are cut with a little slack so that rounding (a surrogate size of 1.2000000000000002 against
  // c − K = 1.2) can only move an item to a class that weakens the bound, never one that inflates it.
  const slack = 1e-9 * capacity;
  const halfEnd = above(a, capacity / 2 + slack);
  const lastK = above(a, capacity / 2);
  let best = 0;
  let previous = Number.NaN;
  // K = 0 and every distinct size ≤ c/2 are the only thresholds where L(K) can change.
  for (let t = -1; t < lastK; t++) {
    const k = t < 0 ? 0 : (a[t] as number);
    if (k === previous) continue;
    previous = k;
    const n1From = above(a, capacity - k + slack);
    const n2Count = n1From - halfEnd;
    const n2Sum = sum(halfEnd, n1From);
    const n3Sum = sum(atLeast(a, k), halfEnd);
    const rest = ceil((n3Sum - (n2Count * capacity - n2Sum)) / capacity);
    const value = n - n1From + n2Count + Math.max(0, rest);
    if (value > best) best = value;
  }
  return best;
}

/**
 * Martello–Toth L2 for one dimension and identical bins: items above c − K each need their own bin, items in
 * (c/2, c − K] too, and items in [K, c/2] must fit into what those leave or open new bins; the maximum over K.
 * Never above the optimum, at worst 2/3 of it, often equal. Sizes larger than the capacity are ignored.
 *
 * @example
 * ```ts
 * lowerBoundL2([60, 60, 60], 100);   // 3 (L1 says 2)
 * ```
 */
export function lowerBoundL2(sizes: readonly number[], capacity: number): number {
  return l2(checkedSizes(sizes, capacity), capacity);
}

/** Largest k such that the k smallest sizes fit together into `capacity`. */
function mostThatFit(sizes: number[], capacity: number): number {
  const a = sizes.slice().sort((x, y) => x - y);
  let total = 0;
  for (let k = 0; k < a.length; k++) {
    total += a[k] as number;
    if (total - FIT_TOLERANCE > capacity) return k;
  }
  return a.length;
}

function demandsOf(items: readonly Item[]): Vector[] {
  if (!Array.isArray(items)) throw new BinpackError(`items must be an array, got ${String(items)}`);
  return items.map((item, i) => {
    const demand = (item as Item | undefined)?.demand;
    if (typeof demand !== "object" || demand === null) {
      throw new BinpackError(
        `items[${i}].demand must be an object of resource amounts, got ${String(demand)}`,
      );
    }
    for (const key in demand) {
      const v = demand[key];
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new BinpackError(`items[${i}].demand.${key} must be a finite number >= 0, got ${String(v)}`);
      }
    }
    return demand;
  });
}

/**
 * A lower bound on the bins needed to place `items` on identical bins of `capacity` (any number of dimensions):
 * the maximum of L2 in each dimension, L2 of the surrogate sizes Σ_dim x / capacity against the number of
 * dimensions, and the cardinality bound ⌈n / k⌉ where k is the most items that can share one bin. Items that fit
 * no bin are ignored: every heuristic leaves them unplaced.
 *
 * @example
 * ```ts
 * vectorLowerBound(
 *   [{ id: "a", demand: { cpus: 3, mem: 1 } }, { id: "b", demand: { cpus: 1, mem: 3 } }],
 *   { cpus: 4, mem: 4 },
 * );   // 1
 * ```
 */
export function vectorLowerBound(items: readonly Item[], capacity: Vector): number {
  const demands = demandsOf(items);
  if (typeof capacity !== "object" || capacity === null) {
    throw new BinpackError(`capacity must be an object of resource amounts, got ${String(capacity)}`);
  }
  const dims: string[] = [];
  for (const key in capacity) {
    const c = capacity[key];
    if (typeof c !== "number" || !Number.isFinite(c) || c < 0) {
      throw new BinpackError(`capacity.${key} must be a finite number >= 0, got ${String(c)}`);
    }
    if (c > 0) dims.push(key);
  }
  const placeable = demands.filter((demand) => {
    for (const key in demand)
      if ((demand[key] as number) - FIT_TOLERANCE > (capacity[key] ?? 0)) return false;
    return true;
  });
  const n = placeable.length;
  if (n === 0) return 0;
  let best = 1;
  let most = n;
  const surrogate = new Array<number>(n).fill(0);
  for (const key of dims) {
    const c = capacity[key] as number;
    const column = placeable.map((demand) => demand[key] ?? 0);
    for (let i = 0; i < n; i++) surrogate[i] = (surrogate[i] as number) + (column[i] as number) / c;
    best = Math.max(best, l2(column.slice(), c));
    most = Math.min(most, mostThatFit(column, c));
  }
  if (dims.length > 0) {
    best = Math.max(best, l2(surrogate.slice(), dims.length));
    most = Math.min(most, mostThatFit(surrogate, dims.length));
  }
  return Math.max(best, Math.ceil(n / Math.max(1, most)));
}

/**
 * A lower bound on the bins needed when bins differ (Mesos offers, a mixed fleet): in each dimension, the
 * fewest bins whose largest capacities add up to the total demand; the maximum over dimensions. Items that fit
 * no single bin are ignored. `Infinity` when even all bins together lack the capacity.
 *
 * @example
 * ```ts
 * heterogeneousLowerBound(
 *   [{ id: "a", demand: { cpus: 6 } }, { id: "b", demand: { cpus: 6 } }],
 *   [{ id: "big", capacity: { cpus: 16 } }, { id: "small", capacity: { cpus: 4 } }],
 * );   // 1
 * ```
 */
export function heterogeneousLowerBound(items: readonly Item[], bins: readonly Bin[]): number {
  const demands = demandsOf(items);
  if (!Array.isArray(bins)) throw new BinpackError(`bins must be an array, got ${String(bins)}`);
  const capacities = bins.map((bin, j) => {
    const capacity = (bin as Bin | undefined)?.capacity;
    if (typeof capacity !== "object" || capacity === null) {
      throw new BinpackError(
        `bins[${j}].capacity must be an object of resource amounts, got ${String(capacity)}`,
      );
    }
    for (const key in capacity) {
      const v = capacity[key];
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new BinpackError(`bins[${j}].capacity.${key} must be a finite number >= 0, got ${String(v)}`);
      }
    }
    return capacity;
  });
  const placeable = demands.filter((demand) =>
    capacities.some((capacity) => {
      for (const key in demand)
        if ((demand[key] as number) - FIT_TOLERANCE > (capacity[key] ?? 0)) return false;
      return true;
    }),
  );
  if (placeable.length === 0) return 0;
  const totals = new Map<string, number>();
  for (const demand of placeable)
    for (const key in demand) totals.set(key, (totals.get(key) ?? 0) + (demand[key] as number));
  let best = 1;
  for (const [key, total] of totals) {
    if (total <= FIT_TOLERANCE) continue;
    const column = capacities.map((capacity) => capacity[key] ?? 0).sort((x, y) => y - x);
    let sum = 0;
    let k = 0;
    while (k < column.length && sum + FIT_TOLERANCE < total) sum += column[k++] as number;
    if (sum + FIT_TOLERANCE < total) return Number.POSITIVE_INFINITY;
    best = Math.max(best, k);
  }
  return best;
}
