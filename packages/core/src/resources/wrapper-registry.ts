/**
 * One registered wrapper: a test on the raw message and how to build the wrapper from it.
 *
 * @example
 * ```ts
 * import type { Offer as OfferMessage } from "@satyr/proto";
 * class RackOffer extends Offer {}
 * const entry: WrapperEntry<OfferMessage, Offer> = {
 *   match: (m) => m.attributes.some((a) => a.name === "rack"),
 *   wrap: (m) => new RackOffer(m),
 * };
 * const unregister = offerWrappers.register(entry);
 * ```
 */
export interface WrapperEntry<M, W> {
  readonly match: (message: M) => boolean;
  readonly wrap: (message: M) => W;
}

/**
 * An ordered registry mapping raw Mesos messages to the most specific wrapper class, the explicit TypeScript form
 * of the original satyr's proxy metaclass: the newest registration is tried first, the base wrapper last, so a
 * subclass registered after its base wins for the messages it matches.
 *
 * @example
 * ```ts
 * class GpuOffer extends Offer {}
 * offerWrappers.register({ match: (o) => o.resources.some((r) => r.name === "gpus"), wrap: (o) => new GpuOffer(o) });
 * wrapOffer(rawOffer); // a GpuOffer when the agent offers GPUs, else an Offer
 * ```
 */
export class WrapperRegistry<M, W> {
  readonly #entries: WrapperEntry<M, W>[] = [];
  readonly #fallback: (message: M) => W;

  constructor(fallback: (message: M) => W) {
    this.#fallback = fallback;
  }

  /**
   * Adds a wrapper in front of the earlier ones; returns a function that removes it again.
   *
   * @example
   * ```ts
   * const unregister = registry.register({ match: () => true, wrap: (m) => new Special(m) });
   * unregister();
   * ```
   */
  register(entry: WrapperEntry<M, W>): () => void {
    this.#entries.unshift(entry);
    return () => {
      const i = this.#entries.indexOf(entry);
      if (i !== -1) this.#entries.splice(i, 1);
    };
  }

  /**
   * Wraps a message with the newest matching registration, or the base wrapper.
   *
   * @example
   * ```ts
   * const offer = offerWrappers.wrap(raw);
   * ```
   */
  wrap(message: M): W {
    for (const entry of this.#entries) if (entry.match(message)) return entry.wrap(message);
    return this.#fallback(message);
  }
}
