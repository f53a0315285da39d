import { bf, bfd } from "./best-fit.js";
import { dot, norm } from "./bin-centric.js";
import { BinpackError } from "./binpack-error.js";
import { ff, ffd } from "./first-fit.js";
import { mr } from "./max-rest.js";
import type { Bin, Heuristic, Item, Packing, PackOptions } from "./types.js";

/**
 * The heuristics `pack` accepts, in a fixed order.
 *
 * @example
 * ```ts
 * for (const heuristic of HEURISTICS) console.log(heuristic, pack(items, bins, { heuristic }).unplaced.length);
 * ```
 */
export const HEURISTICS: readonly Heuristic[] = ["ff", "ffd", "mr", "bf", "bfd", "dot", "norm"];

/**
 * Packs `items` onto `bins` with one heuristic (`bfd` by default). Generic: the packing hands back the caller's
 * own item and bin objects. `ff` has nothing to weigh and ignores `weights`; `goodEnough` applies to `bf` and
 * `bfd` only and is an error elsewhere.
 *
 * @example
 * ```ts
 * const { bins, unplaced } = pack(pendingTasks, offers, { heuristic: "bfd", weights: { cpus: 1, mem: 1 } });
 * for (const { bin, items } of bins) if (items.length === 0) decline(bin.id);
 * ```
 */
export function pack<I extends Item, B extends Bin>(
  items: readonly I[],
  bins: readonly B[],
  options: PackOptions = {},
): Packing<I, B> {
  const { heuristic = "bfd", weights, goodEnough } = options;
  const weighted = weights === undefined ? {} : { weights };
  if (goodEnough !== undefined && heuristic !== "bf" && heuristic !== "bfd") {
    throw new BinpackError(`goodEnough applies to "bf" and "bfd" only, not to "${String(heuristic)}"`);
  }
  switch (heuristic) {
    case "ff":
      return ff(items, bins);
    case "ffd":
      return ffd(items, bins, weighted);
    case "mr":
      return mr(items, bins, weighted);
    case "bf":
      return bf(items, bins, goodEnough === undefined ? weighted : { ...weighted, goodEnough });
    case "bfd":
      return bfd(items, bins, goodEnough === undefined ? weighted : { ...weighted, goodEnough });
    case "dot":
      return dot(items, bins, weighted);
    case "norm":
      return norm(items, bins, weighted);
    default:
      throw new BinpackError(
        `unknown heuristic "${String(heuristic)}"; expected one of ${HEURISTICS.join(", ")}`,
      );
  }
}
