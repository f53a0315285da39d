import { isFieldSet } from "@bufbuild/protobuf";
import { type Resource, ResourceSchema, Value_Type } from "@satyr/proto";
import { ResourceError } from "../errors/resource-error.js";
import {
  countPorts,
  normalizeRanges,
  type PortRange,
  rangesContain,
  subtractRanges,
  takePorts,
} from "./port-ranges.js";
import { ResourceEntry, roundScalar } from "./resource-entry.js";
import { BUILT_IN_SCALARS } from "./scalar-kinds.js";

/**
 * What APIs accept where resources are expected.
 *
 * @example
 * ```ts
 * const small: ResourcesInput = [cpus(0.5), mem(256)];
 * const withPorts: ResourcesInput = Resources.of(cpus(1), mem(512), ports(2));
 * Resources.from(small).mem; // 256
 * new CommandTask({ command: "./serve", resources: withPorts });
 * ```
 */
export type ResourcesInput = Resources | ResourceEntry | readonly (ResourceEntry | Resources)[];

/**
 * Result of {@link Resources.compare}: a partial order, `undefined` when neither side fits in the other.
 *
 * @example
 * ```ts
 * const order: ResourceOrder = Resources.of(cpus(1), mem(64)).compare([cpus(2), mem(64)]); // -1
 * if (order === undefined) console.log("neither fits in the other");
 * ```
 */
export type ResourceOrder = -1 | 0 | 1 | undefined;

/** How far apart two resource amounts may be and still count as equal (float sums of scalars drift). @internal */
export const EPSILON = 1e-9;

/**
 * An immutable bundle of resources (scalars such as cpus, mem, disk, gpus or custom ones, and port ranges),
 * with arithmetic and comparison across every dimension, ports included. Offers and tasks both expose one.
 *
 * @example
 * ```ts
 * const offer = Resources.of(cpus(4), mem(4096), ports([[31000, 31099]]));
 * const task = Resources.of(cpus(0.5), mem(256), ports(2));
 * task.fits(offer);                 // true
 * offer.subtract(task).cpus;        // 3.5
 * ```
 */
export class Resources {
  /** No resources at all; the zero for `reduce((a, b) => a.add(b), Resources.empty)`. */
  static readonly empty: Resources = new Resources([]);

  /** The entries, one per name and metadata (merged). */
  readonly entries: readonly ResourceEntry[];
  /** `toVector()` of these (immutable) resources, built on first use: placement asks for it every round. */
  #vector: Readonly<Record<string, number>> | undefined;

  private constructor(entries: readonly ResourceEntry[]) {
    this.entries = entries;
  }

  /**
   * Builds resources from entries and other bundles, merging same-named entries with equal metadata.
   *
   * @example
   * ```ts
   * Resources.of(cpus(0.1), mem(128), disk(512));
   * ```
   */
  static of(...parts: (ResourceEntry | Resources)[]): Resources {
    const entries: ResourceEntry[] = [];
    for (const [i, part] of parts.entries()) {
      if (part instanceof Resources) entries.push(...part.entries);
      else if (part instanceof ResourceEntry) entries.push(part);
      else throw notAResource(part, i);
    }
    return new Resources(merge(entries));
  }

  /**
   * Normalizes any {@link ResourcesInput}.
   *
   * @example
   * ```ts
   * Resources.from([cpus(1), mem(64)]).mem; // 64
   * ```
   */
  static from(input: ResourcesInput | undefined): Resources {
    if (input === undefined) return Resources.empty;
    if (input instanceof Resources) return input;
    if (input instanceof ResourceEntry) return Resources.of(input);
    // Plain JavaScript callers can pass anything: a stray object here would reach bin-packing as NaN demand.
    if (!Array.isArray(input)) throw notAResource(input, undefined);
    return Resources.of(...input);
  }

  /**
   * Reads Mesos `Resource` messages (an offer's or a task's), keeping their metadata. Resources satyr cannot
   * represent — SET-valued ones, and types newer than this code (an unknown `Value.Type`) — are left out, as a
   * framework ignores what it does not understand: no task can ask for them, and the rest stays usable.
   *
   * @example
   * ```ts
   * const offered = Resources.fromProtos(offer.resources);
   * ```
   */
  static fromProtos(resources: readonly Resource[]): Resources {
    return new Resources(
      merge(resources.filter((r) => isRepresentable(r)).map((r) => ResourceEntry.fromProto(r))),
    );
  }

  /**
   * The total scalar amount of `name` (0 when absent), over every role and reservation.
   *
   * @example
   * ```ts
   * Resources.of(scalar("fpgas", 2)).scalar("fpgas"); // 2
   * ```
   */
  scalar(name: string): number {
    let total = 0;
    for (const entry of this.entries)
      if (entry.name === name && entry.amount.kind === "scalar") total += entry.amount.value;
    return roundScalar(total);
  }

  get cpus(): number {
    return this.scalar("cpus");
  }
  get mem(): number {
    return this.scalar("mem");
  }
  get disk(): number {
    return this.scalar("disk");
  }
  get gpus(): number {
    return this.scalar("gpus");
  }

  /** The concrete port ranges (merged over every role). */
  get ports(): PortRange[] {
    return this.rangesOf("ports");
  }

  /** How many ports: concrete ones plus requested-but-unassigned ones. */
  get portCount(): number {
    return this.quantity("ports");
  }

  /**
   * The concrete ranges of a range resource.
   *
   * @example
   * ```ts
   * offerResources.rangesOf("ports"); // [[31000, 32000]]
   * ```
   */
  rangesOf(name: string): PortRange[] {
    const all: PortRange[] = [];
    for (const entry of this.entries)
      if (entry.name === name && entry.amount.kind === "ranges") all.push(...entry.amount.ranges);
    return normalizeRanges(all, name);
  }

  /** The amount of a dimension: scalar total, or number of ports (concrete and requested). */
  quantity(name: string): number {
    let total = 0;
    for (const entry of this.entries) if (entry.name === name) total += entry.quantity;
    return roundScalar(total);
  }

  /** Every resource name present, built-in scalars first. */
  names(): string[] {
    const names = new Set<string>();
    for (const entry of this.entries) names.add(entry.name);
    return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  /** True when nothing is held. */
  get isEmpty(): boolean {
    return this.entries.every((e) => e.quantity === 0);
  }

  /**
   * Both bundles together.
   *
   * @example
   * ```ts
   * [task1.resources, task2.resources].reduce((a, b) => a.add(b), Resources.empty);
   * ```
   */
  add(other: ResourcesInput): Resources {
    return Resources.of(this, Resources.from(other));
  }

  /**
   * What is left after taking `other` away. Scalars are taken from entries with the same metadata first; ports
   * ranges must be contained; a ports count takes the lowest free ports. Throws a {@link ResourceError} naming
   * the dimension that would go below zero.
   *
   * @example
   * ```ts
   * Resources.of(cpus(2), mem(512)).subtract(Resources.of(cpus(0.5))).cpus; // 1.5
   * ```
   */
  subtract(other: ResourcesInput): Resources {
    const remove = Resources.from(other);
    let entries = [...this.entries];
    for (const wanted of remove.entries) {
      const result = takeFrom(entries, wanted);
      if (result === undefined) {
        throw new ResourceError(
          wanted.name,
          `cannot subtract ${wanted.toString()} from ${this.toString()}: not enough ${wanted.name}`,
        );
      }
      entries = result.rest;
    }
    return new Resources(merge(entries));
  }

  /**
   * True when this bundle fits into `capacity`: no dimension larger (Python satyr's `task <= offer`, extended
   * to every scalar and to ports).
   *
   * @example
   * ```ts
   * Resources.of(cpus(0.5)).fits(Resources.of(cpus(1), mem(128))); // true
   * ```
   */
  fits(capacity: ResourcesInput): boolean {
    const cap = Resources.from(capacity);
    for (const name of this.names()) {
      const mine = this.entries.filter((e) => e.name === name);
      if (mine.some((e) => e.amount.kind !== "scalar")) {
        const concrete = this.rangesOf(name);
        if (concrete.length === 0) {
          if (this.quantity(name) > cap.quantity(name) + EPSILON) return false;
          continue;
        }
        const available = cap.rangesOf(name);
        if (!rangesContain(available, concrete)) return false;
        const requested = this.quantity(name) - countPorts(concrete);
        if (countPorts(available) - countPorts(concrete) + EPSILON < requested) return false;
      } else if (this.scalar(name) > cap.scalar(name) + EPSILON) {
        return false;
      }
    }
    return true;
  }

  /**
   * Partial order across every dimension: -1 when this fits in `other` and is smaller somewhere, 0 when every
   * dimension is equal, 1 when `other` fits in this and this is larger somewhere, `undefined` otherwise.
   *
   * @example
   * ```ts
   * Resources.of(cpus(1), mem(64)).compare(Resources.of(cpus(2), mem(64))); // -1
   * Resources.of(cpus(1), mem(128)).compare(Resources.of(cpus(2), mem(64))); // undefined
   * ```
   */
  compare(other: ResourcesInput): ResourceOrder {
    const that = Resources.from(other);
    let less = false;
    let greater = false;
    for (const name of new Set([...this.names(), ...that.names()])) {
      const a = this.quantity(name);
      const b = that.quantity(name);
      if (a + EPSILON < b) less = true;
      else if (b + EPSILON < a) greater = true;
    }
    if (less && greater) return undefined;
    if (less) return -1;
    if (greater) return 1;
    return 0;
  }

  /**
   * Equal in every dimension (amounts, not metadata).
   *
   * @example
   * ```ts
   * Resources.of(cpus(1)).equals(Resources.of(cpus(1), mem(0))); // true
   * ```
   */
  equals(other: ResourcesInput): boolean {
    return this.compare(other) === 0;
  }

  /**
   * Strictly smaller in every dimension that either side has (Python satyr's `a < b`).
   *
   * @example
   * ```ts
   * Resources.of(cpus(1), mem(1)).lessThan(Resources.of(cpus(2), mem(2))); // true
   * ```
   */
  lessThan(other: ResourcesInput): boolean {
    const that = Resources.from(other);
    const names = new Set([...this.names(), ...that.names()]);
    if (names.size === 0) return false;
    for (const name of names) if (!(this.quantity(name) + EPSILON < that.quantity(name))) return false;
    return true;
  }

  /**
   * A plain vector for `@satyr/binpack`: every scalar by name and `ports` as a count. `names` adds dimensions
   * that must be present (as 0) even when this bundle lacks them.
   *
   * @example
   * ```ts
   * Resources.of(cpus(1), ports(2)).toVector(); // { cpus: 1, mem: 0, disk: 0, ports: 2 }
   * ```
   */
  toVector(names: Iterable<string> = []): Record<string, number> {
    if (this.#vector === undefined) {
      const own: Record<string, number> = { cpus: 0, mem: 0, disk: 0 };
      for (const name of this.names()) own[name] = this.quantity(name);
      this.#vector = own;
    }
    const vector: Record<string, number> = { ...this.#vector };
    for (const name of names) vector[name] ??= 0;
    return vector;
  }

  /**
   * The Mesos `Resource` messages (ports counts must have been assigned: see {@link Resources.allocate}).
   *
   * @example
   * ```ts
   * create(TaskInfoSchema, { resources: allocated.toProtos() });
   * ```
   */
  toProtos(): Resource[] {
    return this.entries.filter((e) => e.quantity > 0).map((e) => e.toProto());
  }

  /**
   * Takes `demand` out of these (offered) resources: the taken part keeps the offer's metadata (role,
   * reservations, allocation info) and has concrete ports in place of port counts. Reserved resources are
   * used before unreserved ones. `undefined` when the demand does not fit.
   *
   * @example
   * ```ts
   * const { taken, rest } = offer.resources.allocate(Resources.of(cpus(1), ports(1)))!;
   * taken.ports; // [[31000, 31000]]
   * ```
   */
  allocate(demand: ResourcesInput): { taken: Resources; rest: Resources } | undefined {
    let entries = [...this.entries].sort(
      (a, b) => Number(b.reservedRole !== undefined) - Number(a.reservedRole !== undefined),
    );
    const taken: ResourceEntry[] = [];
    for (const wanted of Resources.from(demand).entries) {
      if (wanted.quantity === 0) continue;
      const result = takeFrom(entries, wanted);
      if (result === undefined) return undefined;
      entries = result.rest;
      taken.push(...result.taken);
    }
    return { taken: new Resources(merge(taken)), rest: new Resources(merge(entries)) };
  }

  toString(): string {
    return this.entries.length === 0 ? "(none)" : this.entries.map((e) => e.toString()).join("; ");
  }
}

function rank(name: string): number {
  const i = BUILT_IN_SCALARS.indexOf(name);
  return i === -1 ? (name === "ports" ? BUILT_IN_SCALARS.length : BUILT_IN_SCALARS.length + 1) : i;
}

/** Merges entries of the same name, value kind and metadata; keeps first-seen order. */
/** Whether {@link ResourceEntry.fromProto} can read `resource`: a scalar or ranges with its type really set. */
function isRepresentable(resource: Resource): boolean {
  // A type this code does not know decodes as unset (proto2 closed enum): it reads as SCALAR but is not one.
  if (!isFieldSet(resource, ResourceSchema.field.type)) return false;
  return resource.type === Value_Type.SCALAR || resource.type === Value_Type.RANGES;
}

function notAResource(value: unknown, index: number | undefined): ResourceError {
  const name =
    typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string"
      ? (value as { name: string }).name
      : "resources";
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return new ResourceError(
    name,
    `${index === undefined ? "resources" : `resources[${index}]`} must be built with cpus(), mem(), disk(), gpus(), ports() or scalar() (or be a Resources), got ${shown.slice(0, 200)}`,
  );
}

function merge(entries: readonly ResourceEntry[]): ResourceEntry[] {
  const out: ResourceEntry[] = [];
  const index = new Map<string, number>();
  for (const entry of entries) {
    const key = `${entry.name}\u0000${entry.amount.kind}\u0000${entry.metaKey}`;
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(entry);
      continue;
    }
    const prev = out[at] as ResourceEntry;
    const a = prev.amount;
    const b = entry.amount;
    if (a.kind === "scalar" && b.kind === "scalar")
      out[at] = prev.withAmount({ kind: "scalar", value: a.value + b.value });
    else if (a.kind === "ranges" && b.kind === "ranges")
      out[at] = prev.withAmount({ kind: "ranges", ranges: [...a.ranges, ...b.ranges] });
    else if (a.kind === "count" && b.kind === "count")
      out[at] = prev.withAmount({ kind: "count", count: a.count + b.count });
  }
  return out;
}

/**
 * Takes one wanted entry out of `entries`: entries with the same metadata first, then the others in order.
 * Returns the pieces taken (with the source's metadata) and what is left, or `undefined` if short.
 */
function takeFrom(
  entries: readonly ResourceEntry[],
  wanted: ResourceEntry,
): { taken: ResourceEntry[]; rest: ResourceEntry[] } | undefined {
  const rest = [...entries];
  const taken: ResourceEntry[] = [];
  const order = rest
    .map((entry, i) => ({ entry, i }))
    .filter(({ entry }) => entry.name === wanted.name)
    .sort((x, y) => Number(y.entry.metaKey === wanted.metaKey) - Number(x.entry.metaKey === wanted.metaKey));
  const w = wanted.amount;
  if (w.kind === "scalar") {
    let left = w.value;
    for (const { entry, i } of order) {
      if (left <= EPSILON) break;
      if (entry.amount.kind !== "scalar") continue;
      const n = Math.min(entry.amount.value, left);
      if (n <= 0) continue;
      taken.push(entry.withAmount({ kind: "scalar", value: n }));
      rest[i] = entry.withAmount({ kind: "scalar", value: entry.amount.value - n });
      left = roundScalar(left - n);
    }
    return left > EPSILON ? undefined : { taken, rest };
  }
  if (w.kind === "ranges") {
    let left: readonly PortRange[] = w.ranges;
    for (const { entry, i } of order) {
      if (left.length === 0) break;
      if (entry.amount.kind !== "ranges") continue;
      const have = entry.amount.ranges;
      const common = subtractRanges(left, subtractRanges(left, have));
      if (common.length === 0) continue;
      taken.push(entry.withAmount({ kind: "ranges", ranges: common }));
      rest[i] = entry.withAmount({ kind: "ranges", ranges: subtractRanges(have, common) });
      left = subtractRanges(left, common);
    }
    return left.length > 0 ? undefined : { taken, rest };
  }
  let left = w.count;
  for (const { entry, i } of order) {
    if (left === 0) break;
    if (entry.amount.kind === "count") {
      const n = Math.min(entry.amount.count, left);
      rest[i] = entry.withAmount({ kind: "count", count: entry.amount.count - n });
      taken.push(entry.withAmount({ kind: "count", count: n }));
      left -= n;
      continue;
    }
    if (entry.amount.kind !== "ranges") continue;
    const n = Math.min(countPorts(entry.amount.ranges), left);
    const picked = takePorts(entry.amount.ranges, n);
    if (picked === undefined || n === 0) continue;
    taken.push(entry.withAmount({ kind: "ranges", ranges: picked }));
    rest[i] = entry.withAmount({ kind: "ranges", ranges: subtractRanges(entry.amount.ranges, picked) });
    left -= n;
  }
  return left > 0 ? undefined : { taken, rest };
}
