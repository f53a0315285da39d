import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * What an ERROR event means for the framework: another scheduler took it over ("Framework failed over"), it was
 * removed (torn down or its failover timeout expired: the id is dead, register anew), or the subscription was
 * refused (invalid FrameworkInfo, unauthorized role, ...).
 *
 * @example
 * ```ts
 * if (isMasterError(error) && error.kind === "removed") frameworkStore.delete();
 * ```
 */
export type MasterErrorKind = "failed-over" | "removed" | "refused";

/**
 * The master sent an ERROR event. Carries Mesos's own message verbatim in {@link MasterError.mesosMessage}.
 *
 * @example
 * ```ts
 * client.state$.subscribe((s) => {
 *   if (s.kind === "failed" && isMasterError(s.error) && s.error.kind === "removed") forgetFrameworkId();
 * });
 * ```
 */
export class MasterError extends SatyrError {
  override readonly name = "MasterError";
  /** The `message` of the ERROR event, as Mesos wrote it. */
  readonly mesosMessage: string;
  readonly kind: MasterErrorKind;

  constructor(mesosMessage: string, options?: ErrorOptions) {
    super(`master sent ERROR: ${mesosMessage}`, options);
    this.mesosMessage = mesosMessage;
    this.kind = classify(mesosMessage);
  }
}

function classify(message: string): MasterErrorKind {
  if (/failed over/i.test(message)) return "failed-over";
  if (/has been removed|framework.*(removed|torn down)/i.test(message)) return "removed";
  return "refused";
}

/**
 * Name-based guard for {@link MasterError}.
 *
 * @example
 * ```ts
 * if (isMasterError(error)) console.error(error.mesosMessage);
 * ```
 */
export function isMasterError(error: unknown): error is MasterError {
  return hasErrorName(error, "MasterError");
}
