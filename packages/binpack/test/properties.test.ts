import fc from "fast-check";
import { type BestFitPath, bestFitDense, goodEnoughFitDense, PRUNE_FROM } from "../src/best-fit.js";
import { BEST_FIT_BLOCK } from "../src/best-fit-blocks.js";
import { decreasingOrder, densify, inputOrder } from "../src/dense.js";
import { firstFitDense } from "../src/first-fit.js";
import { type Bin, FIT_TOLERANCE, fits, HEURISTICS, type Item, pack } from "../src/index.js";
import { assertValid, problem } from "./support.js";

describe("every heuristic returns a valid packing", () => {
  for (const heuristic of HEURISTICS) {
    test(heuristic, () => {
      fc.assert(
        fc.property(problem(), ({ items, bins }) => {
          assertValid(items, bins, pack(items, bins, { heuristic }));
          assertValid(items, bins, pack(items, bins, { heuristic, weights: { cpus: 1, mem: 2 } }));
        }),
        { numRuns: 150 },
      );
    });
  }
  test("bf and bfd with a good-enough exit", () => {
    fc.assert(
      fc.property(problem(), fc.double({ min: 0, max: 1, noNaN: true }), ({ items, bins }, goodEnough) => {
        assertValid(items, bins, pack(items, bins, { heuristic: "bf", goodEnough }));
        assertValid(items, bins, pack(items, bins, { heuristic: "bfd", goodEnough }));
      }),
      { numRuns: 150 },
    );
  });
});

describe("any-fit heuristics leave an item unplaced only where it fits no bin", () => {
  // Residuals only shrink, so an item that fit no bin when it was tried fits no final residual either.
  const anyFit = HEURISTICS.filter((h) => h !== "mr");
  for (const heuristic of anyFit) {
    test(heuristic, () => {
      fc.assert(
        fc.property(problem(), ({ items, bins }) => {
          const packing = pack(items, bins, { heuristic });
          for (const item of packing.unplaced) {
            for (const b of packing.bins) expect(fits(item.demand, b.residual)).toBe(false);
          }
        }),
        { numRuns: 150 },
      );
    });
  }
  test("mr is not any-fit: it tries the max-rest bin only", () => {
    const packing = pack(
      [{ id: "big", demand: { cpus: 3, mem: 1 } }],
      [
        { id: "cpu-rich", capacity: { cpus: 4, mem: 1 } },
        { id: "mem-rich", capacity: { cpus: 1, mem: 100 } },
      ],
      { heuristic: "mr" },
    );
    expect(packing.unplaced.map((i) => i.id)).toEqual(["big"]);
  });
});

describe("fast paths agree with the plain loops", () => {
  test("indexed first fit places every item where a linear scan does", () => {
    fc.assert(
      fc.property(problem(60, 150), fc.boolean(), ({ items, bins }, decreasing) => {
        const a = densify(items, bins);
        const b = densify(items, bins);
        firstFitDense(a, decreasing ? decreasingOrder(a) : inputOrder(a.n), true);
        firstFitDense(b, decreasing ? decreasingOrder(b) : inputOrder(b.n), false);
        expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
      }),
      { numRuns: 200 },
    );
  });
  test("the generated best-fit kernels match the generic loop", () => {
    fc.assert(
      fc.property(
        problem(40, 20),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ items, bins }, goodEnough) => {
          const a = densify(items, bins);
          const b = densify(items, bins);
          bestFitDense(a, decreasingOrder(a), "scan");
          bestFitDense(b, decreasingOrder(b), "generic");
          expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
          const c = densify(items, bins);
          const e = densify(items, bins);
          goodEnoughFitDense(c, inputOrder(c.n), goodEnough);
          goodEnoughFitDense(e, inputOrder(e.n), goodEnough, "generic");
          expect(Array.from(c.assignment)).toEqual(Array.from(e.assignment));
        },
      ),
      { numRuns: 200 },
    );
  });
  test("every best-fit path places each item where the plain reference does, for any block size", () => {
    const paths: BestFitPath[] = ["generic", "scan", "pruned", "pruned-generic"];
    fc.assert(
      fc.property(
        problem(40, 24),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        ({ items, bins }, block, decreasing) => {
          const expected = referenceBestFit(items, bins, decreasing, block);
          for (const path of paths) {
            const p = densify(items, bins);
            bestFitDense(p, decreasing ? decreasingOrder(p) : inputOrder(p.n), path, block);
            expect(Array.from(p.assignment)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  test("the good-enough exit skipping full blocks stops at the bin the plain loop stops at", () => {
    const paths: BestFitPath[] = ["scan", "pruned", "pruned-generic"];
    fc.assert(
      fc.property(
        problem(40, 24),
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ items, bins }, block, goodEnough) => {
          const plain = densify(items, bins);
          goodEnoughFitDense(plain, inputOrder(plain.n), goodEnough, "generic");
          for (const path of paths) {
            const p = densify(items, bins);
            goodEnoughFitDense(p, inputOrder(p.n), goodEnough, path, block);
            expect(Array.from(p.assignment)).toEqual(Array.from(plain.assignment));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  test("pack's bf and bfd on hundreds of bins (the pruned path) match the plain reference", () => {
    // Few distinct shapes make many exact ties between bins, where the first bin must win.
    const shape = fc.record({
      cpus: fc.constantFrom(0, 1, 2, 4, 8, 16, 0.5, 1.5),
      mem: fc.constantFrom(0, 256, 512, 1024, 4096, 8192),
      gpus: fc.constantFrom(0, 0, 1, 2),
    });
    fc.assert(
      fc.property(
        fc.array(shape, { minLength: 1, maxLength: 60 }),
        fc.array(shape, { minLength: PRUNE_FROM, maxLength: 3 * PRUNE_FROM }),
        (demands, capacities) => {
          const items = demands.map((demand, i) => ({ id: `i${i}`, demand }));
          const bins = capacities.map((capacity, j) => ({ id: `b${j}`, capacity }));
          for (const heuristic of ["bf", "bfd"] as const) {
            const packing = pack(items, bins, { heuristic });
            const where = new Map<string, number>();
            packing.bins.forEach((b, j) => {
              for (const item of b.items) where.set(item.id, j);
            });
            const expected = referenceBestFit(items, bins, heuristic === "bfd", BEST_FIT_BLOCK);
            expect(items.map((item) => where.get(item.id) ?? -1)).toEqual(expected);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

/**
 * Best fit written as plainly as possible, to check the fast paths against: per item, list the feasible bins,
 * sum their residuals per dimension in runs of `block` bins (the shared summation order), score each feasible
 * bin by Σ_k c_k · residual_k with c_k = weight / (sum_k − count · demand_k), and keep the first lowest score.
 */
function referenceBestFit(
  items: readonly Item[],
  bins: readonly Bin[],
  decreasing: boolean,
  block: number,
): number[] {
  const p = densify(items, bins);
  const { d, dims } = p;
  const residual = bins.map((bin) => dims.map((key) => bin.capacity[key] ?? 0));
  const used = bins.map(() => dims.map(() => 0));
  const demandOf = (i: number) => dims.map((key) => (items[i] as Item).demand[key] ?? 0);
  const assignment = items.map(() => -1);
  for (const i of decreasing ? decreasingOrder(p) : inputOrder(p.n)) {
    const demand = demandOf(i);
    const fitsBin = (j: number) =>
      (residual[j] as number[]).every((r, k) => r >= (demand[k] as number) - FIT_TOLERANCE);
    const feasible = bins.map((_, j) => j).filter(fitsBin);
    if (feasible.length === 0) continue;
    let chosen = feasible[0] as number;
    if (feasible.length > 1) {
      const sums = dims.map(() => 0);
      for (let start = 0; start < bins.length; start += block) {
        const part = dims.map(() => 0);
        for (const j of feasible) {
          if (j < start || j >= start + block) continue;
          (residual[j] as number[]).forEach((r, k) => {
            part[k] = (part[k] as number) + r;
          });
        }
        part.forEach((x, k) => {
          sums[k] = (sums[k] as number) + x;
        });
      }
      const coef = sums.map((s, k) => {
        const leftover = s - feasible.length * (demand[k] as number);
        return leftover > 0 ? 1 / leftover : 0;
      });
      let bestScore = Number.POSITIVE_INFINITY;
      for (const j of feasible) {
        let score = 0;
        for (let k = 0; k < d; k++) score += (coef[k] as number) * ((residual[j] as number[])[k] as number);
        if (score < bestScore) {
          bestScore = score;
          chosen = j;
        }
      }
    }
    assignment[i] = chosen;
    for (let k = 0; k < d; k++) {
      const u = ((used[chosen] as number[])[k] as number) + (demand[k] as number);
      (used[chosen] as number[])[k] = u;
      (residual[chosen] as number[])[k] = ((bins[chosen] as Bin).capacity[dims[k] as string] ?? 0) - u;
    }
  }
  return assignment;
}
