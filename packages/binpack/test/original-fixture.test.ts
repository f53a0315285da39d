import { bf, bfd, ff, ffd, mr, type Packing, pack, weight } from "../src/index.js";

// satyr 0.2.1's test_binpack.py fixture (seed-satyr.md §2.11): offers and tasks as (cpus, mem), disk 0.
const offers = [
  { id: "O0", capacity: { cpus: 1.1, mem: 2048, disk: 0 } },
  { id: "O1", capacity: { cpus: 2.0, mem: 512, disk: 0 } },
  { id: "O2", capacity: { cpus: 0.8, mem: 1024, disk: 0 } },
  { id: "O3", capacity: { cpus: 1.6, mem: 2048, disk: 0 } },
];
const tasks = [
  { id: "T0", demand: { cpus: 0.1, mem: 128, disk: 0 } },
  { id: "T1", demand: { cpus: 1.0, mem: 256, disk: 0 } },
  { id: "T2", demand: { cpus: 3.0, mem: 4096, disk: 0 } },
  { id: "T3", demand: { cpus: 0.2, mem: 64, disk: 0 } },
  { id: "T4", demand: { cpus: 1.4, mem: 1024, disk: 0 } },
  { id: "T5", demand: { cpus: 0.5, mem: 128, disk: 0 } },
  { id: "T6", demand: { cpus: 0.1, mem: 128, disk: 0 } },
];
const weights = { cpus: 1, mem: 1 };

function shape(packing: Packing) {
  return {
    bins: packing.bins.map(({ bin, items }) => [bin.id, items.map((item) => item.id)]),
    skip: packing.unplaced.map((item) => item.id),
  };
}

describe("satyr 0.2.1 fixture", () => {
  test("weight sums as the original's test asserts", () => {
    const capacities = offers.map((o) => o.capacity);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(weight(capacities, { cpus: 1 }))).toBeCloseTo(1.0, 12);
    expect(sum(weight(capacities, { cpus: 1, mem: 1 }))).toBeCloseTo(2.0, 12);
    expect(sum(weight(capacities, { cpus: 4, mem: 1.5 }))).toBeCloseTo(5.5, 12);
  });

  test("ff", () => {
    expect(shape(ff(tasks, offers))).toEqual({
      bins: [
        ["O0", ["T0", "T1"]],
        ["O1", ["T3", "T5", "T6"]],
        ["O2", []],
        ["O3", ["T4"]],
      ],
      skip: ["T2"],
    });
  });

  test("ffd", () => {
    expect(shape(ffd(tasks, offers, { weights }))).toEqual({
      bins: [
        ["O0", ["T1", "T0"]],
        ["O1", ["T5", "T3", "T6"]],
        ["O2", []],
        ["O3", ["T4"]],
      ],
      skip: ["T2"],
    });
  });

  test("mr", () => {
    expect(shape(mr(tasks, offers, { weights }))).toEqual({
      bins: [
        ["O0", ["T3", "T5"]],
        ["O1", ["T6"]],
        ["O2", []],
        ["O3", ["T0", "T1"]],
      ],
      skip: ["T2", "T4"],
    });
  });

  test("bf", () => {
    expect(shape(bf(tasks, offers, { weights }))).toEqual({
      bins: [
        ["O0", ["T1"]],
        ["O1", []],
        ["O2", ["T0", "T3", "T5"]],
        ["O3", ["T4", "T6"]],
      ],
      skip: ["T2"],
    });
  });

  test("bfd", () => {
    expect(shape(bfd(tasks, offers, { weights }))).toEqual({
      bins: [
        ["O0", ["T1"]],
        ["O1", []],
        ["O2", ["T5", "T3", "T0"]],
        ["O3", ["T4", "T6"]],
      ],
      skip: ["T2"],
    });
  });

  test("pack dispatches to the same heuristics, bfd by default", () => {
    expect(shape(pack(tasks, offers, { weights }))).toEqual(shape(bfd(tasks, offers, { weights })));
    for (const heuristic of ["ff", "ffd", "mr", "bf"] as const) {
      const direct = { ff, ffd, mr, bf }[heuristic](tasks, offers, { weights });
      expect(shape(pack(tasks, offers, { heuristic, weights }))).toEqual(shape(direct));
    }
  });

  test("test_launch_decline: one task lands on the first offer, the second stays empty", () => {
    const packing = bfd(
      [{ id: "t", demand: { cpus: 0.1, mem: 128, disk: 0 } }],
      [
        { id: "first", capacity: { cpus: 2, mem: 256, disk: 1024 } },
        { id: "second", capacity: { cpus: 1, mem: 1024, disk: 2048 } },
      ],
      { weights },
    );
    expect(shape(packing).bins).toEqual([
      ["first", ["t"]],
      ["second", []],
    ]);
  });

  test("residuals are reported per bin", () => {
    const packing = bfd(tasks, offers, { weights });
    const o3 = packing.bins[3];
    expect(o3?.residual.cpus).toBeCloseTo(1.6 - 1.4 - 0.1, 12);
    expect(o3?.residual.mem).toBe(2048 - 1024 - 128);
    expect(packing.bins[1]?.residual).toEqual({ cpus: 2, mem: 512, disk: 0 });
  });
});
