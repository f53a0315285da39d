/**
 * @packageDocumentation
 * `@satyr/binpack`: pure, synchronous, dependency-free bin packing of items with resource vectors (any dimension
 * names) onto bins that may all differ: satyr 0.2.1's `ff`, `ffd`, `mr`, `bf`, `bfd` with their exact semantics,
 * the stronger bin-centric `dot` and `norm`, a "good enough" early exit, an indexed first fit for 100k bins, and
 * lower bounds to judge a packing by.
 *
 * @example
 * ```ts
 * import { pack } from "@satyr/binpack";
 * const jobs = [{ id: "etl", demand: { cpus: 4, mem: 8192 } }, { id: "web", demand: { cpus: 1, mem: 512 } }];
 * const machines = [{ id: "m1", capacity: { cpus: 8, mem: 16384 } }];
 * const { bins, unplaced } = pack(jobs, machines, { heuristic: "bfd" });
 * ```
 */

export { bf, bfd } from "./best-fit.js";
export { dot, norm } from "./bin-centric.js";
export { BinpackError, isBinpackError } from "./binpack-error.js";
export { ff, ffd } from "./first-fit.js";
export { FirstFitIndex } from "./first-fit-index.js";
export { heterogeneousLowerBound, lowerBoundL1, lowerBoundL2, vectorLowerBound } from "./lower-bounds.js";
export { mr } from "./max-rest.js";
export { HEURISTICS, pack } from "./pack.js";
export {
  type BatchHeuristic,
  type BatchOptions,
  type BatchResult,
  type Placement,
  PreparedBins,
} from "./prepared-bins.js";
export type {
  BestFitOptions,
  Bin,
  Heuristic,
  HeuristicOptions,
  Item,
  PackedBin,
  Packing,
  PackOptions,
  Vector,
  Weights,
} from "./types.js";
export { usedBins } from "./used-bins.js";
export { add, FIT_TOLERANCE, fits, subtract } from "./vector.js";
export { weight } from "./weight.js";
