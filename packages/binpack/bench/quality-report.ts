/** Prints the quality suite (binpack-anchors.md §6.1) as bins / lower bound per set, beside the targets. */
import type { Heuristic } from "../src/index.js";
import {
  CT_REPORTED_CLASSES,
  capraraTothMean,
  evaluate1D,
  evaluateCapraraToth,
  evaluateFenzo,
  evaluateHeterogeneous,
  oneDimensionalSets,
} from "./quality.js";

const Q1_TARGETS: Record<string, string> = {
  "Falkenauer u120": "≤ 1.021",
  "Falkenauer u250": "≤ 1.017",
  "Falkenauer u500": "≤ 1.015",
  "Falkenauer u1000": "≤ 1.014",
  "Scholl bin1": "≤ 1.010, ≥ 50 % at L2",
  "Scholl bin2": "≤ 1.031",
  "Scholl bin3": "≤ 1.080",
  "Schwerin 1": "≤ 1.057",
  "Schwerin 2": "≤ 1.071",
};

const cell = (ratio: number, atBound: number) =>
  `${ratio.toFixed(4)} (${(atBound * 100).toFixed(0)}%)`.padEnd(15);

function main(): void {
  console.log(
    "# @satyr/binpack quality suite: bins used / lower bound (mean; % of instances at the bound)\n",
  );
  console.log("Q1  one-dimensional sets, seed 20240601, n identical bins; bound = L2 (triplets: n/3 = OPT)");
  const heuristics: Heuristic[] = ["ff", "ffd", "bfd", "dot"];
  console.log(
    `    ${"set".padEnd(18)}${"#".padStart(5)}  ${"mean LB".padEnd(9)}${heuristics.map((h) => h.toUpperCase().padEnd(15)).join("")}target (FFD, BFD)`,
  );
  for (const set of oneDimensionalSets(20240601)) {
    const results = heuristics.map((h) => evaluate1D(set, h));
    const first = results[0];
    if (first === undefined) continue;
    console.log(
      `    ${set.name.padEnd(18)}${String(first.instances).padStart(5)}  ${first.meanBound.toFixed(1).padEnd(9)}${results.map((r) => cell(r.meanRatio, r.atBound)).join("")}${Q1_TARGETS[set.name] ?? "baseline"}`,
    );
  }

  console.log(
    "\nQ2  Caprara-Toth 2-D classes, n ∈ {25, 50, 100, 200} × 10, seed 7; bound = max(L2 per dim, surrogate, cardinality)",
  );
  const ct: Heuristic[] = ["ffd", "bfd", "dot", "norm"];
  console.log(`    ${"class".padEnd(7)}${"mean LB".padEnd(9)}${ct.map((h) => h.padEnd(9)).join("")}`);
  for (const cls of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    const results = ct.map((h) => evaluateCapraraToth(cls, h, 7));
    console.log(
      `    ${String(cls).padEnd(7)}${(results[0]?.meanBound ?? 0).toFixed(1).padEnd(9)}${results.map((r) => r.meanRatio.toFixed(3).padEnd(9)).join("")}`,
    );
  }
  for (const seed of [7, 8, 9, 10]) {
    const means = ct.map((h) => capraraTothMean(h, seed));
    console.log(
      `    mean of classes ${CT_REPORTED_CLASSES.join(",")}, seed ${seed}: ${ct.map((h, i) => `${h} ${(means[i] as number).toFixed(4)}`).join(", ")}   targets: bfd (default) ≤ 1.068, dot/norm ≤ 1.057`,
    );
  }

  console.log(
    "\nQ3  Fenzo lots-of-tasks replica (8-core hosts, online batches of 200; offline = all tasks at once)",
  );
  for (const hosts of [200, 2000, 10000]) {
    const r = evaluateFenzo(hosts, 1);
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    console.log(
      `    ${String(hosts).padStart(6)} hosts: online bf ${pct(r.onlineBestFit)} (target ≥ 97.0 %), good-enough 0.9 ${pct(r.goodEnough)}, offline ffd ${pct(r.offlineFfd)} / bfd ${pct(r.offlineBfd)} (target ≥ 99.9 %), spreading mr ${pct(r.spreading)} (≈ 80 % expected)`,
    );
  }

  console.log(
    "\nQ4  heterogeneous offers (4 host shapes, 5 dimensions, 400 offers, 1,500 tasks): offers used / LB_het",
  );
  for (const h of ["ffd", "bfd", "dot", "norm"] as const) {
    const r = evaluateHeterogeneous(h, 3);
    console.log(
      `    ${h.padEnd(5)} ${r.usedOverBound.toFixed(3)}  (${(r.placed * 100).toFixed(1)} % of tasks placed)`,
    );
  }
  console.log("");
}

main();
