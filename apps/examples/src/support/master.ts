import { LocalCluster } from "@satyr/local";

/** A master to connect to, and how to let go of it. */
export interface MasterHandle extends AsyncDisposable {
  /** `MESOS_MASTER`, or the URL of an embedded cluster started for this example. */
  readonly url: string;
  /** True when the example started its own embedded cluster. */
  readonly embedded: boolean;
}

/**
 * `MESOS_MASTER` when it is set; otherwise a one-agent embedded cluster, stopped on dispose. Only examples that
 * call `connect()` themselves need this: `run()` and the pools fall back to an embedded cluster on their own.
 */
export async function useMaster(): Promise<MasterHandle> {
  const fromEnv = process.env.MESOS_MASTER;
  if (fromEnv !== undefined && fromEnv !== "") {
    return { url: fromEnv, embedded: false, [Symbol.asyncDispose]: async () => {} };
  }
  const cluster = await LocalCluster.start({ agents: 1, allocationIntervalMs: 100 });
  return { url: cluster.masterUrl, embedded: true, [Symbol.asyncDispose]: () => cluster.stop() };
}
