import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  type CommandInfo,
  ContainerInfo_Type,
  type ExecutorInfo,
  type FrameworkInfo,
  FrameworkInfo_Capability_Type,
  type KillPolicy,
  randomUuidBytes,
  type TaskInfo,
  TaskState,
  TaskStatus_Reason,
  TaskStatus_Source,
  TaskStatusSchema,
} from "@satyr/proto";
import { type AgentContext, containerStatus, type ExecutorRuntime } from "./executor-runtime.js";
import { fetchUris } from "./fetcher.js";
import { describeExit, sandboxPath, signalGroup, spawnCommand } from "./sandbox.js";

/** The command executor's kill grace period when neither the task nor the KILL gives one. */
const DEFAULT_KILL_GRACE_MS = 3000;

/**
 * The message of the TASK_FAILED a DOCKER container gets: there is no Docker engine to run it.
 *
 * @example
 * ```ts
 * client.updates$.pipe(statuses()).subscribe((status) => {
 *   if (status.message === NO_DOCKER_MESSAGE) console.warn(`${status.taskId?.value} needs a real Mesos agent`);
 * });
 * ```
 */
export const NO_DOCKER_MESSAGE =
  "Failed to launch container: the satyr local cluster has no Docker engine, so DOCKER containers cannot run; " +
  "launch the task without a container (or with a MESOS container without an image)";

interface RunningTask {
  readonly info: TaskInfo;
  child: ChildProcess | undefined;
  killRequested: boolean;
  killTimer: NodeJS.Timeout | undefined;
  done: boolean;
}

/**
 * Mesos's built-in executors, run inside the agent: the command executor (one command task, executor id = task
 * id) and the default executor (a LAUNCH_GROUP's tasks, killed together when one fails or is killed). Each task
 * runs `/bin/sh -c` in the sandbox and reports TASK_STARTING, TASK_RUNNING, then TASK_FINISHED / TASK_FAILED /
 * TASK_KILLED with the command executor's wording.
 *
 * @example
 * ```ts
 * const runtime = new BuiltinExecutor(context, "command", frameworkInfo, executorInfo);
 * runtime.launch([task], false);
 * ```
 */
export class BuiltinExecutor implements ExecutorRuntime {
  readonly kind: "command" | "default";
  readonly frameworkId: string;
  readonly executorId: string;
  readonly info: ExecutorInfo;
  readonly framework: FrameworkInfo;
  readonly containerId = randomUUID();
  readonly #context: AgentContext;
  readonly #tasks = new Map<string, RunningTask>();
  readonly #sandbox: string;
  #exited = false;

  constructor(
    context: AgentContext,
    kind: "command" | "default",
    framework: FrameworkInfo,
    info: ExecutorInfo,
  ) {
    this.#context = context;
    this.kind = kind;
    this.framework = framework;
    this.info = info;
    this.frameworkId = framework.id?.value ?? "";
    this.executorId = info.executorId?.value ?? "";
    this.#sandbox = sandboxPath(
      context.workDir,
      context.agentId,
      this.frameworkId,
      this.executorId,
      this.containerId,
    );
  }

  launch(tasks: readonly TaskInfo[]): void {
    for (const task of tasks) {
      const entry: RunningTask = {
        info: task,
        child: undefined,
        killRequested: false,
        killTimer: undefined,
        done: false,
      };
      this.#tasks.set(task.taskId?.value ?? "", entry);
    }
    for (const task of tasks) this.#start(this.#tasks.get(task.taskId?.value ?? "")!);
  }

  #start(entry: RunningTask): void {
    const task = entry.info;
    if (
      task.container?.type === ContainerInfo_Type.DOCKER ||
      this.info.container?.type === ContainerInfo_Type.DOCKER
    ) {
      this.#update(entry, TaskState.TASK_FAILED, {
        source: TaskStatus_Source.AGENT,
        reason: TaskStatus_Reason.CONTAINER_LAUNCH_FAILED,
        message: NO_DOCKER_MESSAGE,
      });
      return;
    }
    const command = task.command;
    if (command === undefined) {
      this.#update(entry, TaskState.TASK_FAILED, {
        reason: TaskStatus_Reason.TASK_INVALID,
        message: "Task has no CommandInfo to run",
      });
      return;
    }
    if (command.uris.length > 0) {
      fetchUris(command.uris, this.#sandbox).then(
        () => this.#run(entry, command),
        (error: unknown) =>
          this.#update(entry, TaskState.TASK_FAILED, {
            source: TaskStatus_Source.AGENT,
            reason: TaskStatus_Reason.CONTAINER_LAUNCH_FAILED,
            message: `Failed to fetch all URIs for container '${this.containerId}': ${error instanceof Error ? error.message : String(error)}`,
          }),
      );
      return;
    }
    this.#run(entry, command);
  }

  #run(entry: RunningTask, command: CommandInfo): void {
    if (entry.done) return;
    const task = entry.info;
    this.#update(entry, TaskState.TASK_STARTING, {});
    let child: ChildProcess;
    try {
      child = spawnCommand(command, this.#sandbox, this.#environment(task));
    } catch (error) {
      this.#update(entry, TaskState.TASK_FAILED, {
        reason: TaskStatus_Reason.COMMAND_EXECUTOR_FAILED,
        message: `Failed to launch command: ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    entry.child = child;
    child.once("spawn", () => {
      if (!entry.done) this.#update(entry, TaskState.TASK_RUNNING, {});
    });
    child.once("error", (error) => {
      if (entry.done || child.pid !== undefined) return;
      this.#update(entry, TaskState.TASK_FAILED, {
        reason: TaskStatus_Reason.COMMAND_EXECUTOR_FAILED,
        message: `Failed to launch command: ${error.message}`,
      });
    });
    child.once("exit", (code, signal) => {
      if (entry.killTimer !== undefined) clearTimeout(entry.killTimer);
      if (entry.done) return;
      const message = describeExit(code, signal);
      if (entry.killRequested) this.#update(entry, TaskState.TASK_KILLED, { message });
      else if (code === 0) this.#update(entry, TaskState.TASK_FINISHED, { message });
      else this.#update(entry, TaskState.TASK_FAILED, { message });
    });
  }

  #environment(task: TaskInfo): Record<string, string> {
    return {
      MESOS_SANDBOX: this.#sandbox,
      MESOS_DIRECTORY: this.#sandbox,
      MESOS_AGENT_ENDPOINT: this.#context.endpoint,
      MESOS_FRAMEWORK_ID: this.frameworkId,
      MESOS_EXECUTOR_ID: this.executorId,
      MESOS_TASK_ID: task.taskId?.value ?? "",
      MESOS_SLAVE_ID: this.#context.agentId,
      MESOS_CHECKPOINT: this.framework.checkpoint ? "1" : "0",
    };
  }

  kill(taskId: string, killPolicy: KillPolicy | undefined): void {
    const entry = this.#tasks.get(taskId);
    if (entry === undefined || entry.done || entry.killRequested) return;
    this.#kill(entry, killPolicy);
    if (this.kind === "default") for (const other of this.#tasks.values()) this.#kill(other, undefined);
  }

  #kill(entry: RunningTask, killPolicy: KillPolicy | undefined): void {
    if (entry.done || entry.killRequested) return;
    entry.killRequested = true;
    const grace = killPolicy?.gracePeriod ?? entry.info.killPolicy?.gracePeriod;
    const graceMs = grace === undefined ? DEFAULT_KILL_GRACE_MS : Number(grace.nanoseconds / 1_000_000n);
    if (
      this.framework.capabilities.some((c) => c.type === FrameworkInfo_Capability_Type.TASK_KILLING_STATE)
    ) {
      this.#update(entry, TaskState.TASK_KILLING, {});
    }
    const child = entry.child;
    if (child === undefined) {
      this.#update(entry, TaskState.TASK_KILLED, { message: "Killed before the command started" });
      return;
    }
    signalGroup(child, "SIGTERM");
    entry.killTimer = setTimeout(() => signalGroup(child, "SIGKILL"), Math.max(0, graceMs));
    entry.killTimer.unref();
  }

  shutdown(): void {
    for (const entry of this.#tasks.values()) this.#kill(entry, undefined);
  }

  message(): void {
    // The built-in executors ignore framework messages, as Mesos's do.
  }

  destroy(): void {
    this.#exited = true;
    for (const entry of this.#tasks.values()) {
      entry.done = true;
      if (entry.killTimer !== undefined) clearTimeout(entry.killTimer);
      if (entry.child !== undefined) signalGroup(entry.child, "SIGKILL");
    }
  }

  #update(
    entry: RunningTask,
    state: TaskState,
    extra: { source?: TaskStatus_Source; reason?: TaskStatus_Reason; message?: string },
  ): void {
    if (entry.done) return;
    const terminal =
      state !== TaskState.TASK_STARTING &&
      state !== TaskState.TASK_RUNNING &&
      state !== TaskState.TASK_KILLING;
    if (terminal) entry.done = true;
    const status = create(TaskStatusSchema, {
      taskId: { value: entry.info.taskId?.value ?? "" },
      state,
      ...(extra.message === undefined ? {} : { message: extra.message }),
      source: extra.source ?? TaskStatus_Source.EXECUTOR,
      ...(extra.reason === undefined ? {} : { reason: extra.reason }),
      agentId: { value: this.#context.agentId },
      executorId: { value: this.executorId },
      timestamp: Date.now() / 1000,
      uuid: randomUuidBytes(),
      containerStatus: containerStatus(this.containerId, process.pid),
    });
    this.#context.statusUpdate(this.frameworkId, status);
    if (!terminal) return;
    if (this.kind === "default" && state !== TaskState.TASK_FINISHED) {
      for (const other of this.#tasks.values()) this.#kill(other, undefined);
    }
    if ([...this.#tasks.values()].every((t) => t.done) && !this.#exited) {
      this.#exited = true;
      setImmediate(() => this.#context.executorExited(this, 0));
    }
  }
}
