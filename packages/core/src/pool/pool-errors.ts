/**
 * Raised when work is handed to a pool that no longer accepts it: after `shutdown()` (futures), after `close()`
 * or `terminate()` (multiprocessing). Python raises `RuntimeError` / `ValueError("Pool not running")` here.
 *
 * @example
 * ```ts
 * pool.close();
 * try { pool.applyAsync((a: number) => a, [1]); } catch (e) { if (isPoolClosedError(e)) console.log(e.message); }
 * ```
 */
export class PoolClosedError extends Error {
  override readonly name = "PoolClosedError";
}

/**
 * Name-based guard for {@link PoolClosedError}; works across duplicated copies of this package.
 *
 * @example
 * ```ts
 * if (isPoolClosedError(error)) console.log("submit before shutdown");
 * ```
 */
export function isPoolClosedError(error: unknown): error is PoolClosedError {
  return error instanceof Error && error.name === "PoolClosedError";
}

/**
 * Raised by a lifecycle call made in the wrong state, such as `join()` before `close()` or `terminate()`
 * (Python: `ValueError("Pool is still running")`).
 *
 * @example
 * ```ts
 * try { await pool.join(); } catch (e) { if (isPoolStateError(e)) pool.close(); }
 * ```
 */
export class PoolStateError extends Error {
  override readonly name = "PoolStateError";
}

/**
 * Name-based guard for {@link PoolStateError}.
 *
 * @example
 * ```ts
 * if (isPoolStateError(error)) console.log(error.message);
 * ```
 */
export function isPoolStateError(error: unknown): error is PoolStateError {
  return error instanceof Error && error.name === "PoolStateError";
}

/**
 * The pool's backend is unusable: the framework could not start (no master, embedded cluster failed) or it failed
 * for good (framework removed, authentication refused). Every outstanding call rejects with it, and so does every
 * later submission; `cause` holds the underlying error. The analogue of Python's `BrokenProcessPool`.
 *
 * @example
 * ```ts
 * try { await executor.submit((x: number) => x, [1]); }
 * catch (e) { if (isBrokenPoolError(e)) console.error("cluster unreachable:", e.cause); }
 * ```
 */
export class BrokenPoolError extends Error {
  override readonly name = "BrokenPoolError";
}

/**
 * Name-based guard for {@link BrokenPoolError}.
 *
 * @example
 * ```ts
 * if (isBrokenPoolError(error)) await pool.terminate();
 * ```
 */
export function isBrokenPoolError(error: unknown): error is BrokenPoolError {
  return error instanceof Error && error.name === "BrokenPoolError";
}

/**
 * A pool argument or option is invalid (not a function, a chunksize below 1, a negative timeout, ...). The message
 * names the argument and the value received.
 *
 * @example
 * ```ts
 * try { pool.map(fn, xs, { chunksize: 0 }); } catch (e) { if (isPoolArgumentError(e)) console.error(e.message); }
 * ```
 */
export class PoolArgumentError extends TypeError {
  override readonly name = "PoolArgumentError";
  /** The name of the offending argument or option, such as `"chunksize"`. */
  readonly argument: string;

  constructor(argument: string, message: string, options?: ErrorOptions) {
    super(`${argument}: ${message}`, options);
    this.argument = argument;
  }
}

/**
 * Name-based guard for {@link PoolArgumentError}.
 *
 * @example
 * ```ts
 * if (isPoolArgumentError(error)) console.error(`bad ${error.argument}`);
 * ```
 */
export function isPoolArgumentError(error: unknown): error is PoolArgumentError {
  return error instanceof Error && error.name === "PoolArgumentError";
}
