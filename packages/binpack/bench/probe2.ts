import { bestFitDense } from "../src/best-fit.js";
import { densify, inputOrder, toPacking } from "../src/dense.js";
import { mulberry32, uniform } from "./instances.js";

const rand = mulberry32(1);
const M = 10000;
const bins = Array.from({ length: M }, (_, j) => ({
  id: `o${j}`,
  capacity: {
    cpus: uniform(rand, 50, 100),
    mem: uniform(rand, 50, 100),
    disk: uniform(rand, 50, 100),
    gpus: uniform(rand, 50, 100),
    ports: uniform(rand, 50, 100),
  },
}));
const items = Array.from({ length: 200 }, (_, i) => ({
  id: `t${i}`,
  demand: {
    cpus: uniform(rand, 1, 10),
    mem: uniform(rand, 1, 10),
    disk: uniform(rand, 1, 10),
    gpus: uniform(rand, 1, 10),
    ports: uniform(rand, 1, 10),
  },
}));
const ns = () => Number(process.hrtime.bigint()) / 1e6;
for (let r = 0; r < 10; r++) {
  const t0 = ns();
  const p = densify(items, bins);
  const t1 = ns();
  bestFitDense(p, inputOrder(p.n));
  const t2 = ns();
  toPacking(p, items, bins);
  const t3 = ns();
  console.log(
    "densify",
    (t1 - t0).toFixed(2),
    "kernel",
    (t2 - t1).toFixed(2),
    (((t2 - t1) * 1e6) / (200 * M)).toFixed(2),
    "ns/pair; out",
    (t3 - t2).toFixed(2),
  );
}
