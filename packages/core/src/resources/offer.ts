import type { Attribute, Offer as OfferMessage } from "@satyr/proto";
import { Value_Type } from "@satyr/proto";
import { Resources } from "./resources.js";
import { WrapperRegistry } from "./wrapper-registry.js";

/**
 * An agent attribute's value: text, a number, port-like ranges or a set of strings.
 *
 * @example
 * ```ts
 * // An agent started with --attributes="rack:r1;cores:16;zones:{eu-1,eu-2}"
 * const value: AttributeValue | undefined = offer.attributes.cores;
 * if (typeof value === "number" && value >= 8) console.log(`${offer.hostname} has ${value} cores`);
 * ```
 */
export type AttributeValue = string | number | readonly (readonly [number, number])[] | readonly string[];

/**
 * A resource offer: its id, the agent, hostname, attributes and {@link Resources}, over the raw
 * `mesos.v1.Offer` (kept as {@link Offer.message}). Subclass it and register the subclass in
 * {@link offerWrappers} to give offers your own methods.
 *
 * @example
 * ```ts
 * const offer = wrapOffer(raw);
 * if (Resources.of(cpus(1)).fits(offer.resources)) console.log(offer.hostname, offer.attribute("rack"));
 * ```
 */
export class Offer {
  readonly message: OfferMessage;
  #resources: Resources | undefined;
  #attributes: Readonly<Record<string, AttributeValue>> | undefined;

  constructor(message: OfferMessage) {
    this.message = message;
  }

  /** The offer id. */
  get id(): string {
    return this.message.id?.value ?? "";
  }
  /** The agent id. */
  get agentId(): string {
    return this.message.agentId?.value ?? "";
  }
  get hostname(): string {
    return this.message.hostname;
  }
  get frameworkId(): string {
    return this.message.frameworkId?.value ?? "";
  }
  /** Ids of this framework's executors already running on the agent. */
  get executorIds(): string[] {
    return this.message.executorIds.map((e) => e.value);
  }
  /** The offered resources, metadata (roles, reservations, allocation info) intact. */
  get resources(): Resources {
    this.#resources ??= Resources.fromProtos(this.message.resources);
    return this.#resources;
  }
  /** The agent's attributes by name. */
  get attributes(): Readonly<Record<string, AttributeValue>> {
    this.#attributes ??= Object.fromEntries(this.message.attributes.map((a) => [a.name, attributeValue(a)]));
    return this.#attributes;
  }

  /**
   * An attribute as text, the way Mesos prints it (`rack:a`, `level:3`, `range:[1-2]`, `set:{a,b}`);
   * `undefined` when the agent lacks it. Constraints compare these strings.
   *
   * @example
   * ```ts
   * offer.attribute("zone"); // "eu-1"
   * ```
   */
  attribute(name: string): string | undefined {
    const value = this.attributes[name];
    if (value === undefined) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    if (value.length > 0 && Array.isArray(value[0])) {
      return `[${(value as readonly (readonly [number, number])[]).map(([b, e]) => `${b}-${e}`).join(",")}]`;
    }
    return `{${(value as readonly string[]).join(",")}}`;
  }

  toString(): string {
    return `Offer(${this.id} on ${this.hostname}: ${this.resources.toString()})`;
  }
}

function attributeValue(attribute: Attribute): AttributeValue {
  switch (attribute.type) {
    case Value_Type.SCALAR:
      return attribute.scalar?.value ?? 0;
    case Value_Type.RANGES:
      return (attribute.ranges?.range ?? []).map((r) => [Number(r.begin), Number(r.end)] as const);
    case Value_Type.SET:
      return [...(attribute.set?.item ?? [])];
    default:
      return attribute.text?.value ?? "";
  }
}

/**
 * The registry that {@link wrapOffer} consults: register an `Offer` subclass here to have the scheduler hooks
 * and operators hand you instances of it.
 *
 * @example
 * ```ts
 * offerWrappers.register({ match: (m) => m.hostname.startsWith("gpu-"), wrap: (m) => new GpuOffer(m) });
 * ```
 */
export const offerWrappers: WrapperRegistry<OfferMessage, Offer> = new WrapperRegistry((m) => new Offer(m));

/**
 * Wraps a raw `mesos.v1.Offer` in the most specific registered {@link Offer} class.
 *
 * @example
 * ```ts
 * client.offers$.pipe(map(wrapOffer));
 * ```
 */
export function wrapOffer(message: OfferMessage): Offer {
  return offerWrappers.wrap(message);
}
