/**
 * Seeded generators for the published benchmark recipes (binpack-anchors.md §4.1, §4.2, §4.5, §6.1). They
 * regenerate equivalent instances, not the original files: compare distributions, not instance by instance.
 */
import type { Bin, Item } from "../src/index.js";

/** A seeded PRNG returning floats in [0, 1). */
export type Random = () => number;

/** mulberry32: a 32-bit state, one multiply-xorshift round per draw; plenty for instance generation. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [a, b], both ends inclusive. */
export function uniform(rand: Random, a: number, b: number): number {
  return a + Math.floor(rand() * (b - a + 1));
}

export function shuffle<T>(rand: Random, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

/** A one-dimensional instance. */
export interface Instance1D {
  readonly capacity: number;
  readonly sizes: number[];
}

export const falkenauerU = (rand: Random, n: number): Instance1D => ({
  capacity: 150,
  sizes: Array.from({ length: n }, () => uniform(rand, 20, 100)),
});

/** Triplets: every bin of an optimal packing holds exactly three items summing to 1000, so OPT = n/3. */
export function falkenauerT(rand: Random, n: number): Instance1D {
  const sizes: number[] = [];
  for (let t = 0; t < n / 3; t++) {
    const a = uniform(rand, 380, 490);
    const s = 1000 - a;
    const b = uniform(rand, 250, Math.floor(s / 2));
    sizes.push(a, b, s - b);
  }
  return { capacity: 1000, sizes: shuffle(rand, sizes) };
}

export function scholl1(rand: Random): Instance1D[] {
  const out: Instance1D[] = [];
  for (const n of [50, 100, 200, 500])
    for (const capacity of [100, 120, 150])
      for (const [lo, hi] of [
        [1, 100],
        [20, 100],
        [30, 100],
      ] as const)
        for (let r = 0; r < 20; r++) {
          out.push({ capacity, sizes: Array.from({ length: n }, () => uniform(rand, lo, hi)) });
        }
  return out;
}

export function scholl2(rand: Random): Instance1D[] {
  const out: Instance1D[] = [];
  for (const n of [50, 100, 200, 500])
    for (const k of [3, 5, 7, 9])
      for (const delta of [0.2, 0.5, 0.9])
        for (let r = 0; r < 10; r++) {
          const lo = Math.round((1000 / k) * (1 - delta));
          const hi = Math.round((1000 / k) * (1 + delta));
          out.push({ capacity: 1000, sizes: Array.from({ length: n }, () => uniform(rand, lo, hi)) });
        }
  return out;
}

export const scholl3 = (rand: Random): Instance1D[] =>
  Array.from({ length: 10 }, () => ({
    capacity: 100000,
    sizes: Array.from({ length: 200 }, () => uniform(rand, 20000, 35000)),
  }));

export const schwerin = (rand: Random, n: number, count = 100): Instance1D[] =>
  Array.from({ length: count }, () => ({
    capacity: 1000,
    sizes: Array.from({ length: n }, () => uniform(rand, 150, 200)),
  }));

/** A one-dimensional instance as items and n identical bins (one per item, so nothing is ever unplaced). */
export function asPackingInput(instance: Instance1D): { items: Item[]; bins: Bin[] } {
  return {
    items: instance.sizes.map((size, i) => ({ id: `i${i}`, demand: { size } })),
    bins: instance.sizes.map((_, j) => ({ id: `b${j}`, capacity: { size: instance.capacity } })),
  };
}

/** A vector instance on identical bins. */
export interface InstanceVector {
  readonly capacity: Record<string, number>;
  readonly items: Item[];
}

/** Caprara & Toth (2001) 2-D classes 1–10; class 10 rounds n to a multiple of 3 (24, 51, 99, 201). */
export function capraraToth(rand: Random, cls: number, n: number): InstanceVector {
  const pairs: [number, number][] = [];
  let capacity: Record<string, number> = { a: 1000, b: 1000 };
  const both = (lo: number, hi: number) => {
    for (let i = 0; i < n; i++) pairs.push([uniform(rand, lo, hi), uniform(rand, lo, hi)]);
  };
  switch (cls) {
    case 1:
      both(100, 400);
      break;
    case 2:
      both(1, 1000);
      break;
    case 3:
      both(200, 800);
      break;
    case 4:
      both(50, 200);
      break;
    case 5:
      both(25, 100);
      break;
    case 6:
      both(20, 100);
      capacity = { a: 150, b: 150 };
      break;
    case 7:
      for (let i = 0; i < n; i++) {
        const w = uniform(rand, 20, 100);
        pairs.push([w, uniform(rand, w - 10, w + 10)]);
      }
      capacity = { a: 150, b: 150 };
      break;
    case 8:
      for (let i = 0; i < n; i++) {
        const w = uniform(rand, 20, 100);
        pairs.push([w, uniform(rand, 110 - w, 130 - w)]);
      }
      capacity = { a: 150, b: 150 };
      break;
    case 9: {
      both(100, 400);
      const sa = pairs.reduce((s, p) => s + p[0], 0);
      const sb = pairs.reduce((s, p) => s + p[1], 0);
      const bins = Math.ceil(Math.max(sa, sb) / 1000);
      capacity = { a: Math.ceil(sa / bins), b: Math.ceil(sb / bins) };
      break;
    }
    case 10: {
      const triplets = Math.round(n / 3);
      const a: number[] = [];
      const b: number[] = [];
      for (const column of [a, b]) {
        for (let t = 0; t < triplets; t++) {
          const x = uniform(rand, 25, 50);
          const y = uniform(rand, 25, 50);
          column.push(x, y, 100 - x - y);
        }
      }
      for (let i = 0; i < a.length; i++) pairs.push([a[i] as number, b[i] as number]);
      shuffle(rand, pairs);
      capacity = { a: 100, b: 100 };
      break;
    }
    default:
      throw new Error(`no Caprara-Toth class ${cls}`);
  }
  return { capacity, items: pairs.map(([a, b], i) => ({ id: `i${i}`, demand: { a, b } })) };
}

/** n identical bins of the instance's capacity. */
export function binsFor(instance: InstanceVector): Bin[] {
  return instance.items.map((_, j) => ({ id: `b${j}`, capacity: instance.capacity }));
}

/** Fenzo TestLotsOfTasks replica (binpack-anchors.md §6.1 Q3). */
export interface FenzoReplica {
  readonly hosts: Bin[];
  readonly tasks: Item[];
  readonly totalCores: number;
}

export function fenzoReplica(rand: Random, hostCount: number, cores = 8): FenzoReplica {
  const hosts: Bin[] = Array.from({ length: hostCount }, (_, j) => ({
    id: `host${j}`,
    capacity: { cpus: cores, mem: cores * 1000, ports: 10 },
  }));
  const totalCores = hostCount * cores;
  const sizes: number[] = [];
  const ones = Math.round(0.2 * totalCores);
  const halves = Math.ceil((0.4 * totalCores) / (cores / 2));
  const threeQuarters = Math.ceil((0.4 * totalCores) / ((cores * 3) / 4));
  for (let t = 0; t < ones; t++) sizes.push(1);
  for (let t = 0; t < halves; t++) sizes.push(cores / 2);
  for (let t = 0; t < threeQuarters; t++) sizes.push((cores * 3) / 4);
  let assigned = sizes.reduce((a, b) => a + b, 0);
  while (assigned < totalCores) {
    sizes.push(1);
    assigned++;
  }
  const tasks: Item[] = sizes.map((c, i) => ({
    id: `task${i}`,
    demand: { cpus: c, mem: c * 1000, ports: 1 },
  }));
  // Fenzo's pseudo-shuffle: 20 passes, each taking every remaining task with probability 1/2.
  let remaining = tasks;
  const shuffled: Item[] = [];
  for (let pass = 0; pass < 20; pass++) {
    const next: Item[] = [];
    for (const task of remaining) (rand() < 0.5 ? shuffled : next).push(task);
    remaining = next;
  }
  shuffled.push(...remaining);
  return { hosts, tasks: shuffled, totalCores };
}

/** Heterogeneous offers (Q4): four host shapes over five dimensions and a random task mix. */
export function heterogeneous(
  rand: Random,
  offerCount: number,
  taskCount: number,
): { items: Item[]; bins: Bin[] } {
  const shapes = [
    { cpus: 8, mem: 32768, disk: 200000, gpus: 0, ports: 100 },
    { cpus: 16, mem: 65536, disk: 400000, gpus: 0, ports: 100 },
    { cpus: 32, mem: 131072, disk: 800000, gpus: 4, ports: 200 },
    { cpus: 4, mem: 8192, disk: 100000, gpus: 0, ports: 50 },
  ];
  const bins: Bin[] = Array.from({ length: offerCount }, (_, j) => ({
    id: `offer${j}`,
    capacity: shapes[uniform(rand, 0, shapes.length - 1)] as Record<string, number>,
  }));
  const items: Item[] = Array.from({ length: taskCount }, (_, i) => {
    const cpus = [0.25, 0.5, 1, 2, 4, 8][uniform(rand, 0, 5)] as number;
    const demand: Record<string, number> = {
      cpus,
      mem: cpus * uniform(rand, 1024, 4096),
      disk: uniform(rand, 1000, 20000),
      ports: uniform(rand, 0, 3),
    };
    if (rand() < 0.05) demand.gpus = 1;
    return { id: `task${i}`, demand };
  });
  return { items, bins };
}
