/**
 * @packageDocumentation
 * `@satyr/multiprocessing`: Python's `multiprocessing.Pool` on a Mesos cluster — {@link Pool} and
 * {@link AsyncResult}. The machinery is core's `FunctionPool`; this package is its multiprocessing view.
 *
 * @example
 * ```ts
 * import { Pool } from "@satyr/multiprocessing";
 * await using pool = new Pool({ name: "satyr-pool", processes: 4 });
 * console.log(await pool.starmap((a: number, b: number) => a * b, [[1, 2], [3, 4]])); // [2, 12]
 * ```
 */
export { AsyncResult, type ResultCallbacks } from "./async-result.js";
export { type ApplyOptions, type ImapOptions, Pool, type PoolMapOptions, type PoolOptions } from "./pool.js";
