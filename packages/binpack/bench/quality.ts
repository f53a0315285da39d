/**
 * The quality suite (binpack-anchors.md §6.1): runs heuristics over the regenerated instance sets and reports
 * bins against lower bounds. Shared by the tests (which assert the targets) and `pnpm bench` (which prints).
 */
import {
  type Bin,
  type Heuristic,
  heterogeneousLowerBound,
  type Item,
  lowerBoundL2,
  pack,
  usedBins,
  vectorLowerBound,
} from "../src/index.js";
import {
  asPackingInput,
  binsFor,
  capraraToth,
  falkenauerT,
  falkenauerU,
  fenzoReplica,
  heterogeneous,
  type Instance1D,
  mulberry32,
  scholl1,
  scholl2,
  scholl3,
  schwerin,
} from "./instances.js";

export interface SetResult {
  readonly name: string;
  readonly instances: number;
  readonly meanBound: number;
  /** Mean over instances of bins used / lower bound. */
  readonly meanRatio: number;
  /** Share of instances where bins used equals the lower bound (provably optimal). */
  readonly atBound: number;
  /** Bins used, per instance. */
  readonly used: number[];
}

function summarise(name: string, pairs: { used: number; bound: number }[]): SetResult {
  const ratio = pairs.reduce((s, p) => s + p.used / p.bound, 0) / pairs.length;
  return {
    name,
    instances: pairs.length,
    meanBound: pairs.reduce((s, p) => s + p.bound, 0) / pairs.length,
    meanRatio: ratio,
    atBound: pairs.filter((p) => p.used === p.bound).length / pairs.length,
    used: pairs.map((p) => p.used),
  };
}

/** The one-dimensional sets of §4.1, built with the given seed. `scale` < 1 keeps a leading share of each. */
export function oneDimensionalSets(
  seed: number,
  scale = 1,
): { name: string; instances: Instance1D[]; opt?: "n/3" }[] {
  const rand = mulberry32(seed);
  const take = <T>(xs: T[]) => xs.slice(0, Math.max(1, Math.round(xs.length * scale)));
  const u = (n: number) => take(Array.from({ length: 20 }, () => falkenauerU(rand, n)));
  const t = (n: number) => take(Array.from({ length: 20 }, () => falkenauerT(rand, n)));
  return [
    { name: "Falkenauer u120", instances: u(120) },
    { name: "Falkenauer u250", instances: u(250) },
    { name: "Falkenauer u500", instances: u(500) },
    { name: "Falkenauer u1000", instances: u(1000) },
    { name: "Falkenauer t60", instances: t(60), opt: "n/3" },
    { name: "Falkenauer t120", instances: t(120), opt: "n/3" },
    { name: "Falkenauer t249", instances: t(249), opt: "n/3" },
    { name: "Falkenauer t501", instances: t(501), opt: "n/3" },
    { name: "Scholl bin1", instances: take(scholl1(rand)) },
    { name: "Scholl bin2", instances: take(scholl2(rand)) },
    { name: "Scholl bin3", instances: take(scholl3(rand)) },
    { name: "Schwerin 1", instances: take(schwerin(rand, 100)) },
    { name: "Schwerin 2", instances: take(schwerin(rand, 120)) },
  ];
}

/** Bins used by `heuristic` on one 1-D instance, fed as n identical bins. */
export function binsUsed1D(instance: Instance1D, heuristic: Heuristic): number {
  const { items, bins } = asPackingInput(instance);
  const packing = pack(items, bins, { heuristic });
  if (packing.unplaced.length > 0) throw new Error("an item of a 1-D instance was left unplaced");
  return usedBins(packing);
}

/** Mean bins / bound over one 1-D set; the bound is L2, or n/3 (= OPT) for triplets. */
export function evaluate1D(
  set: { name: string; instances: Instance1D[]; opt?: "n/3" },
  heuristic: Heuristic,
): SetResult {
  return summarise(
    set.name,
    set.instances.map((instance) => ({
      used: binsUsed1D(instance, heuristic),
      bound: set.opt === "n/3" ? instance.sizes.length / 3 : lowerBoundL2(instance.sizes, instance.capacity),
    })),
  );
}

export const CT_REPORTED_CLASSES = [1, 4, 5, 6, 7, 9, 10] as const;

/** Caprara–Toth class `cls` for n ∈ {25, 50, 100, 200} × `perSize` instances, bins / vector lower bound. */
export function evaluateCapraraToth(
  cls: number,
  heuristic: Heuristic,
  seed: number,
  perSize = 10,
): SetResult {
  const rand = mulberry32(seed * 1000 + cls);
  const pairs: { used: number; bound: number }[] = [];
  for (const n of [25, 50, 100, 200]) {
    for (let r = 0; r < perSize; r++) {
      const instance = capraraToth(rand, cls, n);
      const packing = pack(instance.items, binsFor(instance), { heuristic });
      if (packing.unplaced.length > 0) throw new Error("an item of a vector instance was left unplaced");
      pairs.push({ used: usedBins(packing), bound: vectorLowerBound(instance.items, instance.capacity) });
    }
  }
  return summarise(`Caprara-Toth class ${cls}`, pairs);
}

/**
 * Caprara–Toth class `cls` packed by first fit after a stable decreasing sort on the anchors' item-centric keys
 * (sizes over the bin capacity, summed or maxed over the dimensions), to compare the original's weight with.
 */
export function capraraTothKeyed(cls: number, seed: number, key: "sum" | "max", perSize = 10): number {
  const rand = mulberry32(seed * 1000 + cls);
  let total = 0;
  let count = 0;
  for (const n of [25, 50, 100, 200]) {
    for (let r = 0; r < perSize; r++) {
      const instance = capraraToth(rand, cls, n);
      const size = (item: Item) => {
        const parts = Object.keys(instance.capacity).map(
          (k) => (item.demand[k] ?? 0) / (instance.capacity[k] as number),
        );
        return key === "sum" ? parts.reduce((a, b) => a + b, 0) : Math.max(...parts);
      };
      const sorted = instance.items
        .map((item, i) => ({ item, i, s: size(item) }))
        .sort((a, b) => b.s - a.s || a.i - b.i)
        .map((x) => x.item);
      const packing = pack(sorted, binsFor(instance), { heuristic: "ff" });
      total += usedBins(packing) / vectorLowerBound(instance.items, instance.capacity);
      count++;
    }
  }
  return total / count;
}

/** Mean of the per-class mean ratios over the classes papers report (1, 4, 5, 6, 7, 9, 10). */
export function capraraTothMean(heuristic: Heuristic, seed: number, perSize = 10): number {
  const ratios = CT_REPORTED_CLASSES.map(
    (cls) => evaluateCapraraToth(cls, heuristic, seed, perSize).meanRatio,
  );
  return ratios.reduce((a, b) => a + b, 0) / ratios.length;
}

/** Share of all cores used on the Fenzo replica. */
export interface FenzoResult {
  readonly hosts: number;
  readonly onlineBestFit: number;
  readonly offlineFfd: number;
  readonly offlineBfd: number;
  readonly spreading: number;
  readonly goodEnough: number;
}

function coresPlaced(tasks: readonly Item[]): number {
  return tasks.reduce((s, t) => s + (t.demand.cpus ?? 0), 0);
}

/** Online placement in batches of 200 (one at a time, in order, no retries) onto the hosts' residuals. */
export function onlineUtilisation(
  hosts: readonly Bin[],
  tasks: readonly Item[],
  totalCores: number,
  options: { heuristic: Heuristic; goodEnough?: number },
): number {
  let offers: Bin[] = hosts.slice();
  let placed = 0;
  for (let start = 0; start < tasks.length; start += 200) {
    const packing = pack(tasks.slice(start, start + 200), offers, options);
    offers = packing.bins.map(({ bin, residual }) => ({ id: bin.id, capacity: residual }));
    for (const b of packing.bins) placed += coresPlaced(b.items);
  }
  return placed / totalCores;
}

export function evaluateFenzo(hostCount: number, seed: number): FenzoResult {
  const { hosts, tasks, totalCores } = fenzoReplica(mulberry32(seed), hostCount);
  const offline = (heuristic: Heuristic) =>
    pack(tasks, hosts, { heuristic }).bins.reduce((s, b) => s + coresPlaced(b.items), 0) / totalCores;
  return {
    hosts: hostCount,
    onlineBestFit: onlineUtilisation(hosts, tasks, totalCores, { heuristic: "bf" }),
    offlineFfd: offline("ffd"),
    offlineBfd: offline("bfd"),
    spreading: onlineUtilisation(hosts, tasks, totalCores, { heuristic: "mr" }),
    goodEnough: onlineUtilisation(hosts, tasks, totalCores, { heuristic: "bf", goodEnough: 0.9 }),
  };
}

/** Q4: heterogeneous offers; offers used against LB_het and the share of tasks placed. */
export function evaluateHeterogeneous(
  heuristic: Heuristic,
  seed: number,
  offers = 400,
  tasks = 1500,
): { usedOverBound: number; placed: number } {
  const { items, bins } = heterogeneous(mulberry32(seed), offers, tasks);
  const packing = pack(items, bins, { heuristic });
  return {
    usedOverBound: usedBins(packing) / heterogeneousLowerBound(items, bins),
    placed: (items.length - packing.unplaced.length) / items.length,
  };
}
