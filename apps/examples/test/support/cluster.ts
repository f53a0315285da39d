import { LocalCluster } from "@satyr/local";

/**
 * Starts one embedded cluster for a test file and points the examples at it through `MESOS_MASTER`, as run-all
 * does; `stop()` restores the environment. With MESOS_MASTER already set (CI against Apache Mesos), it is used
 * as it is and nothing is started.
 */
export async function useCluster(): Promise<{ master: string; stop(): Promise<void> }> {
  const given = process.env.MESOS_MASTER;
  if (given !== undefined && given !== "") return { master: given, stop: async () => {} };
  const cluster = await LocalCluster.start({ agents: 2, allocationIntervalMs: 50 });
  process.env.MESOS_MASTER = cluster.masterUrl;
  return {
    master: cluster.masterUrl,
    async stop() {
      delete process.env.MESOS_MASTER;
      await cluster.stop();
    },
  };
}

/** A log that keeps the lines an example printed, for assertions. */
export function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}
