import { ResourceError } from "../errors/resource-error.js";

/**
 * A scalar resource kind known to satyr: its Mesos name and how it should be weighted when packing.
 *
 * @example
 * ```ts
 * const fpgas: ScalarKind = { name: "fpgas" };
 * registerScalarKind(fpgas);
 * scalarKinds().find((k) => k.name === "mem")?.unit; // "MB"
 * ```
 */
export interface ScalarKind {
  /** The Mesos resource name, e.g. `"cpus"`. */
  readonly name: string;
  /** A unit for humans (`"MB"`); not sent to Mesos. */
  readonly unit?: string;
}

const BUILT_IN = ["cpus", "mem", "disk", "gpus"] as const;
const kinds = new Map<string, ScalarKind>([
  ["cpus", { name: "cpus" }],
  ["mem", { name: "mem", unit: "MB" }],
  ["disk", { name: "disk", unit: "MB" }],
  ["gpus", { name: "gpus" }],
]);

/** Mesos resource names: letters, digits and `_ - . /` (e.g. `nvidia.com/gpu`). */
const NAME = /^[A-Za-z][A-Za-z0-9_.\-/]*$/;

/**
 * Registers a custom scalar resource kind (for example an agent's `--resources="fpgas:2"`) so that tasks can ask
 * for it with {@link scalar} and packing treats it as a dimension. Registering the same name twice with the same
 * unit is harmless; `ports` is a range resource and cannot be a scalar.
 *
 * @example
 * ```ts
 * registerScalarKind({ name: "fpgas" });
 * const demand = Resources.of(cpus(1), scalar("fpgas", 1));
 * ```
 */
export function registerScalarKind(kind: ScalarKind): ScalarKind {
  if (!NAME.test(kind.name)) {
    throw new ResourceError(kind.name, `invalid resource name ${JSON.stringify(kind.name)}`);
  }
  if (kind.name === "ports") throw new ResourceError("ports", "ports is a range resource, not a scalar");
  const existing = kinds.get(kind.name);
  if (existing !== undefined && existing.unit !== kind.unit) {
    throw new ResourceError(kind.name, `scalar kind ${kind.name} is already registered with another unit`);
  }
  const frozen = Object.freeze({ ...kind });
  kinds.set(kind.name, frozen);
  return frozen;
}

/**
 * The registered scalar kinds, built-ins (cpus, mem, disk, gpus) first.
 *
 * @example
 * ```ts
 * scalarKinds().map((k) => k.name); // ["cpus", "mem", "disk", "gpus", ...custom]
 * ```
 */
export function scalarKinds(): readonly ScalarKind[] {
  return [...kinds.values()];
}

/**
 * True for a registered scalar name.
 *
 * @example
 * ```ts
 * isScalarKind("cpus"); // true
 * ```
 */
export function isScalarKind(name: string): boolean {
  return kinds.has(name);
}

/**
 * The built-in scalar names, in the order `Resources.names()` lists them.
 *
 * @example
 * ```ts
 * BUILT_IN_SCALARS.includes("gpus"); // true
 * ```
 */
export const BUILT_IN_SCALARS: readonly string[] = BUILT_IN;
