/**
 * @packageDocumentation
 * `@satyr/local`: an embedded Mesos-compatible cluster (master and agents) speaking the real Mesos v1 HTTP
 * APIs on loopback, like `mesos-local`. Code tested on it runs unchanged on Apache Mesos.
 *
 * @example
 * ```ts
 * import { LocalCluster } from "@satyr/local";
 * await using cluster = await LocalCluster.start({ agents: 2 });
 * console.log(cluster.masterUrl);
 * ```
 */

export { NO_DOCKER_MESSAGE } from "./agent/builtin-executor.js";
export { bindWarning } from "./bind-warning.js";
export { type ClusterThread, startClusterThread } from "./cluster-thread.js";
export { type Credential, parseCredentials, readCredentialsFile } from "./credentials-file.js";
export { isLocalClusterError, LocalClusterError, type LocalClusterErrorCode } from "./errors.js";
export { type LocalAgent, LocalCluster } from "./local-cluster.js";
export { MESOS_VERSION } from "./master/master.js";
export { type AgentResources, fairShare, type LocalClusterOptions } from "./options.js";
