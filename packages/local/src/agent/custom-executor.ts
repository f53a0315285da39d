import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  type AgentInfo,
  type ExecutorInfo,
  executor,
  type FrameworkInfo,
  type KillPolicy,
  randomUuidBytes,
  type TaskInfo,
  TaskState,
  TaskStatus_Reason,
  TaskStatus_Source,
  TaskStatusSchema,
} from "@satyr/proto";
import type { EventStream } from "../http/event-stream.js";
import { formatDuration } from "../ids.js";
import type { AgentContext, ExecutorRuntime } from "./executor-runtime.js";
import { fetchUris } from "./fetcher.js";
import { sandboxPath, signalGroup, spawnCommand, waitStatus } from "./sandbox.js";

/** `--executor_reregistration_timeout` (and MESOS_SUBSCRIPTION_BACKOFF_MAX): 2 s, as Mesos defaults it. */
export const REREGISTRATION_TIMEOUT_MS = 2000;
/** `--recovery_timeout`, given to checkpointing executors as MESOS_RECOVERY_TIMEOUT. */
const RECOVERY_TIMEOUT = "15mins";

type ExecutorEvent = executor.Event;

/**
 * A custom executor: `ExecutorInfo.command` run as a real child process in its sandbox with the environment a
 * Mesos agent gives, expected to SUBSCRIBE to the agent's `/api/v1/executor`. Tasks wait in a queue until it
 * has; KILL, MESSAGE and SHUTDOWN go down its event stream; after SHUTDOWN it is killed once the grace period
 * is over. Its exit (or a missed registration) is reported to the agent with the wait status.
 *
 * @example
 * ```ts
 * const runtime = new CustomExecutor(context, frameworkInfo, executorInfo);
 * runtime.launch([task], false); // delivered once the process subscribes
 * ```
 */
export class CustomExecutor implements ExecutorRuntime {
  readonly kind = "custom" as const;
  readonly frameworkId: string;
  readonly executorId: string;
  readonly info: ExecutorInfo;
  readonly framework: FrameworkInfo;
  readonly containerId = randomUUID();
  readonly sandbox: string;
  readonly #context: AgentContext;
  #child: ChildProcess | undefined;
  /** Events for the executor held until it subscribes (LAUNCH / LAUNCH_GROUP). */
  readonly #queue: ExecutorEvent[] = [];
  /** Every task handed to this executor, in order. */
  readonly launched = new Map<string, TaskInfo>();
  #stream: EventStream<ExecutorEvent> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #exited = false;
  #everSubscribed = false;
  /** Set once SHUTDOWN was asked for: tasks it leaves unfinished are lost rather than failed. */
  shutdownRequested = false;

  constructor(context: AgentContext, framework: FrameworkInfo, info: ExecutorInfo) {
    this.#context = context;
    this.framework = framework;
    this.info = info;
    this.frameworkId = framework.id?.value ?? "";
    this.executorId = info.executorId?.value ?? "";
    this.sandbox = sandboxPath(
      context.workDir,
      context.agentId,
      this.frameworkId,
      this.executorId,
      this.containerId,
    );
    const graceMs =
      info.shutdownGracePeriod === undefined
        ? context.executorShutdownGracePeriodMs
        : Number(info.shutdownGracePeriod.nanoseconds / 1_000_000n);
    const env: Record<string, string> = {
      MESOS_AGENT_ENDPOINT: context.endpoint,
      MESOS_FRAMEWORK_ID: this.frameworkId,
      MESOS_EXECUTOR_ID: this.executorId,
      MESOS_DIRECTORY: this.sandbox,
      MESOS_SANDBOX: this.sandbox,
      MESOS_CHECKPOINT: framework.checkpoint ? "1" : "0",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: formatDuration(graceMs),
      MESOS_HTTP_COMMAND_EXECUTOR: "0",
      MESOS_SLAVE_ID: context.agentId,
      MESOS_SLAVE_PID: `slave(1)@${context.endpoint}`,
      LIBPROCESS_PORT: "0",
    };
    if (framework.checkpoint) {
      env.MESOS_RECOVERY_TIMEOUT = RECOVERY_TIMEOUT;
      env.MESOS_SUBSCRIPTION_BACKOFF_MAX = formatDuration(REREGISTRATION_TIMEOUT_MS);
    }
    this.#arm(context.executorRegistrationTimeoutMs);
    const command = info.command!;
    if (command.uris.length === 0) {
      this.#spawn(env);
    } else {
      // Fetched before the process starts, as Mesos's fetcher does; a failed fetch is a failed launch.
      fetchUris(command.uris, this.sandbox).then(
        () => {
          if (!this.#exited) this.#spawn(env);
        },
        () => this.#onExit(null, null),
      );
    }
  }

  #spawn(env: Record<string, string>): void {
    const child = spawnCommand(this.info.command!, this.sandbox, env);
    this.#child = child;
    child.once("error", () => this.#onExit(null, null));
    child.once("exit", (code, signal) => this.#onExit(code, signal));
  }

  get subscribed(): boolean {
    return this.#stream !== undefined && !this.#stream.closed;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  #kill(): void {
    if (this.#child !== undefined) signalGroup(this.#child, "SIGKILL");
    else this.#onExit(null, null);
  }

  /** Kills the process unless it subscribes within `ms` (registration, or reregistration after a restart). */
  #arm(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.subscribed) this.#kill();
    }, ms);
    this.#timer.unref();
  }

  /** The agent came back after a restart: the executor has the reregistration timeout to subscribe again. */
  expectResubscription(): void {
    if (!this.#exited && !this.subscribed) this.#arm(REREGISTRATION_TIMEOUT_MS);
  }

  /**
   * Attaches a new subscription: sends SUBSCRIBED, then everything queued. A previous stream is closed.
   * `unacknowledgedTasks` are the ids of tasks the executor already holds (they are not sent again).
   */
  subscribe(
    stream: EventStream<ExecutorEvent>,
    agentInfo: AgentInfo,
    unacknowledgedTasks: ReadonlySet<string>,
    resendLaunch: (taskId: string) => boolean,
  ): void {
    const previous = this.#stream;
    this.#stream = stream;
    if (previous !== undefined && previous !== stream) previous.end();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    stream.onClose(() => {
      if (this.#stream === stream) this.#stream = undefined;
    });
    stream.send(
      create(executor.EventSchema, {
        type: executor.Event_Type.SUBSCRIBED,
        subscribed: {
          executorInfo: this.info,
          frameworkInfo: this.framework,
          agentInfo,
          containerId: { value: this.containerId },
        },
      }),
    );
    if (this.#everSubscribed) {
      // After a reconnection, tasks the executor never got (no update, not among its unacknowledged tasks)
      // are delivered again.
      for (const [taskId, task] of this.launched) {
        if (!unacknowledgedTasks.has(taskId) && resendLaunch(taskId)) {
          stream.send(create(executor.EventSchema, { type: executor.Event_Type.LAUNCH, launch: { task } }));
        }
      }
    }
    this.#everSubscribed = true;
    for (const event of this.#queue.splice(0)) stream.send(event);
  }

  send(event: ExecutorEvent): void {
    if (this.subscribed) this.#stream!.send(event);
  }

  launch(tasks: readonly TaskInfo[], group: boolean): void {
    for (const task of tasks) this.launched.set(task.taskId?.value ?? "", task);
    const events = group
      ? [
          create(executor.EventSchema, {
            type: executor.Event_Type.LAUNCH_GROUP,
            launchGroup: { taskGroup: { tasks: [...tasks] } },
          }),
        ]
      : tasks.map((task) =>
          create(executor.EventSchema, { type: executor.Event_Type.LAUNCH, launch: { task } }),
        );
    for (const event of events) {
      if (this.subscribed) this.#stream!.send(event);
      else this.#queue.push(event);
    }
  }

  kill(taskId: string, killPolicy: KillPolicy | undefined): void {
    const queued = this.#queue.findIndex(
      (e) =>
        e.launch?.task?.taskId?.value === taskId ||
        (e.launchGroup?.taskGroup?.tasks.some((t) => t.taskId?.value === taskId) ?? false),
    );
    if (queued >= 0) {
      // Never delivered: the agent kills it itself.
      const [event] = this.#queue.splice(queued, 1);
      const tasks =
        event?.launch?.task !== undefined
          ? [event.launch.task]
          : (event?.launchGroup?.taskGroup?.tasks ?? []);
      for (const task of tasks) {
        this.launched.delete(task.taskId?.value ?? "");
        this.#context.statusUpdate(
          this.frameworkId,
          create(TaskStatusSchema, {
            taskId: { value: task.taskId?.value ?? "" },
            state: TaskState.TASK_KILLED,
            message: "Killed before delivery to the executor",
            source: TaskStatus_Source.AGENT,
            reason: TaskStatus_Reason.TASK_KILLED_DURING_LAUNCH,
            agentId: { value: this.#context.agentId },
            executorId: { value: this.executorId },
            timestamp: Date.now() / 1000,
            uuid: randomUuidBytes(),
          }),
        );
      }
      return;
    }
    this.send(
      create(executor.EventSchema, {
        type: executor.Event_Type.KILL,
        kill: { taskId: { value: taskId }, ...(killPolicy === undefined ? {} : { killPolicy }) },
      }),
    );
  }

  message(data: Uint8Array): void {
    this.send(create(executor.EventSchema, { type: executor.Event_Type.MESSAGE, message: { data } }));
  }

  shutdown(): void {
    if (this.#exited) return;
    this.shutdownRequested = true;
    if (!this.subscribed) {
      this.#kill();
      return;
    }
    this.send(create(executor.EventSchema, { type: executor.Event_Type.SHUTDOWN }));
    if (this.#killTimer === undefined) {
      const graceMs =
        this.info.shutdownGracePeriod === undefined
          ? this.#context.executorShutdownGracePeriodMs
          : Number(this.info.shutdownGracePeriod.nanoseconds / 1_000_000n);
      this.#killTimer = setTimeout(() => this.#kill(), graceMs);
      this.#killTimer.unref();
    }
  }

  destroy(): void {
    this.#exited = true;
    if (this.#child !== undefined) signalGroup(this.#child, "SIGKILL");
    this.#cleanup();
  }

  #cleanup(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#killTimer !== undefined) clearTimeout(this.#killTimer);
    this.#timer = undefined;
    this.#killTimer = undefined;
    this.#stream?.end();
    this.#stream = undefined;
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const destroyed = this.#exited;
    this.#exited = true;
    this.#cleanup();
    if (destroyed) return;
    this.#context.executorExited(
      this,
      code === null && signal === null ? undefined : waitStatus(code, signal),
    );
  }
}
