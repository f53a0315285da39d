/**
 * The client's connection, as `state$` reports it.
 * - `connecting`: an attempt is under way (`attempt` counts from 1 since the last subscription);
 * - `subscribed`: the stream is up; calls flow;
 * - `disconnected`: the stream ended; the client retries after a backoff (offers are void);
 * - `failed`: terminal (ERROR event, refused credentials, invalid request); nothing more happens;
 * - `closed`: {@link SchedulerClient.close} was called.
 *
 * @example
 * ```ts
 * client.state$.subscribe((s) => {
 *   if (s.kind === "subscribed") console.log(`framework ${s.frameworkId} on ${s.master}`);
 * });
 * ```
 */
export type ConnectionState =
  | { readonly kind: "connecting"; readonly attempt: number }
  | {
      readonly kind: "subscribed";
      readonly frameworkId: string;
      readonly master: string;
      readonly heartbeatIntervalSeconds: number;
    }
  | { readonly kind: "disconnected"; readonly reason: string; readonly error?: Error }
  | { readonly kind: "failed"; readonly error: Error }
  | { readonly kind: "closed" };
