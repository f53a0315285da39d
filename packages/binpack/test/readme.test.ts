import {
  FirstFitIndex,
  heterogeneousLowerBound,
  lowerBoundL1,
  lowerBoundL2,
  pack,
  usedBins,
} from "../src/index.js";

// The README's standalone example, kept compiling and true.
interface Job {
  id: string;
  demand: { cpus: number; mem: number; gpus?: number };
  owner: string;
}
interface Machine {
  id: string;
  capacity: { cpus: number; mem: number; gpus?: number };
  rack: string;
}

const jobs: Job[] = [
  { id: "train", demand: { cpus: 8, mem: 65536, gpus: 2 }, owner: "ml" },
  { id: "etl", demand: { cpus: 4, mem: 16384 }, owner: "data" },
  { id: "web-1", demand: { cpus: 1, mem: 2048 }, owner: "web" },
  { id: "web-2", demand: { cpus: 1, mem: 2048 }, owner: "web" },
  { id: "huge", demand: { cpus: 256, mem: 1 }, owner: "oops" },
];
const machines: Machine[] = [
  { id: "gpu-1", capacity: { cpus: 32, mem: 262144, gpus: 4 }, rack: "a" },
  { id: "cpu-1", capacity: { cpus: 16, mem: 65536 }, rack: "b" },
  { id: "cpu-2", capacity: { cpus: 16, mem: 65536 }, rack: "b" },
];

test("packing jobs onto machines without Mesos", () => {
  const packing = pack(jobs, machines, { heuristic: "bfd", weights: { cpus: 1, mem: 1 } });
  expect(packing.unplaced.map((job) => job.id)).toEqual(["huge"]);
  const gpuJob = packing.bins.find((b) => b.items.some((job) => job.id === "train"));
  expect(gpuJob?.bin.rack).toBe("a");
  expect(usedBins(packing)).toBeGreaterThanOrEqual(heterogeneousLowerBound(jobs, machines));
  expect(heterogeneousLowerBound(jobs, machines)).toBe(1);
  for (const { bin, items, residual } of packing.bins) {
    const cpus = items.reduce((s, job) => s + job.demand.cpus, 0);
    expect(residual.cpus).toBe(bin.capacity.cpus - cpus);
  }
});

test("the README's bound and index snippets", () => {
  expect(lowerBoundL1([60, 60, 60], 100)).toBe(2);
  expect(lowerBoundL2([60, 60, 60], 100)).toBe(3);
  const index = new FirstFitIndex(machines);
  expect(index.place({ cpus: 2, mem: 4096 })?.id).toBe("gpu-1");
  expect(index.place({ cpus: 29, mem: 1 })?.id).toBe("gpu-1");
  expect(index.place({ cpus: 8 })?.id).toBe("cpu-1");
  expect(index.place({ cpus: 64 })).toBeUndefined();
});
