import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * Bad resource input: a negative or non-finite amount, an unknown or clashing resource kind, malformed port
 * ranges, or a subtraction that would go below zero. The message names the resource and the value.
 *
 * @example
 * ```ts
 * try { cpus(-1); } catch (e) { if (isResourceError(e)) console.log(e.resource); } // "cpus"
 * ```
 */
export class ResourceError extends SatyrError {
  override readonly name = "ResourceError" as const;
  /** The resource name concerned, e.g. `"cpus"` or `"ports"`. */
  readonly resource: string;

  constructor(resource: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.resource = resource;
  }
}

/**
 * True for a {@link ResourceError} (name-based).
 *
 * @example
 * ```ts
 * if (isResourceError(error)) console.log(error.resource, error.message);
 * ```
 */
export function isResourceError(error: unknown): error is ResourceError {
  return hasErrorName(error, "ResourceError");
}
