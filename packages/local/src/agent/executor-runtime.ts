import { create } from "@bufbuild/protobuf";
import {
  type ContainerStatus,
  ContainerStatusSchema,
  type ExecutorInfo,
  type FrameworkInfo,
  type KillPolicy,
  NetworkInfo_Protocol,
  type TaskInfo,
  type TaskStatus,
} from "@satyr/proto";

/** What an executor running on an agent can ask of it. */
export interface AgentContext {
  readonly agentId: string;
  readonly workDir: string;
  /** `ip:port` of the agent's executor API (MESOS_AGENT_ENDPOINT). */
  readonly endpoint: string;
  readonly executorShutdownGracePeriodMs: number;
  readonly executorRegistrationTimeoutMs: number;
  /** A status update for one of the executor's tasks, as the executor sent it (uuid set). */
  statusUpdate(frameworkId: string, status: TaskStatus): void;
  /** The executor ended; `waitStatus` is the POSIX wait status when a process ended. */
  executorExited(runtime: ExecutorRuntime, waitStatus: number | undefined): void;
}

/** An executor on an agent: the built-in command and default executors, or a custom executor process. */
export interface ExecutorRuntime {
  readonly kind: "command" | "default" | "custom";
  readonly frameworkId: string;
  readonly executorId: string;
  readonly info: ExecutorInfo;
  readonly framework: FrameworkInfo;
  readonly containerId: string;
  /** Hands tasks over (one LAUNCH each, or one LAUNCH_GROUP when `group`). */
  launch(tasks: readonly TaskInfo[], group: boolean): void;
  kill(taskId: string, killPolicy: KillPolicy | undefined): void;
  /** Asks the executor to end (SHUTDOWN), forcing it after the grace period. */
  shutdown(): void;
  message(data: Uint8Array): void;
  /** Ends it now, without updates (the cluster is stopping or the agent is removed). */
  destroy(): void;
}

/**
 * The ContainerStatus Mesos attaches to executor updates on a host-networked container.
 *
 * @example
 * ```ts
 * status.containerStatus = containerStatus(runtime.containerId, process.pid);
 * ```
 */
export function containerStatus(containerId: string, pid: number): ContainerStatus {
  return create(ContainerStatusSchema, {
    containerId: { value: containerId },
    networkInfos: [{ ipAddresses: [{ protocol: NetworkInfo_Protocol.IPv4, ipAddress: "127.0.0.1" }] }],
    executorPid: pid,
  });
}
