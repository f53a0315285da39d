import { BinpackError } from "./binpack-error.js";
import type { Bin, Item, PackedBin, Packing, Vector, Weights } from "./types.js";
import { FIT_TOLERANCE } from "./vector.js";

/**
 * A packing problem in the dense form the hot loops read: record vectors are converted once per call into
 * row-major Float64Arrays (row = item or bin, column = dimension), so scans touch contiguous memory only.
 * @internal
 */
export interface Dense {
  readonly dims: string[];
  readonly d: number;
  readonly n: number;
  readonly m: number;
  /** n × d item demands. */
  readonly demand: Float64Array;
  /** m × d bin capacities. */
  readonly capacity: Float64Array;
  /** m × d sums of placed demand, accumulated in placement order (as the original's `sum(content)`). */
  readonly used: Float64Array;
  /** m × d capacity − used, kept current after every placement. */
  readonly residual: Float64Array;
  /** d weights (1 for every dimension when none were given). */
  readonly weights: Float64Array;
  /** Bin index per item, −1 while unplaced. */
  readonly assignment: Int32Array;
  /** Items in the order they were placed, so each bin lists its items in placement order. */
  readonly placements: number[];
}

function checkAmount(value: unknown, where: string, key: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new BinpackError(`${where}.${key} must be a finite number >= 0, got ${String(value)}`);
  }
}

/**
 * Adds the dimensions `vector` names to `dims`. Vectors of one shape list their keys in the same order, so the
 * key at position k is usually `dims[k]` already and the map lookup is skipped.
 */
function collect(
  index: Map<string, number>,
  dims: string[],
  vector: unknown,
  what: "items" | "bins",
  row: number,
): void {
  if (typeof vector !== "object" || vector === null) {
    const field = what === "items" ? "demand" : "capacity";
    throw new BinpackError(
      `${what}[${row}].${field} must be an object of resource amounts, got ${String(vector)}`,
    );
  }
  let position = 0;
  for (const key in vector as Record<string, unknown>) {
    if (dims[position++] === key) continue;
    if (!index.has(key)) {
      index.set(key, dims.length);
      dims.push(key);
    }
  }
}

/** Checks that every entry is an object with a string id, unique when `unique`. @internal */
export function checkIds(list: readonly { id: string }[], what: string, unique: boolean): void {
  const seen = unique ? new Set<string>() : undefined;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as { id: unknown } | undefined;
    if (typeof entry !== "object" || entry === null) {
      throw new BinpackError(`${what}[${i}] must be an object with an id, got ${String(entry)}`);
    }
    const id = entry.id;
    if (typeof id !== "string")
      throw new BinpackError(`${what}[${i}].id must be a string, got ${String(id)}`);
    if (seen === undefined) continue;
    if (seen.has(id)) throw new BinpackError(`${what}[${i}].id "${id}" is not unique`);
    seen.add(id);
  }
}

/**
 * Fills the bins' capacities in one pass over each record, discovering dimensions on the way (the items'
 * dimensions are known already). A dimension first named by a bin widens the rows filled so far; that happens
 * for the first bins only, since later ones share their shape.
 */
function fillBins(bins: readonly Bin[], dims: string[], index: Map<string, number>): Float64Array {
  const m = bins.length;
  let d = dims.length;
  let capacity = new Float64Array(m * d);
  for (let j = 0; j < m; j++) {
    const vector = (bins[j] as Bin).capacity as unknown;
    if (typeof vector !== "object" || vector === null) {
      throw new BinpackError(
        `bins[${j}].capacity must be an object of resource amounts, got ${String(vector)}`,
      );
    }
    const record = vector as Record<string, unknown>;
    let position = 0;
    for (const key in record) {
      const value = record[key];
      if (typeof value !== "number" || !(value >= 0 && value < Number.POSITIVE_INFINITY)) {
        throw new BinpackError(
          `bins[${j}].capacity.${key} must be a finite number >= 0, got ${String(value)}`,
        );
      }
      let k = dims[position] === key ? position : index.get(key);
      position++;
      if (k === undefined) {
        k = d;
        index.set(key, d);
        dims.push(key);
        const wider = new Float64Array(m * (d + 1));
        for (let row = 0; row <= j; row++) wider.set(capacity.subarray(row * d, row * d + d), row * (d + 1));
        capacity = wider;
        d++;
      }
      capacity[j * d + k] = value;
    }
  }
  return capacity;
}

/** Writes one vector into row `row`, validating every amount on the way. */
function fill(
  target: Float64Array,
  row: number,
  dims: readonly string[],
  index: Map<string, number>,
  vector: Vector,
  what: "items" | "bins",
): void {
  const d = dims.length;
  const base = row * d;
  let position = 0;
  for (const key in vector) {
    const value = vector[key];
    if (typeof value !== "number" || !(value >= 0 && value < Number.POSITIVE_INFINITY)) {
      const field = what === "items" ? "demand" : "capacity";
      throw new BinpackError(
        `${what}[${row}].${field}.${key} must be a finite number >= 0, got ${String(value)}`,
      );
    }
    const k = dims[position] === key ? position : (index.get(key) as number);
    position++;
    target[base + k] = value;
  }
}

/**
 * Validates a problem and converts it to dense form. Dimensions are the union of every key any item or bin
 * names, in first-seen order (items first), so a dimension a bin lacks reads as capacity 0.
 * @internal
 */
export function densify(items: readonly Item[], bins: readonly Bin[], weights?: Weights): Dense {
  if (!Array.isArray(items)) throw new BinpackError(`items must be an array, got ${String(items)}`);
  if (!Array.isArray(bins)) throw new BinpackError(`bins must be an array, got ${String(bins)}`);
  // Item ids must be unique: a task queued twice is a caller bug worth naming. Bins are matched by position
  // only, and checking 100k offer ids would cost more than packing a batch onto them.
  checkIds(items, "items", true);
  checkIds(bins, "bins", false);
  const index = new Map<string, number>();
  const dims: string[] = [];
  for (let i = 0; i < items.length; i++) {
    collect(index, dims, (items[i] as Item).demand, "items", i);
  }
  const capacity = fillBins(bins, dims, index);
  const d = dims.length;
  const n = items.length;
  const m = bins.length;
  const demand = new Float64Array(n * d);
  for (let i = 0; i < n; i++) fill(demand, i, dims, index, (items[i] as Item).demand, "items");
  return {
    dims,
    d,
    n,
    m,
    demand,
    capacity,
    used: new Float64Array(m * d),
    residual: capacity.slice(),
    weights: denseWeights(dims, weights),
    assignment: new Int32Array(n).fill(-1),
    placements: [],
  };
}

/** Per-dimension weights in dense form (1 everywhere when none were given). @internal */
export function denseWeights(dims: readonly string[], weights: Weights | undefined): Float64Array {
  const out = new Float64Array(dims.length);
  if (weights === undefined) return out.fill(1);
  if (typeof weights !== "object" || weights === null) {
    throw new BinpackError(`weights must be an object of per-dimension numbers, got ${String(weights)}`);
  }
  let count = 0;
  for (const key in weights) {
    checkAmount(weights[key], "weights", key);
    count++;
  }
  if (count === 0) throw new BinpackError("weights must name at least one dimension");
  for (let k = 0; k < dims.length; k++) out[k] = weights[dims[k] as string] ?? 0;
  return out;
}

/**
 * Per-item need with the fit tolerance folded in, so a fit test is one comparison per dimension.
 * @internal
 */
export function needOf(p: Dense, item: number, out: Float64Array): Float64Array {
  const base = item * p.d;
  for (let k = 0; k < p.d; k++) out[k] = (p.demand[base + k] as number) - FIT_TOLERANCE;
  return out;
}

/** Whether item `i` (its need in `need`) fits bin `j`'s current residual. @internal */
export function fitsDense(p: Dense, need: Float64Array, j: number): boolean {
  const base = j * p.d;
  for (let k = 0; k < p.d; k++) if ((p.residual[base + k] as number) < (need[k] as number)) return false;
  return true;
}

/**
 * Places item `i` on bin `j`: accumulates the used amount and recomputes the residual as capacity − used,
 * exactly as the original recomputed `target − sum(content)` on every probe.
 * @internal
 */
export function place(p: Dense, i: number, j: number): void {
  const d = p.d;
  const ib = i * d;
  const jb = j * d;
  for (let k = 0; k < d; k++) {
    const used = (p.used[jb + k] as number) + (p.demand[ib + k] as number);
    p.used[jb + k] = used;
    p.residual[jb + k] = (p.capacity[jb + k] as number) - used;
  }
  p.assignment[i] = j;
  p.placements.push(i);
}

/**
 * Stable descending order of items by the original's `weight`: Σ_dim w · x / Σ_items x (a column summing to 0
 * contributes 0). Ties keep input order.
 * @internal
 */
export function decreasingOrder(p: Dense): number[] {
  const { n, d, demand, weights } = p;
  const sums = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) sums[k] = (sums[k] as number) + (demand[i * d + k] as number);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const total = sums[k] as number;
      if (total !== 0) s += ((weights[k] as number) * (demand[i * d + k] as number)) / total;
    }
    score[i] = s;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
  return order;
}

/** The identity order. @internal */
export function inputOrder(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Builds the public result: every bin in input order with its items in placement order and its residual over
 * every dimension of the call; unplaced items in input order. Float noise within the fit tolerance is reported
 * as a residual of 0 rather than a tiny negative number.
 * @internal
 */
export function toPacking<I extends Item, B extends Bin>(
  p: Dense,
  items: readonly I[],
  bins: readonly B[],
): Packing<I, B> {
  const { d, dims, residual } = p;
  const out: PackedBin<I, B>[] = new Array(p.m);
  const lists: I[][] = new Array(p.m);
  for (let j = 0; j < p.m; j++) {
    const r: Record<string, number> = {};
    for (let k = 0; k < d; k++) {
      const v = residual[j * d + k] as number;
      r[dims[k] as string] = Math.max(0, v);
    }
    const list: I[] = [];
    lists[j] = list;
    out[j] = { bin: bins[j] as B, items: list, residual: r };
  }
  for (const i of p.placements) (lists[p.assignment[i] as number] as I[]).push(items[i] as I);
  const unplaced: I[] = [];
  for (let i = 0; i < p.n; i++) if (p.assignment[i] === -1) unplaced.push(items[i] as I);
  return { bins: out, unplaced };
}
