const BRAND = Symbol.for("@satyr/core.SatyrError");

/**
 * Base class of every error satyr raises on purpose. Subclasses set an explicit `name` so that guards work by
 * name across duplicated copies of the package; {@link isSatyrError} recognises any of them by a global brand.
 *
 * @example
 * ```ts
 * class QuotaError extends SatyrError { override readonly name = "QuotaError"; }
 * try { await work(); } catch (e) { if (isSatyrError(e)) console.error(e.name, e.message); }
 * ```
 */
export class SatyrError extends Error {
  override readonly name: string = "SatyrError";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Whether `error` is any satyr error (a {@link SatyrError} or subclass), even one from another copy of the package.
 *
 * @example
 * ```ts
 * if (isSatyrError(error)) report(error.name);
 * ```
 */
export function isSatyrError(error: unknown): error is SatyrError {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Shared by the guards: an error whose `name` is one of `names`.
 *
 * @example
 * ```ts
 * hasErrorName(new CancelledError("x"), "CancelledError", "AbortError"); // true
 * ```
 */
export function hasErrorName(error: unknown, ...names: string[]): error is Error {
  return error instanceof Error && names.includes(error.name);
}
