import { type ConnectOptions, normalizeOptions } from "./connect-options.js";
import { SchedulerClient } from "./scheduler-client.js";

/**
 * Creates a {@link SchedulerClient} for one framework. Options are checked first (a malformed master URL, an
 * unknown codec or invalid framework info throw {@link InvalidOptionsError} here); connecting starts on
 * `client.start()` or the first subscription to any of its streams.
 *
 * @throws {@link InvalidOptionsError}
 * @example
 * ```ts
 * import { connect } from "@satyr/core";
 * await using client = connect({ master: process.env.MESOS_MASTER, framework: { name: "my-framework" } });
 * client.state$.subscribe((state) => console.log(state.kind));
 * client.offers$.subscribe((offer) => client.decline([offer.id!.value], { filters: { refuseSeconds: 60 } }));
 * ```
 */
export function connect(options: ConnectOptions): SchedulerClient {
  return new SchedulerClient(normalizeOptions(options));
}
