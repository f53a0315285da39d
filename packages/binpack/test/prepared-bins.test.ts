import fc from "fast-check";
import {
  type BatchHeuristic,
  type Bin,
  type Item,
  isBinpackError,
  PreparedBins,
  pack,
} from "../src/index.js";
import { DIMS } from "./support.js";

/** Whole amounts over every dimension, so residuals handed back to `pack` are exact. */
const full = (max: number) =>
  fc
    .tuple(...DIMS.map(() => fc.integer({ min: 0, max })))
    .map((values) => Object.fromEntries(DIMS.map((key, k) => [key, values[k] as number])));

const batches = fc.array(fc.array(full(6), { maxLength: 12 }), { minLength: 1, maxLength: 4 });

/** One heuristic for every batch, or one per batch (cycled), so the table's indexes see each other's placements. */
const heuristicOf = (heuristics: BatchHeuristic | BatchHeuristic[], t: number): BatchHeuristic =>
  typeof heuristics === "string" ? heuristics : (heuristics[t % heuristics.length] as BatchHeuristic);

/** Where `pack` puts each item when the bins' capacities are what earlier batches left. */
function packBatches(
  bins: readonly Bin[],
  itemBatches: Item[][],
  heuristics: BatchHeuristic | BatchHeuristic[],
  goodEnough?: number,
) {
  let current: Bin[] = bins.slice();
  return itemBatches.map((items, t) => {
    const heuristic = heuristicOf(heuristics, t);
    const options = goodEnough === undefined ? { heuristic } : { heuristic, goodEnough };
    const packing = pack(items, current, options);
    current = packing.bins.map(({ bin, residual }) => ({ id: bin.id, capacity: residual }));
    const where = new Map<string, number>();
    packing.bins.forEach((b, j) => {
      for (const item of b.items) where.set(item.id, j);
    });
    return items.map((item) => where.get(item.id) ?? -1);
  });
}

function tableBatches(
  bins: readonly Bin[],
  itemBatches: Item[][],
  heuristics: BatchHeuristic | BatchHeuristic[],
  goodEnough?: number,
) {
  const table = new PreparedBins(bins);
  return itemBatches.map((items, t) => {
    const heuristic = heuristicOf(heuristics, t);
    const { placed, unplaced } = table.place(
      items,
      goodEnough === undefined ? { heuristic } : { heuristic, goodEnough },
    );
    const where = new Map(placed.map((p) => [p.item.id, p.index]));
    for (const p of placed) expect(p.bin).toBe(bins[p.index]);
    expect(unplaced).toEqual(items.filter((item) => !where.has(item.id)));
    return items.map((item) => where.get(item.id) ?? -1);
  });
}

const asProblem = (capacities: Record<string, number>[], demands: Record<string, number>[][]) => ({
  bins: capacities.map((capacity, j): Bin => ({ id: `b${j}`, capacity })),
  itemBatches: demands.map((batch, t) => batch.map((demand, i): Item => ({ id: `t${t}-${i}`, demand }))),
});

describe("PreparedBins", () => {
  for (const heuristic of ["ff", "ffd", "bf", "bfd"] as const) {
    test(`${heuristic}: batch after batch, the same bins as pack on the residuals left so far`, () => {
      fc.assert(
        fc.property(fc.array(full(12), { maxLength: 10 }), batches, (capacities, demands) => {
          const { bins, itemBatches } = asProblem(capacities, demands);
          expect(tableBatches(bins, itemBatches, heuristic)).toEqual(
            packBatches(bins, itemBatches, heuristic),
          );
        }),
        { numRuns: 100 },
      );
    });
  }
  test("the same on hundreds of bins (indexed first fit, pruned best fit), heuristics mixed across batches, and with a good-enough exit", () => {
    fc.assert(
      fc.property(
        fc.array(full(12), { minLength: 130, maxLength: 300 }),
        fc.array(fc.array(full(6), { maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom<BatchHeuristic>("ff", "ffd", "bf", "bfd"), { minLength: 1, maxLength: 4 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        (capacities, demands, heuristics, goodEnough) => {
          const { bins, itemBatches } = asProblem(capacities, demands);
          expect(tableBatches(bins, itemBatches, heuristics)).toEqual(
            packBatches(bins, itemBatches, heuristics),
          );
          if (goodEnough !== undefined) {
            // A good-enough score is the bin's utilisation counting what earlier batches placed, so batches of
            // bf with the exit place every item where one bf call over all the items does.
            const all = itemBatches.flat();
            const packing = pack(all, bins, { heuristic: "bf", goodEnough });
            const where = new Map<string, number>();
            packing.bins.forEach((b, j) => {
              for (const item of b.items) where.set(item.id, j);
            });
            expect(tableBatches(bins, itemBatches, "bf", goodEnough).flat()).toEqual(
              all.map((item) => where.get(item.id) ?? -1),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
  test("reserves what it placed and reports residuals over the bins' dimensions", () => {
    const table = new PreparedBins([
      { id: "a", capacity: { cpus: 4, mem: 4096 } },
      { id: "b", capacity: { cpus: 8, mem: 8192 } },
    ]);
    expect(table.size).toBe(2);
    const first = table.place([{ id: "x", demand: { cpus: 3, mem: 1024 } }], { heuristic: "bf" });
    expect(first.placed.map((p) => [p.item.id, p.bin.id])).toEqual([["x", "a"]]);
    expect(table.residualOf(0)).toEqual({ cpus: 1, mem: 3072 });
    const second = table.place(
      [
        { id: "y", demand: { cpus: 2 } },
        { id: "gpu", demand: { cpus: 1, gpus: 1 } },
        { id: "z", demand: { cpus: 7 } },
      ],
      { heuristic: "ff" },
    );
    expect(second.placed.map((p) => [p.item.id, p.bin.id])).toEqual([["y", "b"]]);
    expect(second.unplaced.map((i) => i.id)).toEqual(["gpu", "z"]);
    expect(table.residualOf(1)).toEqual({ cpus: 6, mem: 8192 });
  });
  test("a good-enough batch scores utilisation with its own weights", () => {
    const table = new PreparedBins([
      { id: "cpu-rich", capacity: { cpus: 10, mem: 100 } },
      { id: "mem-rich", capacity: { cpus: 2, mem: 1000 } },
    ]);
    const task = (id: string) => [{ id, demand: { cpus: 1, mem: 50 } }];
    // By cpus the first bin would be 10 % used, the second 50 %; by mem 50 % and 5 %.
    const byCpus = table.place(task("a"), { heuristic: "bf", goodEnough: 0.4, weights: { cpus: 1 } });
    const byMem = table.place(task("b"), { heuristic: "bf", goodEnough: 0.4, weights: { mem: 1 } });
    expect(byCpus.placed.map((p) => p.bin.id)).toEqual(["mem-rich"]);
    expect(byMem.placed.map((p) => p.bin.id)).toEqual(["cpu-rich"]);
  });
  test("bad input throws a BinpackError naming the field, before reserving anything", () => {
    const table = new PreparedBins([{ id: "a", capacity: { cpus: 4 } }]);
    const bad: [() => unknown, RegExp][] = [
      [() => table.place([{ id: "x", demand: { cpus: -1 } }]), /items\[0\]\.demand\.cpus/],
      [
        () =>
          table.place([
            { id: "x", demand: { cpus: 1 } },
            { id: "x", demand: { cpus: 1 } },
          ]),
        /not unique/,
      ],
      [() => table.place([], { heuristic: "dot" as BatchHeuristic }), /unknown batch heuristic "dot"/],
      [() => table.place([], { heuristic: "ff", goodEnough: 0.5 }), /goodEnough applies/],
      [() => table.place([], { heuristic: "bf", goodEnough: 2 }), /goodEnough must be/],
      [() => table.residualOf(1), /index must be an integer/],
      [() => new PreparedBins([{ id: "a", capacity: { cpus: Number.NaN } }]), /bins\[0\]\.capacity\.cpus/],
    ];
    for (const [call, message] of bad) {
      let caught: unknown;
      try {
        call();
      } catch (error) {
        caught = error;
      }
      expect(isBinpackError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
    expect(table.residualOf(0)).toEqual({ cpus: 4 });
  });
});
