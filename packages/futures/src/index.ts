/**
 * @packageDocumentation
 * `@satyr/futures`: Python's `concurrent.futures` on a Mesos cluster — {@link MesosPoolExecutor}, {@link Future},
 * {@link wait} and {@link asCompleted}. The machinery is core's `FunctionPool`; this package is its futures view.
 *
 * @example
 * ```ts
 * import { MesosPoolExecutor, wait, FIRST_COMPLETED } from "@satyr/futures";
 * await using executor = new MesosPoolExecutor({ name: "futures-pool" });
 * const fs = [1, 2, 3].map((x) => executor.submit((v: number) => v * v, [x]));
 * const { done } = await wait(fs, { returnWhen: FIRST_COMPLETED });
 * ```
 */
export { Future } from "./future.js";
export {
  type ExecutorMapOptions,
  MesosPoolExecutor,
  type MesosPoolExecutorOptions,
  type SubmitOptions,
} from "./mesos-pool-executor.js";
export {
  ALL_COMPLETED,
  asCompleted,
  type CompletedFuture,
  type DoneAndNotDone,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type ReturnWhen,
  wait,
} from "./wait.js";
export { zipIterables } from "./zip-iterables.js";
