import { ResourceError } from "../errors/resource-error.js";
import type { PortRange } from "./port-ranges.js";
import { ResourceEntry } from "./resource-entry.js";
import { isScalarKind } from "./scalar-kinds.js";

/**
 * `amount` CPUs (fractions allowed).
 *
 * @example
 * ```ts
 * new FunctionTask({ fn, args: [1], resources: [cpus(0.1), mem(128)] });
 * ```
 */
export function cpus(amount: number): ResourceEntry {
  return ResourceEntry.scalar("cpus", amount);
}

/**
 * `amount` MB of memory.
 *
 * @example
 * ```ts
 * mem(128);
 * ```
 */
export function mem(amount: number): ResourceEntry {
  return ResourceEntry.scalar("mem", amount);
}

/**
 * `amount` MB of disk.
 *
 * @example
 * ```ts
 * disk(512);
 * ```
 */
export function disk(amount: number): ResourceEntry {
  return ResourceEntry.scalar("disk", amount);
}

/**
 * `amount` GPUs (the framework needs the GPU_RESOURCES capability to be offered any).
 *
 * @example
 * ```ts
 * gpus(1);
 * ```
 */
export function gpus(amount: number): ResourceEntry {
  return ResourceEntry.scalar("gpus", amount);
}

/**
 * Ports: concrete ranges (`[[31000, 31010]]`, as in offers or for a task that needs those exact ports) or a
 * number of ports that the scheduler picks from the offer when it places the task.
 *
 * @example
 * ```ts
 * ports([[31000, 31010]]); // eleven concrete ports
 * ports(2);                // any two ports of the offer
 * ```
 */
export function ports(rangesOrCount: readonly PortRange[] | number): ResourceEntry {
  return typeof rangesOrCount === "number"
    ? ResourceEntry.count("ports", rangesOrCount)
    : ResourceEntry.ranges("ports", rangesOrCount);
}

/**
 * `amount` of a registered custom scalar kind (see `registerScalarKind`); an unregistered name is an error so a
 * typo does not turn into a dimension no agent offers.
 *
 * @example
 * ```ts
 * registerScalarKind({ name: "fpgas" });
 * scalar("fpgas", 1);
 * ```
 */
export function scalar(name: string, amount: number): ResourceEntry {
  if (!isScalarKind(name)) {
    throw new ResourceError(
      name,
      `unknown scalar resource ${JSON.stringify(name)}: register it with registerScalarKind first`,
    );
  }
  return ResourceEntry.scalar(name, amount);
}
