/** Prints the quality suite (binpack-anchors.md §6.1) as bins / lower bound per set, beside the targets. */
import type { Heuristic } from "../src/index.js";
import {
  CT_REPORTED_CLASSES,
  capraraTothKeyed,
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

const verdict = (ok: boolean) => (ok ? "meets" : "MISSES");

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
  console.log(
    `    class 8 (smoke test): ffd/bfd sort by the original's weight, sizes over their column sums; with w1 + w2 in
      [110, 130] that orders items of equal w1 + w2 by w1, and pairs pack badly. On the same instances first fit
      after the anchors' capacity-normalised keys gives: sum ${capraraTothKeyed(8, 7, "sum").toFixed(3)}, max ${capraraTothKeyed(8, 7, "max").toFixed(3)} (anchors: 1.018, 1.000)`,
  );
  // The anchors' targets are means over one seed's instances (7 classes × 4 sizes × 10). That mean moves by a
  // few thousandths from seed to seed, so it is printed for ten seeds, with their spread.
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const perSeed = seeds.map((seed) => ct.map((h) => capraraTothMean(h, seed)));
  seeds.forEach((seed, s) => {
    const means = perSeed[s] as number[];
    console.log(
      `    mean of classes ${CT_REPORTED_CLASSES.join(",")}, seed ${String(seed).padStart(2)}: ${ct.map((h, i) => `${h} ${(means[i] as number).toFixed(4)}`).join(", ")}   targets: bfd (default) ≤ 1.068 ${verdict((means[1] as number) <= 1.068)}, dot/norm ≤ 1.057 ${verdict((means[2] as number) <= 1.057 && (means[3] as number) <= 1.057)}`,
    );
  });
  ct.forEach((h, i) => {
    const xs = perSeed.map((m) => m[i] as number);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    const target = h === "dot" || h === "norm" ? 1.057 : h === "bfd" ? 1.068 : undefined;
    const met =
      target === undefined ? "" : `, ${xs.filter((x) => x <= target).length}/${xs.length} seeds ≤ ${target}`;
    console.log(
      `    ${h.padEnd(5)} over 10 seeds: mean ${mean.toFixed(4)}, sd ${sd.toFixed(4)}, range ${Math.min(...xs).toFixed(4)}–${Math.max(...xs).toFixed(4)}${met}`,
    );
  });

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
