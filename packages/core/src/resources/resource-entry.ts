import { clone, create, isFieldSet, toJsonString } from "@bufbuild/protobuf";
import {
  type Resource,
  ResourceSchema,
  Value_RangeSchema,
  Value_RangesSchema,
  Value_ScalarSchema,
  Value_Type,
} from "@satyr/proto";
import { ResourceError } from "../errors/resource-error.js";
import { countPorts, normalizeRanges, type PortRange } from "./port-ranges.js";

/**
 * The amount one resource entry holds: a scalar, concrete port ranges, or (for a task's demand only) a number
 * of ports still to be chosen from an offer's ranges.
 *
 * @example
 * ```ts
 * function describe(amount: ResourceAmount): string {
 *   if (amount.kind === "scalar") return String(amount.value);
 *   if (amount.kind === "ranges") return amount.ranges.map(([b, e]) => `${b}-${e}`).join(",");
 *   return `${amount.count} port(s) to pick`;
 * }
 * describe(ResourceEntry.count("ports", 2).amount); // "2 port(s) to pick"
 * ```
 */
export type ResourceAmount =
  | { readonly kind: "scalar"; readonly value: number }
  | { readonly kind: "ranges"; readonly ranges: readonly PortRange[] }
  | { readonly kind: "count"; readonly count: number };

/**
 * Rounds to the three decimal digits Mesos keeps for scalars, so sums such as 0.1 + 0.2 stay exact.
 *
 * @example
 * ```ts
 * roundScalar(0.1 + 0.2); // 0.3
 * ```
 */
export function roundScalar(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * One resource: a name, an amount and, when it came from an offer, the offer's metadata (role, reservations,
 * allocation info, disk, revocable, shared, provider). The metadata is kept intact so resources taken from an
 * offer are launched exactly as offered, which Mesos requires for reserved resources and multi-role frameworks.
 *
 * @example
 * ```ts
 * const entry = ResourceEntry.scalar("cpus", 0.5);
 * entry.toProto(); // mesos.v1.Resource { name: "cpus", type: SCALAR, scalar: { value: 0.5 } }
 * ```
 */
export class ResourceEntry {
  /** The Mesos resource name. */
  readonly name: string;
  readonly amount: ResourceAmount;
  /** The offer's `Resource` without its value; `undefined` for resources built locally. */
  readonly meta: Resource | undefined;
  #metaKey: string | undefined;

  protected constructor(name: string, amount: ResourceAmount, meta: Resource | undefined) {
    this.name = name;
    this.amount = amount;
    this.meta = meta;
  }

  /**
   * A scalar entry; throws a {@link ResourceError} for a negative or non-finite amount.
   *
   * @example
   * ```ts
   * ResourceEntry.scalar("mem", 128);
   * ```
   */
  static scalar(name: string, value: number, meta?: Resource): ResourceEntry {
    if (!Number.isFinite(value) || value < 0) {
      throw new ResourceError(name, `${name}: amount must be a finite number >= 0, got ${String(value)}`);
    }
    return new ResourceEntry(name, { kind: "scalar", value: roundScalar(value) }, meta);
  }

  /**
   * A range entry (ports) of concrete ranges.
   *
   * @example
   * ```ts
   * ResourceEntry.ranges("ports", [[31000, 31010]]);
   * ```
   */
  static ranges(name: string, ranges: Iterable<PortRange>, meta?: Resource): ResourceEntry {
    return new ResourceEntry(name, { kind: "ranges", ranges: normalizeRanges(ranges, name) }, meta);
  }

  /**
   * A request for `count` ports of `name`, to be picked from an offer's ranges when the task is placed.
   *
   * @example
   * ```ts
   * ResourceEntry.count("ports", 2);
   * ```
   */
  static count(name: string, count: number): ResourceEntry {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new ResourceError(name, `${name}: count must be an integer >= 0, got ${String(count)}`);
    }
    return new ResourceEntry(name, { kind: "count", count }, undefined);
  }

  /**
   * Reads a Mesos `Resource`. SET resources are not supported by satyr's arithmetic and are rejected with a
   * {@link ResourceError} instead of being dropped silently.
   *
   * @example
   * ```ts
   * ResourceEntry.fromProto(offer.resources[0]);
   * ```
   */
  static fromProto(resource: Resource): ResourceEntry {
    if (!isFieldSet(resource, ResourceSchema.field.type)) {
      throw new ResourceError(
        resource.name,
        `${resource.name}: resource type is unknown to this version of satyr`,
      );
    }
    const meta = clone(ResourceSchema, resource);
    meta.scalar = undefined;
    meta.ranges = undefined;
    meta.set = undefined;
    switch (resource.type) {
      case Value_Type.SCALAR:
        return ResourceEntry.scalar(resource.name, resource.scalar?.value ?? 0, meta);
      case Value_Type.RANGES:
        return ResourceEntry.ranges(
          resource.name,
          (resource.ranges?.range ?? []).map((r) => [Number(r.begin), Number(r.end)] as const),
          meta,
        );
      default:
        throw new ResourceError(
          resource.name,
          `${resource.name}: resource type ${Value_Type[resource.type] ?? resource.type} is not supported`,
        );
    }
  }

  /** The scalar value, the number of ports in the ranges, or the requested count. */
  get quantity(): number {
    const amount = this.amount;
    if (amount.kind === "scalar") return amount.value;
    if (amount.kind === "ranges") return countPorts(amount.ranges);
    return amount.count;
  }

  /** A string identifying the metadata: entries with equal keys can be merged and must not be mixed up. */
  get metaKey(): string {
    this.#metaKey ??= this.meta === undefined ? "" : toJsonString(ResourceSchema, this.meta);
    return this.#metaKey;
  }

  /** The role the resource is reserved for (last reservation), or `undefined` when unreserved. */
  get reservedRole(): string | undefined {
    const meta = this.meta;
    if (meta === undefined) return undefined;
    const last = meta.reservations.at(-1);
    if (last !== undefined) return last.role;
    return meta.role !== "" && meta.role !== "*" ? meta.role : undefined;
  }

  /**
   * The same metadata with another amount.
   *
   * @example
   * ```ts
   * entry.withAmount({ kind: "scalar", value: 1 });
   * ```
   */
  withAmount(amount: ResourceAmount): ResourceEntry {
    let entry: ResourceEntry;
    if (amount.kind === "scalar") entry = ResourceEntry.scalar(this.name, amount.value, this.meta);
    else if (amount.kind === "ranges") entry = ResourceEntry.ranges(this.name, amount.ranges, this.meta);
    else return ResourceEntry.count(this.name, amount.count);
    // Same metadata object: reuse its key rather than serialising it again (placement does this per task).
    entry.#metaKey = this.#metaKey;
    return entry;
  }

  /**
   * The Mesos `Resource`. A ports count has no wire form: it must be assigned from an offer first.
   *
   * @example
   * ```ts
   * client.launch([offerId], [create(TaskInfoSchema, { resources: [ResourceEntry.scalar("cpus", 1).toProto()] })]);
   * ```
   */
  toProto(): Resource {
    const resource =
      this.meta === undefined
        ? create(ResourceSchema, { name: this.name })
        : clone(ResourceSchema, this.meta);
    switch (this.amount.kind) {
      case "scalar":
        resource.type = Value_Type.SCALAR;
        resource.scalar = create(Value_ScalarSchema, { value: this.amount.value });
        return resource;
      case "ranges":
        resource.type = Value_Type.RANGES;
        resource.ranges = create(Value_RangesSchema, {
          range: this.amount.ranges.map(([b, e]) =>
            create(Value_RangeSchema, { begin: BigInt(b), end: BigInt(e) }),
          ),
        });
        return resource;
      case "count":
        throw new ResourceError(
          this.name,
          `${this.name}: ${this.amount.count} unassigned ports have no Mesos form; place the task on an offer first`,
        );
    }
  }

  toString(): string {
    switch (this.amount.kind) {
      case "scalar":
        return `${this.name}:${this.amount.value}`;
      case "ranges":
        return `${this.name}:[${this.amount.ranges.map(([b, e]) => (b === e ? `${b}` : `${b}-${e}`)).join(",")}]`;
      case "count":
        return `${this.name}:${this.amount.count}`;
    }
  }
}
