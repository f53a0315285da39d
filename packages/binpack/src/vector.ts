import type { Vector } from "./types.js";

/**
 * Absolute slack a fit may use in each dimension, so that sums of decimal amounts (3 × 0.1 cpus into 0.3) fit
 * despite binary floating-point rounding. Mesos itself keeps scalars to three decimals, far above this.
 *
 * @example
 * ```ts
 * fits({ cpus: 0.1 + 0.1 + 0.1 }, { cpus: 0.3 });   // true, thanks to FIT_TOLERANCE
 * ```
 */
export const FIT_TOLERANCE = 1e-9;

/**
 * Whether `demand` fits into `capacity` in every dimension (missing dimensions read as 0), within
 * {@link FIT_TOLERANCE}. The same test every heuristic applies.
 *
 * @example
 * ```ts
 * fits({ cpus: 1, mem: 512 }, { cpus: 2, mem: 1024 });   // true
 * fits({ gpus: 1 }, { cpus: 64 });                        // false: no gpus means 0 gpus
 * ```
 */
export function fits(demand: Vector, capacity: Vector): boolean {
  for (const key in demand) {
    const need = demand[key] as number;
    if (need - FIT_TOLERANCE > (capacity[key] ?? 0)) return false;
  }
  return true;
}

/**
 * Dimension-wise sum over the union of both vectors' dimensions.
 *
 * @example
 * ```ts
 * add({ cpus: 1, mem: 128 }, { cpus: 0.5, disk: 10 });   // { cpus: 1.5, mem: 128, disk: 10 }
 * ```
 */
export function add(a: Vector, b: Vector): Vector {
  const out: Record<string, number> = { ...a };
  for (const key in b) out[key] = (out[key] ?? 0) + (b[key] as number);
  return out;
}

/**
 * Dimension-wise difference `a − b` over the union of both vectors' dimensions. The result may be negative where
 * `b` exceeds `a`; check {@link fits} first when that matters.
 *
 * @example
 * ```ts
 * subtract({ cpus: 4, mem: 4096 }, { cpus: 1, mem: 512 });   // { cpus: 3, mem: 3584 }
 * ```
 */
export function subtract(a: Vector, b: Vector): Vector {
  const out: Record<string, number> = { ...a };
  for (const key in b) out[key] = (out[key] ?? 0) - (b[key] as number);
  return out;
}
