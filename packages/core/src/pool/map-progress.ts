/**
 * Progress of a map-style call, counted in calls (items), not tasks:
 * - `submitted`: items handed to the pool so far;
 * - `running`: items whose task is running on the cluster now;
 * - `done`: items that returned;
 * - `failed`: items that threw, or whose task failed;
 * - `cancelled`: items cancelled (early exit, a failure elsewhere, timeout of the whole map, shutdown);
 * - `total`: the number of items, once the whole input has been read.
 *
 * @example
 * ```ts
 * const onProgress = (p: MapProgress) => console.log(`${p.done}/${p.total ?? "?"} done, ${p.failed} failed`);
 * ```
 */
export interface MapProgress {
  readonly submitted: number;
  readonly running: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly total: number | undefined;
}

/**
 * The default chunk size of a map over `items` items with `workers` concurrent tasks, as Python's `Pool.map`
 * computes it: `ceil(items / (4 × workers))`, at least 1.
 *
 * @example
 * ```ts
 * defaultChunksize(10_000, 8); // 313
 * ```
 */
export function defaultChunksize(items: number, workers: number): number {
  if (items <= 0) return 1;
  return Math.max(1, Math.ceil(items / (4 * Math.max(1, workers))));
}
