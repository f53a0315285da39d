import { create } from "@bufbuild/protobuf";
import { type Resource, ResourceSchema, Value_Type } from "@satyr/proto";

/** Mesos keeps scalars in fixed point with three decimals; so do we, to add and subtract without drift. */
const MILLI = 1000;

type Range = readonly [number, number];

/**
 * A bag of unreserved resources (scalars, ranges, sets) with the arithmetic the master needs: add, subtract,
 * containment. Immutable: every operation returns a new bag. Names keep their first-seen order, which is the
 * order Mesos prints and offers them in.
 *
 * @example
 * ```ts
 * const total = Resources.of({ cpus: 2, mem: 1024, ports: [[31000, 32000]] });
 * total.contains(Resources.of({ cpus: 0.5 })); // true
 * ```
 */
export class Resources {
  readonly #scalars: ReadonlyMap<string, number>;
  readonly #ranges: ReadonlyMap<string, readonly Range[]>;
  readonly #sets: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #order: readonly string[];

  private constructor(
    scalars: ReadonlyMap<string, number>,
    ranges: ReadonlyMap<string, readonly Range[]>,
    sets: ReadonlyMap<string, ReadonlySet<string>>,
    order: readonly string[],
  ) {
    this.#scalars = scalars;
    this.#ranges = ranges;
    this.#sets = sets;
    this.#order = order.filter((name) => scalars.has(name) || ranges.has(name) || sets.has(name));
  }

  static readonly empty = new Resources(new Map(), new Map(), new Map(), []);

  /**
   * Builds a bag from plain values: numbers are scalars, `[begin, end][]` are ranges, string arrays are sets.
   *
   * @example
   * ```ts
   * Resources.of({ ports: [[31000, 31010]], cpus: 1 });
   * ```
   */
  static of(values: Readonly<Record<string, number | readonly Range[] | readonly string[]>>): Resources {
    const scalars = new Map<string, number>();
    const ranges = new Map<string, Range[]>();
    const sets = new Map<string, Set<string>>();
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === "number") {
        const milli = Math.round(value * MILLI);
        if (milli > 0) scalars.set(name, milli);
      } else if (value.length > 0 && typeof value[0] === "string") {
        sets.set(name, new Set(value as readonly string[]));
      } else if (value.length > 0) {
        ranges.set(name, normalizeRanges(value as readonly Range[]));
      }
    }
    return new Resources(scalars, ranges, sets, Object.keys(values));
  }

  /** Reads protobuf resources (roles and allocation info are ignored: the local cluster has no reservations). */
  static fromProto(list: readonly Resource[]): Resources {
    const scalars = new Map<string, number>();
    const ranges = new Map<string, Range[]>();
    const sets = new Map<string, Set<string>>();
    const order: string[] = [];
    for (const resource of list) {
      if (!order.includes(resource.name)) order.push(resource.name);
      if (resource.type === Value_Type.SCALAR && resource.scalar) {
        const milli = Math.round(resource.scalar.value * MILLI);
        scalars.set(resource.name, (scalars.get(resource.name) ?? 0) + milli);
      } else if (resource.type === Value_Type.RANGES && resource.ranges) {
        const next = resource.ranges.range.map((r) => [Number(r.begin), Number(r.end)] as Range);
        ranges.set(resource.name, normalizeRanges([...(ranges.get(resource.name) ?? []), ...next]));
      } else if (resource.type === Value_Type.SET && resource.set) {
        const set = sets.get(resource.name) ?? new Set<string>();
        for (const item of resource.set.item) set.add(item);
        sets.set(resource.name, set);
      }
    }
    return new Resources(scalars, ranges, sets, order);
  }

  /** Names present, in order. */
  get names(): readonly string[] {
    return this.#order;
  }

  isEmpty(): boolean {
    return this.#order.length === 0;
  }

  /** A scalar's value (0 when absent). */
  scalar(name: string): number {
    return (this.#scalars.get(name) ?? 0) / MILLI;
  }

  /** A range resource's intervals. */
  ranges(name: string): readonly Range[] {
    return this.#ranges.get(name) ?? [];
  }

  add(other: Resources): Resources {
    const scalars = new Map(this.#scalars);
    for (const [name, v] of other.#scalars) scalars.set(name, (scalars.get(name) ?? 0) + v);
    const ranges = new Map(this.#ranges);
    for (const [name, v] of other.#ranges)
      ranges.set(name, normalizeRanges([...(ranges.get(name) ?? []), ...v]));
    const sets = new Map(this.#sets);
    for (const [name, v] of other.#sets) sets.set(name, new Set([...(sets.get(name) ?? []), ...v]));
    return new Resources(scalars, ranges, sets, mergeOrder(this.#order, other.#order));
  }

  /** Removes what `other` holds; what is not there is ignored (callers check {@link contains} first). */
  subtract(other: Resources): Resources {
    const scalars = new Map(this.#scalars);
    for (const [name, v] of other.#scalars) {
      const left = (scalars.get(name) ?? 0) - v;
      if (left > 0) scalars.set(name, left);
      else scalars.delete(name);
    }
    const ranges = new Map(this.#ranges);
    for (const [name, v] of other.#ranges) {
      const left = subtractRanges(ranges.get(name) ?? [], v);
      if (left.length > 0) ranges.set(name, left);
      else ranges.delete(name);
    }
    const sets = new Map(this.#sets);
    for (const [name, v] of other.#sets) {
      const left = new Set([...(sets.get(name) ?? [])].filter((item) => !v.has(item)));
      if (left.size > 0) sets.set(name, left);
      else sets.delete(name);
    }
    return new Resources(scalars, ranges, sets, this.#order);
  }

  contains(other: Resources): boolean {
    for (const [name, v] of other.#scalars) if ((this.#scalars.get(name) ?? 0) < v) return false;
    for (const [name, v] of other.#ranges) {
      const mine = this.#ranges.get(name) ?? [];
      for (const [b, e] of v) if (!mine.some(([mb, me]) => mb <= b && e <= me)) return false;
    }
    for (const [name, v] of other.#sets) {
      const mine = this.#sets.get(name);
      for (const item of v) if (!mine?.has(item)) return false;
    }
    return true;
  }

  equals(other: Resources): boolean {
    return this.contains(other) && other.contains(this);
  }

  /**
   * The bag as Mesos resources. `role` fills the deprecated `role` field as Mesos does for unreserved
   * resources; `allocationRole` adds `allocation_info` (offers to MULTI_ROLE frameworks, launched tasks).
   */
  toProto(options: { role?: string; allocationRole?: string } = {}): Resource[] {
    const out: Resource[] = [];
    for (const name of this.#order) {
      const base: Record<string, unknown> = { name };
      if (options.role !== undefined) base.role = options.role;
      if (options.allocationRole !== undefined) base.allocationInfo = { role: options.allocationRole };
      const scalar = this.#scalars.get(name);
      if (scalar !== undefined) {
        out.push(
          create(ResourceSchema, { ...base, type: Value_Type.SCALAR, scalar: { value: scalar / MILLI } }),
        );
      }
      const ranges = this.#ranges.get(name);
      if (ranges !== undefined) {
        const range = ranges.map(([begin, end]) => ({ begin: BigInt(begin), end: BigInt(end) }));
        out.push(create(ResourceSchema, { ...base, type: Value_Type.RANGES, ranges: { range } }));
      }
      const set = this.#sets.get(name);
      if (set !== undefined) {
        out.push(create(ResourceSchema, { ...base, type: Value_Type.SET, set: { item: [...set] } }));
      }
    }
    return out;
  }

  /**
   * Mesos's text form, e.g. `cpus(allocated: *):2; ports(allocated: *):[31000-32000]`, as it appears in
   * TASK_ERROR messages.
   */
  format(allocationRole?: string): string {
    const tag = allocationRole === undefined ? "" : `(allocated: ${allocationRole})`;
    const parts: string[] = [];
    for (const name of this.#order) {
      const scalar = this.#scalars.get(name);
      if (scalar !== undefined) parts.push(`${name}${tag}:${formatNumber(scalar / MILLI)}`);
      const ranges = this.#ranges.get(name);
      if (ranges !== undefined)
        parts.push(`${name}${tag}:[${ranges.map(([b, e]) => `${b}-${e}`).join(", ")}]`);
      const set = this.#sets.get(name);
      if (set !== undefined) parts.push(`${name}${tag}:{${[...set].join(", ")}}`);
    }
    return parts.join("; ");
  }

  /** Scalars as a plain record (state JSON, dominant shares). */
  scalars(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, v] of this.#scalars) out[name] = v / MILLI;
    return out;
  }

  /** Ranges in Mesos's state-JSON text, e.g. `[31000-32000]`. */
  rangeText(name: string): string | undefined {
    const ranges = this.#ranges.get(name);
    return ranges === undefined ? undefined : `[${ranges.map(([b, e]) => `${b}-${e}`).join(", ")}]`;
  }
}

function formatNumber(value: number): string {
  return String(Math.round(value * MILLI) / MILLI);
}

function mergeOrder(a: readonly string[], b: readonly string[]): string[] {
  const out = [...a];
  for (const name of b) if (!out.includes(name)) out.push(name);
  return out;
}

function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter(([b, e]) => b <= e).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [b, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && b <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([b, e]);
  }
  return out;
}

function subtractRanges(from: readonly Range[], remove: readonly Range[]): Range[] {
  let current: Range[] = [...from];
  for (const [rb, re] of remove) {
    const next: Range[] = [];
    for (const [b, e] of current) {
      if (re < b || rb > e) {
        next.push([b, e]);
        continue;
      }
      if (b < rb) next.push([b, rb - 1]);
      if (re < e) next.push([re + 1, e]);
    }
    current = next;
  }
  return current;
}
