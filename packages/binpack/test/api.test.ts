import { mulberry32, uniform } from "../bench/instances.js";
import {
  add,
  BinpackError,
  bf,
  FirstFitIndex,
  ff,
  fits,
  type Item,
  isBinpackError,
  pack,
  subtract,
  usedBins,
} from "../src/index.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("vector helpers", () => {
  test("fits checks every dimension, missing ones as 0, with the float tolerance", () => {
    expect(fits({ cpus: 1, mem: 512 }, { cpus: 2, mem: 1024 })).toBe(true);
    expect(fits({ cpus: 1, mem: 2048 }, { cpus: 2, mem: 1024 })).toBe(false);
    expect(fits({ gpus: 1 }, { cpus: 64 })).toBe(false);
    expect(fits({ gpus: 0 }, {})).toBe(true);
    expect(fits({ cpus: 0.1 + 0.1 + 0.1 }, { cpus: 0.3 })).toBe(true);
  });
  test("add and subtract work over the union of dimensions", () => {
    expect(add({ cpus: 1, mem: 128 }, { cpus: 0.5, disk: 10 })).toEqual({ cpus: 1.5, mem: 128, disk: 10 });
    expect(subtract({ cpus: 4, mem: 4096 }, { cpus: 1, gpus: 1 })).toEqual({ cpus: 3, mem: 4096, gpus: -1 });
  });
  test("decimal amounts that sum exactly to a capacity fit in a packing too", () => {
    const items = [1, 2, 3].map((i) => ({ id: `t${i}`, demand: { cpus: 0.1 } }));
    expect(ff(items, [{ id: "o", capacity: { cpus: 0.3 } }]).unplaced).toEqual([]);
  });
});

describe("contract", () => {
  test("an item fitting nowhere is unplaced, not an error; empty inputs are fine", () => {
    const packing = pack([{ id: "huge", demand: { cpus: 100 } }], [{ id: "m", capacity: { cpus: 8 } }]);
    expect(packing.unplaced.map((i) => i.id)).toEqual(["huge"]);
    expect(packing.bins[0]?.items).toEqual([]);
    expect(pack([], [])).toEqual({ bins: [], unplaced: [] });
    expect(pack([{ id: "a", demand: { cpus: 1 } }], []).unplaced).toHaveLength(1);
  });

  test("callers get their own item and bin objects back", () => {
    interface Job extends Item {
      readonly owner: string;
    }
    const jobs: Job[] = [{ id: "j", demand: { cpus: 1 }, owner: "ci" }];
    const machines = [{ id: "m", capacity: { cpus: 2 }, rack: 7 }];
    const packing = pack(jobs, machines);
    expect(packing.bins[0]?.bin.rack).toBe(7);
    expect(packing.bins[0]?.items[0]?.owner).toBe("ci");
    expect(usedBins(packing)).toBe(1);
  });

  test("bins are matched by position: duplicate bin ids are allowed and kept apart", () => {
    const twins = [
      { id: "same", capacity: { cpus: 1 } },
      { id: "same", capacity: { cpus: 1 } },
    ];
    const packing = pack(
      [
        { id: "a", demand: { cpus: 1 } },
        { id: "b", demand: { cpus: 1 } },
      ],
      twins,
    );
    expect(packing.bins.map((b) => b.items.length)).toEqual([1, 1]);
    expect(packing.bins[1]?.bin).toBe(twins[1]);
  });

  test("a dimension first named by a later bin is kept for the earlier ones too", () => {
    const packing = pack(
      [{ id: "g", demand: { cpus: 1, gpus: 1 } }],
      [
        { id: "plain", capacity: { cpus: 8, mem: 10 } },
        { id: "gpu", capacity: { mem: 10, cpus: 8, gpus: 2, disk: 5 } },
      ],
      { heuristic: "ff" },
    );
    expect(packing.bins[1]?.items.map((i) => i.id)).toEqual(["g"]);
    expect(packing.bins[0]?.residual).toEqual({ cpus: 8, gpus: 0, mem: 10, disk: 0 });
    expect(packing.bins[1]?.residual).toEqual({ cpus: 7, gpus: 1, mem: 10, disk: 5 });
  });

  test("bad input raises a BinpackError naming what is wrong", () => {
    const bins = [{ id: "m", capacity: { cpus: 2 } }];
    const cases: [() => unknown, RegExp][] = [
      [
        () => pack([{ id: "a", demand: { cpus: -1 } }], bins),
        /items\[0\]\.demand\.cpus must be a finite number/,
      ],
      [() => pack([{ id: "a", demand: { cpus: Number.NaN } }], bins), /items\[0\]\.demand\.cpus/],
      [
        () => pack([], [{ id: "m", capacity: { mem: Number.POSITIVE_INFINITY } }]),
        /bins\[0\]\.capacity\.mem/,
      ],
      [
        () => pack([], [{ id: "m", capacity: 5 as unknown as Item["demand"] }]),
        /bins\[0\]\.capacity must be/,
      ],
      [() => pack([], [{ id: 1 as unknown as string, capacity: {} }]), /bins\[0\]\.id must be a string/],
      [
        () =>
          pack(
            [
              { id: "a", demand: {} },
              { id: "a", demand: {} },
            ],
            bins,
          ),
        /items\[1\]\.id "a" is not unique/,
      ],
      [() => pack([{ id: 7 as unknown as string, demand: {} }], bins), /items\[0\]\.id must be a string/],
      [
        () => pack([{ id: "a", demand: null as unknown as Item["demand"] }], bins),
        /items\[0\]\.demand must be/,
      ],
      [() => pack([], bins, { heuristic: "worst" as "ff" }), /unknown heuristic "worst"/],
      [() => pack([], bins, { weights: {} }), /weights must name at least one dimension/],
      [() => pack([], bins, { weights: { cpus: -2 } }), /weights\.cpus/],
      [
        () => pack([], bins, { heuristic: "ffd", goodEnough: 0.5 }),
        /goodEnough applies to "bf" and "bfd" only/,
      ],
      [() => bf([], bins, { goodEnough: 2 }), /goodEnough must be a number in \[0, 1\]/],
      [() => pack(null as unknown as Item[], bins), /items must be an array/],
    ];
    for (const [fn, message] of cases) {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(BinpackError);
      expect(isBinpackError(error)).toBe(true);
      expect((error as Error).name).toBe("BinpackError");
      expect((error as Error).message).toMatch(message);
    }
    expect(isBinpackError(new Error("x"))).toBe(false);
  });
});

describe("good-enough early exit", () => {
  const rand = mulberry32(5);
  const bins = Array.from({ length: 50 }, (_, j) => ({
    id: `b${j}`,
    capacity: { cpus: uniform(rand, 4, 16), mem: uniform(rand, 4, 16) },
  }));
  const items = Array.from({ length: 120 }, (_, i) => ({
    id: `t${i}`,
    demand: { cpus: uniform(rand, 1, 4), mem: uniform(rand, 1, 4) },
  }));
  const where = (p: ReturnType<typeof pack>) => p.bins.map((b) => b.items.map((i) => i.id));

  test("a threshold of 0 takes the first feasible bin: exactly first fit", () => {
    expect(where(pack(items, bins, { heuristic: "bf", goodEnough: 0 }))).toEqual(where(ff(items, bins)));
  });

  test("a threshold no bin reaches scans everything and picks the highest utilisation", () => {
    const one = [{ id: "x", demand: { cpus: 2, mem: 2 } }];
    const two = [
      { id: "roomy", capacity: { cpus: 16, mem: 16 } },
      { id: "snug", capacity: { cpus: 3, mem: 3 } },
      { id: "snug-too", capacity: { cpus: 3, mem: 3 } },
    ];
    const packing = pack(one, two, { heuristic: "bf", goodEnough: 1 });
    expect(packing.bins.map((b) => b.items.length)).toEqual([0, 1, 0]);
    // With a threshold the roomy bin already meets (2/16 = 0.125), the scan stops there.
    expect(pack(one, two, { heuristic: "bf", goodEnough: 0.1 }).bins[0]?.items).toHaveLength(1);
  });
});

describe("FirstFitIndex", () => {
  test("places a stream exactly where ff would", () => {
    const rand = mulberry32(11);
    const bins = Array.from({ length: 500 }, (_, j) => ({
      id: `b${j}`,
      capacity: { cpus: uniform(rand, 1, 32), mem: uniform(rand, 1, 64), ports: uniform(rand, 0, 5) },
    }));
    const items = Array.from({ length: 2000 }, (_, i) => ({
      id: `t${i}`,
      demand: { cpus: uniform(rand, 1, 8), mem: uniform(rand, 1, 16), ports: uniform(rand, 0, 1) },
    }));
    const index = new FirstFitIndex(bins);
    const streamed = items.map((item) => index.place(item.demand)?.id);
    const batch = ff(items, bins);
    const expected = new Map<string, string>();
    for (const b of batch.bins) for (const item of b.items) expected.set(item.id, b.bin.id);
    expect(streamed).toEqual(items.map((item) => expected.get(item.id)));
    expect(streamed.filter((id) => id === undefined).length).toBe(batch.unplaced.length);
    batch.bins.forEach((b, j) => {
      expect(index.residualOf(j)).toEqual(b.residual);
    });
  });

  test("a dimension no bin has fits only a zero demand; bad input throws", () => {
    const index = new FirstFitIndex([{ id: "m", capacity: { cpus: 4 } }]);
    expect(index.place({ gpus: 1 })).toBeUndefined();
    expect(index.place({ cpus: 1, gpus: 0 })?.id).toBe("m");
    expect(index.residualOf(0)).toEqual({ cpus: 3 });
    expect(isBinpackError(thrown(() => index.place({ cpus: -1 })))).toBe(true);
    expect(isBinpackError(thrown(() => index.residualOf(1)))).toBe(true);
  });
});
