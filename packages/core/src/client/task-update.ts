import type { TaskStatus } from "@satyr/proto";

/**
 * A status update for one task. Acknowledge it once it is handled (in `"auto"` mode the client does so when every
 * synchronous `updates$` handler returned). Updates without a `uuid` (reconciliation answers, master-generated
 * states) are never acknowledged: `acknowledge()` resolves without sending anything.
 *
 * @example
 * ```ts
 * client.updates$.subscribe(async (update) => {
 *   await store(update.status);
 *   await update.acknowledge();
 * });
 * ```
 */
export interface TaskUpdate {
  readonly status: TaskStatus;
  /** Whether the update carries a uuid and so needs an acknowledgement. */
  readonly needsAcknowledgement: boolean;
  /** Sends ACKNOWLEDGE (once, however often it is called); a no-op without a uuid. */
  acknowledge(): Promise<void>;
}
