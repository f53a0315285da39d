import fc from "fast-check";
import {
  ffd,
  heterogeneousLowerBound,
  type Item,
  isBinpackError,
  lowerBoundL1,
  lowerBoundL2,
  pack,
  usedBins,
  vectorLowerBound,
} from "../src/index.js";

/** Optimal bin count for identical bins by exhaustive search (small n only). */
function optimum(demands: number[][], capacity: number[]): number {
  const n = demands.length;
  if (n === 0) return 0;
  const order = demands.slice().sort((a, b) => b.reduce((s, x) => s + x, 0) - a.reduce((s, x) => s + x, 0));
  let best = n;
  const loads: number[][] = [];
  const search = (i: number) => {
    if (loads.length >= best) return;
    if (i === n) {
      best = loads.length;
      return;
    }
    const item = order[i] as number[];
    for (const load of loads) {
      if (item.every((x, k) => (load[k] as number) + x <= (capacity[k] as number))) {
        item.forEach((x, k) => {
          load[k] = (load[k] as number) + x;
        });
        search(i + 1);
        item.forEach((x, k) => {
          load[k] = (load[k] as number) - x;
        });
      }
    }
    loads.push(item.slice());
    search(i + 1);
    loads.pop();
  };
  search(0);
  return best;
}

describe("one-dimensional bounds", () => {
  test("L1 and L2 on textbook cases", () => {
    expect(lowerBoundL1([60, 60, 60], 100)).toBe(2);
    expect(lowerBoundL2([60, 60, 60], 100)).toBe(3);
    expect(lowerBoundL1([], 100)).toBe(0);
    expect(lowerBoundL2([], 100)).toBe(0);
    // Three items above c/2 need three bins; the 30s fill the gaps they leave: 3 bins in all.
    expect(lowerBoundL2([70, 70, 70, 30, 30, 30], 100)).toBe(3);
    // Here the small items overflow the gaps: 3 + ⌈(6·30 − 3·30) / 100⌉ = 4.
    expect(lowerBoundL2([70, 70, 70, 30, 30, 30, 30, 30, 30], 100)).toBe(4);
    // Items larger than the capacity are never placed, so they need no bin.
    expect(lowerBoundL2([150, 50], 100)).toBe(1);
  });

  test("L1 ≤ L2 ≤ OPT ≤ FFD on random instances", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 9 }), (sizes) => {
        const l1 = lowerBoundL1(sizes, 100);
        const l2 = lowerBoundL2(sizes, 100);
        const opt = optimum(
          sizes.map((w) => [w]),
          [100],
        );
        const items = sizes.map((w, i) => ({ id: `${i}`, demand: { w } }));
        const bins = sizes.map((_, j) => ({ id: `${j}`, capacity: { w: 100 } }));
        expect(l1).toBeLessThanOrEqual(l2);
        expect(l2).toBeLessThanOrEqual(opt);
        expect(opt).toBeLessThanOrEqual(usedBins(ffd(items, bins)));
      }),
      { numRuns: 300 },
    );
  });

  test("bad input is a BinpackError", () => {
    expect(() => lowerBoundL1([1, -1], 10)).toThrow(/sizes\[1\]/);
    expect(() => lowerBoundL2([1], 0)).toThrow(/capacity/);
    let caught: unknown;
    try {
      lowerBoundL2([Number.NaN], 10);
    } catch (error) {
      caught = error;
    }
    expect(isBinpackError(caught)).toBe(true);
  });
});

describe("vector bound", () => {
  test("never above the optimum, never below each dimension's L2", () => {
    const pair = fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), (pairs) => {
        const items: Item[] = pairs.map(([a, b], i) => ({ id: `${i}`, demand: { a, b } }));
        const bound = vectorLowerBound(items, { a: 10, b: 10 });
        expect(bound).toBeLessThanOrEqual(optimum(pairs, [10, 10]));
        expect(bound).toBeGreaterThanOrEqual(
          lowerBoundL2(
            pairs.map((p) => p[0]),
            10,
          ),
        );
      }),
      { numRuns: 1000 },
    );
  });

  test("the cardinality and surrogate parts bite where one dimension alone is weak", () => {
    // Each dimension alone fits two of these per bin; the surrogate (each item fills 1.1 of 2) fits one.
    const items: Item[] = [
      { id: "1", demand: { a: 6, b: 5 } },
      { id: "2", demand: { a: 5, b: 6 } },
      { id: "3", demand: { a: 5, b: 6 } },
      { id: "4", demand: { a: 6, b: 5 } },
    ];
    expect(lowerBoundL2([6, 5, 5, 6], 11)).toBe(2);
    expect(vectorLowerBound(items, { a: 11, b: 11 })).toBe(2);
    expect(vectorLowerBound(items, { a: 10, b: 10 })).toBe(4);
    // Cardinality: two of these share a bin, three never do; every volume bound says 2, the truth is 3.
    const five = Array.from({ length: 5 }, (_, i) => ({ id: `${i}`, demand: { a: 60, b: 60 } }));
    expect(lowerBoundL2([60, 60, 60, 60, 60], 150)).toBe(2);
    expect(vectorLowerBound(five, { a: 150, b: 150 })).toBe(3);
    // Many zero-size items still need one bin.
    expect(vectorLowerBound([{ id: "z", demand: {} }], { a: 1 })).toBe(1);
    // Items larger than a bin are ignored.
    expect(vectorLowerBound([{ id: "x", demand: { a: 11 } }], { a: 10 })).toBe(0);
  });
});

describe("heterogeneous bound", () => {
  test("counts the fewest largest bins that hold the demand", () => {
    const bins = [
      { id: "s", capacity: { cpus: 4, mem: 8 } },
      { id: "l", capacity: { cpus: 16, mem: 64 } },
      { id: "m", capacity: { cpus: 8, mem: 16 } },
    ];
    const items = [
      { id: "a", demand: { cpus: 12, mem: 10 } },
      { id: "b", demand: { cpus: 8, mem: 10 } },
    ];
    expect(heterogeneousLowerBound(items, bins)).toBe(2);
    expect(heterogeneousLowerBound([{ id: "huge", demand: { cpus: 100 } }], bins)).toBe(0);
    expect(
      heterogeneousLowerBound(
        Array.from({ length: 8 }, (_, i) => ({ id: `${i}`, demand: { cpus: 4 } })),
        bins,
      ),
    ).toBe(Number.POSITIVE_INFINITY);
  });

  test("never above the bins any complete packing uses", () => {
    const vec = fc.record({ cpus: fc.integer({ min: 0, max: 8 }), mem: fc.integer({ min: 0, max: 8 }) });
    fc.assert(
      fc.property(
        fc.array(vec, { maxLength: 20 }),
        fc.array(vec, { minLength: 1, maxLength: 10 }),
        (ds, cs) => {
          const items = ds.map((demand, i) => ({ id: `${i}`, demand }));
          const bins = cs.map((capacity, j) => ({ id: `${j}`, capacity }));
          for (const heuristic of ["ffd", "bfd", "dot"] as const) {
            const packing = pack(items, bins, { heuristic });
            if (packing.unplaced.length === 0) {
              expect(heterogeneousLowerBound(items, bins)).toBeLessThanOrEqual(usedBins(packing));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
