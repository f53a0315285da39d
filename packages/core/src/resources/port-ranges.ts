import { ResourceError } from "../errors/resource-error.js";

/**
 * An inclusive range of port numbers `[begin, end]`, as Mesos `Value.Range`.
 *
 * @example
 * ```ts
 * const range: PortRange = [31000, 31009];
 * countPorts([range]); // 10
 * Resources.of(ports([range])).portCount; // 10
 * ```
 */
export type PortRange = readonly [begin: number, end: number];

/**
 * Sorts, validates and merges ranges so that equal sets of ports have one representation
 * (`[[3, 4], [1, 2]]` → `[[1, 4]]`). Throws a {@link ResourceError} naming `name` on bad input.
 *
 * @example
 * ```ts
 * normalizeRanges([[31005, 31010], [31000, 31004]]); // [[31000, 31010]]
 * ```
 */
export function normalizeRanges(ranges: Iterable<PortRange>, name = "ports"): PortRange[] {
  const sorted = [...ranges].map((range) => {
    const [begin, end] = range;
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin) {
      throw new ResourceError(
        name,
        `${name}: invalid range [${begin}, ${end}] (need integers 0 <= begin <= end)`,
      );
    }
    return [begin, end] as const;
  });
  sorted.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [begin, end] of sorted) {
    const last = merged.at(-1);
    // Adjacent ranges merge too: [1,2] and [3,4] hold the same ports as [1,4].
    if (last !== undefined && begin <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([begin, end]);
  }
  return merged;
}

/**
 * How many ports the (normalized) ranges hold.
 *
 * @example
 * ```ts
 * countPorts([[31000, 31009]]); // 10
 * ```
 */
export function countPorts(ranges: readonly PortRange[]): number {
  let count = 0;
  for (const [begin, end] of ranges) count += end - begin + 1;
  return count;
}

/**
 * True when every port of `inner` is in `outer` (both normalized).
 *
 * @example
 * ```ts
 * rangesContain([[1, 10]], [[2, 3]]); // true
 * ```
 */
export function rangesContain(outer: readonly PortRange[], inner: readonly PortRange[]): boolean {
  return inner.every(([begin, end]) => outer.some(([b, e]) => b <= begin && end <= e));
}

/**
 * The ports of `from` that are not in `remove` (both normalized).
 *
 * @example
 * ```ts
 * subtractRanges([[1, 10]], [[3, 4]]); // [[1, 2], [5, 10]]
 * ```
 */
export function subtractRanges(from: readonly PortRange[], remove: readonly PortRange[]): PortRange[] {
  let result: PortRange[] = [...from];
  for (const [rb, re] of remove) {
    const next: PortRange[] = [];
    for (const [b, e] of result) {
      if (re < b || rb > e) {
        next.push([b, e]);
        continue;
      }
      if (b < rb) next.push([b, rb - 1]);
      if (re < e) next.push([re + 1, e]);
    }
    result = next;
  }
  return result;
}

/**
 * The lowest `count` ports of the (normalized) ranges, as ranges; `undefined` when there are fewer.
 *
 * @example
 * ```ts
 * takePorts([[1, 2], [5, 9]], 3); // [[1, 2], [5, 5]]
 * ```
 */
export function takePorts(ranges: readonly PortRange[], count: number): PortRange[] | undefined {
  const taken: PortRange[] = [];
  let left = count;
  for (const [begin, end] of ranges) {
    if (left <= 0) break;
    const size = end - begin + 1;
    const n = Math.min(size, left);
    taken.push([begin, begin + n - 1]);
    left -= n;
  }
  return left > 0 ? undefined : taken;
}

/**
 * Lists every port of the ranges, lowest first.
 *
 * @example
 * ```ts
 * listPorts([[8080, 8081]]); // [8080, 8081]
 * ```
 */
export function listPorts(ranges: readonly PortRange[]): number[] {
  const ports: number[] = [];
  for (const [begin, end] of ranges) for (let p = begin; p <= end; p++) ports.push(p);
  return ports;
}
