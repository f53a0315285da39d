export { isTerminalState } from "@satyr/proto";
export { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
export { type CallOptions, CancelScope, sleep, withDeadline } from "./call-options.js";
export { connect } from "./connect.js";
export {
  buildFrameworkInfo,
  type ConnectOptions,
  type FrameworkOptions,
  type NormalizedOptions,
  normalizeOptions,
} from "./connect-options.js";
export type { ConnectionState } from "./connection-state.js";
export { type Leader, leaderFromMasterInfoJson } from "./leader.js";
export {
  type MasterAddress,
  masterBaseUrl,
  parseMaster,
  resolveRedirect,
  SCHEDULER_PATH,
} from "./master-address.js";
export type { ReconcileTask } from "./reconciler.js";
export { type OfferFilterOptions, SchedulerClient } from "./scheduler-client.js";
export { TaskTracker, type TrackedTask } from "./task-tracker.js";
export type { TaskUpdate } from "./task-update.js";
export { MASTER_NODE_PREFIX, type ZookeeperDetectorOptions, zookeeperLeaders } from "./zookeeper-detector.js";
