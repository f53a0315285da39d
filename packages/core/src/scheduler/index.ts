export {
  admits,
  attributeEquals,
  attributeMatches,
  type Constraint,
  constraintValue,
  spread,
  unique,
} from "./constraints.js";
export { type Logger, quietLogger } from "./logger.js";
export {
  QueueScheduler,
  type QueueSchedulerOptions,
  type QueueStats,
  type SubmitOptions,
} from "./queue-scheduler.js";
export {
  type FailureInfo,
  type FrameworkMessage,
  Scheduler,
  type SchedulerOptions,
  type SubscribedInfo,
} from "./scheduler.js";
