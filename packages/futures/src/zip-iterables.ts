import { PoolArgumentError } from "@satyr/core";

/**
 * Zips iterables into argument lists the way Python's `map(fn, *iterables)` does: stops at the shortest. Arrays
 * give an array (so the length is known and the default chunk size can be computed); if any input is async the
 * result is an async iterable, read lazily.
 *
 * @example
 * ```ts
 * zipIterables([[1, 2, 3], ["a", "b"]]); // [[1, "a"], [2, "b"]]
 * ```
 */
export function zipIterables(
  iterables: readonly (Iterable<unknown> | AsyncIterable<unknown>)[],
): (readonly unknown[])[] | Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]> {
  if (!Array.isArray(iterables) || iterables.length === 0) {
    throw new PoolArgumentError(
      "iterables",
      "map needs an array of at least one iterable (one per argument)",
    );
  }
  for (const [i, it] of iterables.entries()) {
    const ok = typeof it === "object" && it !== null && (Symbol.iterator in it || Symbol.asyncIterator in it);
    if (!ok && typeof it !== "string") {
      throw new PoolArgumentError(
        `iterables[${i}]`,
        `expected an iterable, got ${it === null ? "null" : typeof it}`,
      );
    }
  }
  if (iterables.every((it) => Array.isArray(it))) {
    const arrays = iterables as readonly unknown[][];
    const n = Math.min(...arrays.map((a) => a.length));
    return Array.from({ length: n }, (_, i) => arrays.map((a) => a[i]));
  }
  if (iterables.some((it) => Symbol.asyncIterator in Object(it))) return zipAsync(iterables);
  return zipSync(iterables as readonly Iterable<unknown>[]);
}

function* zipSync(iterables: readonly Iterable<unknown>[]): Generator<readonly unknown[]> {
  const iterators = iterables.map((it) => it[Symbol.iterator]());
  try {
    for (;;) {
      const row: unknown[] = [];
      for (const iterator of iterators) {
        const next = iterator.next();
        if (next.done) return;
        row.push(next.value);
      }
      yield row;
    }
  } finally {
    for (const iterator of iterators) iterator.return?.();
  }
}

async function* zipAsync(
  iterables: readonly (Iterable<unknown> | AsyncIterable<unknown>)[],
): AsyncGenerator<readonly unknown[]> {
  const iterators = iterables.map((it) =>
    Symbol.asyncIterator in Object(it)
      ? (it as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (it as Iterable<unknown>)[Symbol.iterator](),
  );
  try {
    for (;;) {
      const row: unknown[] = [];
      for (const iterator of iterators) {
        const next = await iterator.next();
        if (next.done) return;
        row.push(next.value);
      }
      yield row;
    }
  } finally {
    for (const iterator of iterators) await iterator.return?.();
  }
}
