import fc from "fast-check";
import { bestFitDense, goodEnoughFitDense } from "../src/best-fit.js";
import { decreasingOrder, densify, inputOrder } from "../src/dense.js";
import { firstFitDense } from "../src/first-fit.js";
import { fits, HEURISTICS, pack } from "../src/index.js";
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
          bestFitDense(a, decreasingOrder(a));
          bestFitDense(b, decreasingOrder(b), true);
          expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
          const c = densify(items, bins);
          const e = densify(items, bins);
          goodEnoughFitDense(c, inputOrder(c.n), goodEnough);
          goodEnoughFitDense(e, inputOrder(e.n), goodEnough, true);
          expect(Array.from(c.assignment)).toEqual(Array.from(e.assignment));
        },
      ),
      { numRuns: 200 },
    );
  });
});
