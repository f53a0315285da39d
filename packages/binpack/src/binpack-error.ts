/**
 * Raised for input the packer cannot interpret: a missing or duplicate id, a resource amount that is negative,
 * NaN or infinite, unknown options or weights. A packing that merely leaves items unplaced is not an error.
 *
 * @example
 * ```ts
 * try { pack(items, bins); } catch (e) { if (isBinpackError(e)) console.error(e.message); }
 * ```
 */
export class BinpackError extends Error {
  override readonly name = "BinpackError";
}

/**
 * Name-based guard for {@link BinpackError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isBinpackError(error)) return reply(400, error.message);
 * ```
 */
export function isBinpackError(error: unknown): error is BinpackError {
  return error instanceof Error && error.name === "BinpackError";
}
