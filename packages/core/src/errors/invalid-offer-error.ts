import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * ACCEPT or LAUNCH named offers this client does not hold: already used, declined, rescinded, or voided by a
 * reconnection (offers never survive one). Raised before anything is sent, since the master would only answer
 * with TASK_LOST (REASON_INVALID_OFFERS) later.
 *
 * @example
 * ```ts
 * try { await client.launch([offer.id.value], tasks); }
 * catch (e) { if (isInvalidOfferError(e)) requeue(tasks); }
 * ```
 */
export class InvalidOfferError extends SatyrError {
  override readonly name = "InvalidOfferError";
  readonly offerIds: readonly string[];

  constructor(offerIds: readonly string[], options?: ErrorOptions) {
    super(`offer(s) no longer valid: ${offerIds.join(", ")}`, options);
    this.offerIds = offerIds;
  }
}

/**
 * Name-based guard for {@link InvalidOfferError}.
 *
 * @example
 * ```ts
 * if (isInvalidOfferError(error)) console.warn(error.offerIds);
 * ```
 */
export function isInvalidOfferError(error: unknown): error is InvalidOfferError {
  return hasErrorName(error, "InvalidOfferError");
}
