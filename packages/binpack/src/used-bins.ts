/**
 * How many bins of a packing hold at least one item: the figure to set against a lower bound.
 *
 * @example
 * ```ts
 * const ratio = usedBins(ffd(items, bins)) / vectorLowerBound(items, bins[0].capacity);
 * ```
 */
export function usedBins(packing: {
  readonly bins: readonly { readonly items: readonly unknown[] }[];
}): number {
  let used = 0;
  for (const b of packing.bins) if (b.items.length > 0) used++;
  return used;
}
