import fc from "fast-check";
import { type Bin, FIT_TOLERANCE, type Item, type Packing } from "../src/index.js";

export const DIMS = ["cpus", "mem", "disk", "gpus", "ports"] as const;

/** Amounts mixing integers and one-decimal values, the shapes Mesos scalars take. */
const amount = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.integer({ min: 0, max: 120 }).map((x) => x / 10),
);

const vector = fc
  .record(Object.fromEntries(DIMS.map((k) => [k, amount])) as Record<string, typeof amount>, {
    requiredKeys: [],
  })
  .map((v) => v as Record<string, number>);

export const problem = (maxItems = 30, maxBins = 8) =>
  fc
    .tuple(fc.array(vector, { maxLength: maxItems }), fc.array(vector, { maxLength: maxBins }))
    .map(([demands, capacities]) => ({
      items: demands.map((demand, i): Item => ({ id: `i${i}`, demand })),
      bins: capacities.map((capacity, j): Bin => ({ id: `b${j}`, capacity })),
    }));

/** Throws with a description of the first violation of the Packing contract. */
export function assertValid(items: readonly Item[], bins: readonly Bin[], packing: Packing): void {
  expect(packing.bins.map((b) => b.bin)).toEqual(bins);
  packing.bins.forEach((b, j) => {
    expect(b.bin).toBe(bins[j]);
  });
  const seen = new Set<Item>();
  for (const b of packing.bins) {
    const sums: Record<string, number> = {};
    for (const item of b.items) {
      expect(seen.has(item)).toBe(false);
      seen.add(item);
      for (const key in item.demand) sums[key] = (sums[key] ?? 0) + (item.demand[key] as number);
    }
    for (const key in sums) {
      const capacity = b.bin.capacity[key] ?? 0;
      // Each placement may use FIT_TOLERANCE of slack; anything beyond that is an overfull bin.
      expect(sums[key] as number).toBeLessThanOrEqual(capacity + (b.items.length + 1) * FIT_TOLERANCE);
      expect(b.residual[key]).toBeCloseTo(Math.max(0, capacity - (sums[key] as number)), 9);
    }
  }
  for (const item of packing.unplaced) {
    expect(seen.has(item)).toBe(false);
    seen.add(item);
  }
  expect(seen.size).toBe(items.length);
  expect(packing.unplaced).toEqual(items.filter((item) => packing.unplaced.includes(item)));
}
