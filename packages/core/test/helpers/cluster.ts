import { LocalCluster, type LocalClusterOptions } from "@satyr/local";

/** Small fast clusters for tests: short allocation interval, modest agents. */
export function startCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  return LocalCluster.start({
    agents: 2,
    resources: { cpus: 4, mem: 4096, disk: 8192, ports: [[31000, 31100]] },
    allocationIntervalMs: 50,
    heartbeatIntervalSeconds: 5,
    ...options,
  });
}

export const silent = { debug() {}, info() {}, warn() {}, error() {} };
