import type {
  AgentInfo,
  Attribute,
  ExecutorInfo,
  FrameworkInfo,
  KillPolicy,
  scheduler,
  TaskInfo,
  TaskState,
  TaskStatus,
} from "@satyr/proto";
import type { EventStream } from "../http/event-stream.js";
import type { Resources } from "../resources.js";

/**
 * What the master asks of an agent. Agents run in the same process, so these are calls, not messages; each
 * one is what a real master would send over libprocess.
 */
export interface AgentPort {
  readonly id: string;
  /** Base URL of the agent (its `/api/v1/executor` lives there). */
  readonly url: string;
  readonly info: AgentInfo;
  readonly total: Resources;
  readonly attributes: readonly Attribute[];
  launchTask(framework: FrameworkInfo, task: TaskInfo): void;
  launchGroup(framework: FrameworkInfo, executor: ExecutorInfo, tasks: readonly TaskInfo[]): void;
  killTask(frameworkId: string, taskId: string, killPolicy: KillPolicy | undefined): void;
  shutdownExecutor(frameworkId: string, executorId: string): void;
  shutdownFramework(frameworkId: string): void;
  acknowledge(frameworkId: string, taskId: string, uuid: Uint8Array): void;
  message(frameworkId: string, executorId: string, data: Uint8Array): void;
  /** Re-sends each task's unacknowledged update now (a framework just resubscribed). */
  resendUpdates(frameworkId: string): void;
}

/**
 * What an agent tells the master.
 */
export interface MasterPort {
  /** The agent learned a task's newest state (resources are released on a terminal one). */
  taskStateChanged(agentId: string, frameworkId: string, taskId: string, state: TaskState): void;
  /** The agent's status update manager forwards this update to the framework. */
  forwardUpdate(agentId: string, frameworkId: string, status: TaskStatus): void;
  /** The framework acknowledged the update of this state (a terminal one retires the task). */
  updateAcknowledged(agentId: string, frameworkId: string, taskId: string, state: TaskState): void;
  executorTerminated(
    agentId: string,
    frameworkId: string,
    executorId: string,
    waitStatus: number | undefined,
    commandExecutor: boolean,
  ): void;
  executorMessage(agentId: string, frameworkId: string, executorId: string, data: Uint8Array): void;
}

/** A task the master knows. */
export interface TaskRecord {
  readonly info: TaskInfo;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly executorId: string | undefined;
  readonly role: string;
  readonly resources: Resources;
  /** The newest state the agent reported (Mesos's `latest_state`). */
  state: TaskState;
  /** The state of the newest update forwarded to the framework (what reconciliation reports). */
  forwardedState: TaskState | undefined;
  lastForwarded: TaskStatus | undefined;
  readonly statuses: TaskStatus[];
  released: boolean;
}

/** A custom (or default) executor the master accounts for on one agent. */
export interface ExecutorRecord {
  readonly info: ExecutorInfo;
  readonly frameworkId: string;
  readonly resources: Resources;
}

/** An outstanding offer. */
export interface OfferRecord {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  readonly resources: Resources;
  timer: NodeJS.Timeout | undefined;
}

/** A framework: subscribed, disconnected (failover timer running), or removed. */
export interface FrameworkRecord {
  readonly id: string;
  info: FrameworkInfo;
  roles: string[];
  readonly suppressed: Set<string>;
  stream: EventStream<scheduler.Event> | undefined;
  streamId: string | undefined;
  heartbeat: NodeJS.Timeout | undefined;
  failoverTimer: NodeJS.Timeout | undefined;
  readonly registeredTime: number;
  unregisteredTime: number;
  readonly tasks: Map<string, TaskRecord>;
  readonly completedTasks: TaskRecord[];
  readonly offers: Map<string, OfferRecord>;
  principal: string | undefined;
}

/** An agent as the master tracks it. */
export interface AgentRecord {
  readonly port: AgentPort;
  used: Resources;
  offered: Resources;
  /** frameworkId → executorId → executor. */
  readonly executors: Map<string, Map<string, ExecutorRecord>>;
  readonly registeredTime: number;
}
