import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { create } from "@bufbuild/protobuf";
import {
  type AgentInfo,
  AgentInfoSchema,
  type Attribute,
  AttributeSchema,
  type ExecutorInfo,
  ExecutorInfo_Type,
  ExecutorInfoSchema,
  type FrameworkInfo,
  FrameworkInfo_Capability_Type,
  isTerminalState,
  type KillPolicy,
  randomUuidBytes,
  type TaskInfo,
  TaskState,
  type TaskStatus,
  TaskStatus_Reason,
  TaskStatus_Source,
  TaskStatusSchema,
  uuidKey,
  Value_Type,
} from "@satyr/proto";
import type { AgentPort, MasterPort } from "../master/records.js";
import type { AgentResources } from "../options.js";
import { Resources } from "../resources.js";
import { BuiltinExecutor } from "./builtin-executor.js";
import { CustomExecutor } from "./custom-executor.js";
import { handleExecutorRequest } from "./executor-endpoint.js";
import type { AgentContext, ExecutorRuntime } from "./executor-runtime.js";
import { StatusUpdateManager } from "./status-update-manager.js";

/** Settings of one {@link Agent}. */
export interface AgentSettings {
  readonly id: string;
  readonly host: string;
  readonly workDir: string;
  readonly resources: AgentResources;
  readonly attributes: Readonly<Record<string, string>>;
  readonly executorRegistrationTimeoutMs: number;
  readonly executorShutdownGracePeriodMs: number;
}

interface TaskEntry {
  readonly frameworkId: string;
  readonly info: TaskInfo;
  readonly runtime: ExecutorRuntime;
  state: TaskState;
  readonly received: Set<string>;
}

/**
 * One agent: runs tasks through the built-in command and default executors or custom executor processes,
 * serves the v1 executor API on its own port, and relays status updates to the master one per task at a
 * time until each is acknowledged.
 *
 * @example
 * ```ts
 * const agent = await Agent.start(settings, master);
 * master.addAgent(agent);
 * ```
 */
export class Agent implements AgentPort, AgentContext {
  readonly id: string;
  readonly info: AgentInfo;
  readonly total: Resources;
  readonly attributes: readonly Attribute[];
  readonly workDir: string;
  readonly executorRegistrationTimeoutMs: number;
  readonly executorShutdownGracePeriodMs: number;
  readonly #master: MasterPort;
  readonly #host: string;
  readonly #executors = new Map<string, ExecutorRuntime>();
  readonly #tasks = new Map<string, TaskEntry>();
  readonly #updates: StatusUpdateManager;
  readonly #sockets = new Set<Socket>();
  #server: Server;
  #port = 0;
  #down = false;
  #stopped = false;

  private constructor(settings: AgentSettings, master: MasterPort) {
    this.id = settings.id;
    this.#master = master;
    this.#host = settings.host;
    this.workDir = settings.workDir;
    this.executorRegistrationTimeoutMs = settings.executorRegistrationTimeoutMs;
    this.executorShutdownGracePeriodMs = settings.executorShutdownGracePeriodMs;
    const { ports, ...scalars } = settings.resources;
    const ordered: Record<string, number | readonly (readonly [number, number])[]> = {};
    for (const name of ["cpus", "mem", "disk", "gpus"]) {
      const v = scalars[name];
      if (typeof v === "number") ordered[name] = v;
    }
    if (ports !== undefined) ordered.ports = ports;
    for (const [name, v] of Object.entries(scalars)) {
      if (!(name in ordered) && v !== undefined) ordered[name] = v;
    }
    this.total = Resources.of(ordered);
    this.attributes = Object.entries(settings.attributes).map(([name, value]) =>
      create(AttributeSchema, { name, type: Value_Type.TEXT, text: { value } }),
    );
    this.info = create(AgentInfoSchema, {
      hostname: settings.host,
      port: 0,
      resources: this.total.toProto(),
      attributes: [...this.attributes],
      id: { value: settings.id },
    });
    this.#updates = new StatusUpdateManager({
      forward: (frameworkId, status) => this.#master.forwardUpdate(this.id, frameworkId, status),
      acknowledged: (frameworkId, taskId, state, terminal) => {
        this.#master.updateAcknowledged(this.id, frameworkId, taskId, state);
        if (terminal) this.#tasks.delete(keyOf(frameworkId, taskId));
      },
    });
    this.#server = this.#createServer();
  }

  /** Creates the agent and binds its executor API on a free port of `settings.host`. */
  static async start(settings: AgentSettings, master: MasterPort): Promise<Agent> {
    const agent = new Agent(settings, master);
    await agent.#listen(0);
    return agent;
  }

  get agentId(): string {
    return this.id;
  }

  get url(): string {
    return `http://${this.#host}:${this.#port}`;
  }

  get endpoint(): string {
    return `${this.#host}:${this.#port}`;
  }

  #createServer(): Server {
    const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
      handleExecutorRequest(this, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
    return server;
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, this.#host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.info.port = this.#port;
  }

  // ---------------------------------------------------------------------------------------------------------
  // AgentPort (from the master)

  launchTask(framework: FrameworkInfo, task: TaskInfo): void {
    const frameworkId = framework.id?.value ?? "";
    let runtime: ExecutorRuntime;
    if (task.executor !== undefined) {
      const executorId = task.executor.executorId?.value ?? "";
      runtime =
        this.#executors.get(keyOf(frameworkId, executorId)) ?? this.#startCustom(framework, task.executor);
    } else {
      // The command executor: one per task, with the task's id as executor id, as Mesos derives it.
      const info = create(ExecutorInfoSchema, {
        type: ExecutorInfo_Type.DEFAULT,
        executorId: { value: task.taskId?.value ?? "" },
        frameworkId: { value: frameworkId },
        name: `Command Executor (Task: ${task.taskId?.value ?? ""}) (Command: sh -c '${task.command?.value ?? ""}')`,
      });
      runtime = new BuiltinExecutor(this, "command", framework, info);
      this.#executors.set(keyOf(frameworkId, runtime.executorId), runtime);
    }
    this.#track(frameworkId, task, runtime);
    runtime.launch([task], false);
  }

  launchGroup(framework: FrameworkInfo, executor: ExecutorInfo, tasks: readonly TaskInfo[]): void {
    const frameworkId = framework.id?.value ?? "";
    const executorId = executor.executorId?.value ?? "";
    let runtime = this.#executors.get(keyOf(frameworkId, executorId));
    if (runtime === undefined) {
      runtime =
        executor.type === ExecutorInfo_Type.DEFAULT
          ? new BuiltinExecutor(this, "default", framework, executor)
          : this.#startCustom(framework, executor);
      this.#executors.set(keyOf(frameworkId, executorId), runtime);
    }
    for (const task of tasks) this.#track(frameworkId, task, runtime);
    runtime.launch(tasks, true);
  }

  #startCustom(framework: FrameworkInfo, info: ExecutorInfo): ExecutorRuntime {
    const frameworkId = framework.id?.value ?? "";
    let runtime: ExecutorRuntime;
    try {
      runtime = new CustomExecutor(this, framework, info);
    } catch (error) {
      // The process could not even be spawned: behave as if it exited at once.
      runtime = new BuiltinExecutor(this, "default", framework, info);
      setImmediate(() => this.executorExited(runtime, undefined));
      void error;
    }
    this.#executors.set(keyOf(frameworkId, runtime.executorId), runtime);
    return runtime;
  }

  #track(frameworkId: string, task: TaskInfo, runtime: ExecutorRuntime): void {
    this.#tasks.set(keyOf(frameworkId, task.taskId?.value ?? ""), {
      frameworkId,
      info: task,
      runtime,
      state: TaskState.TASK_STAGING,
      received: new Set(),
    });
  }

  killTask(frameworkId: string, taskId: string, killPolicy: KillPolicy | undefined): void {
    const entry = this.#tasks.get(keyOf(frameworkId, taskId));
    if (entry === undefined || isTerminalState(entry.state)) return;
    entry.runtime.kill(taskId, killPolicy);
  }

  shutdownExecutor(frameworkId: string, executorId: string): void {
    this.#executors.get(keyOf(frameworkId, executorId))?.shutdown();
  }

  shutdownFramework(frameworkId: string): void {
    for (const runtime of this.#executors.values()) {
      if (runtime.frameworkId === frameworkId) runtime.shutdown();
    }
    this.#updates.removeFramework(frameworkId);
    for (const [key, entry] of this.#tasks) if (entry.frameworkId === frameworkId) this.#tasks.delete(key);
  }

  acknowledge(frameworkId: string, taskId: string, uuid: Uint8Array): void {
    this.#updates.acknowledge(frameworkId, taskId, uuid);
  }

  message(frameworkId: string, executorId: string, data: Uint8Array): void {
    this.#executors.get(keyOf(frameworkId, executorId))?.message(data);
  }

  resendUpdates(frameworkId: string): void {
    this.#updates.resend(frameworkId);
  }

  // ---------------------------------------------------------------------------------------------------------
  // AgentContext (from executors)

  statusUpdate(frameworkId: string, status: TaskStatus): void {
    const taskId = status.taskId?.value ?? "";
    const entry = this.#tasks.get(keyOf(frameworkId, taskId));
    if (entry === undefined) return;
    const key = uuidKey(status.uuid);
    if (entry.received.has(key)) return;
    entry.received.add(key);
    if (isTerminalState(entry.state)) return;
    entry.state = status.state;
    if (status.agentId === undefined) status.agentId = { $typeName: "mesos.v1.AgentID", value: this.id };
    this.#master.taskStateChanged(this.id, frameworkId, taskId, status.state);
    this.#updates.update(frameworkId, status);
  }

  executorExited(runtime: ExecutorRuntime, waitStatus: number | undefined): void {
    const key = keyOf(runtime.frameworkId, runtime.executorId);
    if (this.#executors.get(key) === runtime) this.#executors.delete(key);
    if (this.#stopped) return;
    this.#master.executorTerminated(
      this.id,
      runtime.frameworkId,
      runtime.executorId,
      waitStatus,
      runtime.kind === "command",
    );
    // A SHUTDOWN that outlived the grace period loses the tasks (gone, for partition-aware frameworks); an
    // executor that just exited fails them.
    const shutDown = runtime instanceof CustomExecutor && runtime.shutdownRequested;
    const partitionAware = runtime.framework.capabilities.some(
      (c) => c.type === FrameworkInfo_Capability_Type.PARTITION_AWARE,
    );
    const state = !shutDown
      ? TaskState.TASK_FAILED
      : partitionAware
        ? TaskState.TASK_GONE
        : TaskState.TASK_LOST;
    for (const [taskId, entry] of this.#tasksOf(runtime)) {
      if (isTerminalState(entry.state)) continue;
      this.statusUpdate(
        runtime.frameworkId,
        create(TaskStatusSchema, {
          taskId: { value: taskId },
          state,
          message: "Executor terminated",
          source: TaskStatus_Source.AGENT,
          reason: TaskStatus_Reason.EXECUTOR_TERMINATED,
          agentId: { value: this.id },
          executorId: { value: runtime.executorId },
          timestamp: Date.now() / 1000,
          uuid: randomUuidBytes(),
        }),
      );
    }
  }

  *#tasksOf(runtime: ExecutorRuntime): Generator<[string, TaskEntry]> {
    for (const entry of this.#tasks.values()) {
      if (entry.runtime === runtime) yield [entry.info.taskId?.value ?? "", entry];
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // For the executor endpoint

  get down(): boolean {
    return this.#down;
  }

  findExecutor(frameworkId: string, executorId: string): ExecutorRuntime | undefined {
    return this.#executors.get(keyOf(frameworkId, executorId));
  }

  hasFramework(frameworkId: string): boolean {
    for (const runtime of this.#executors.values()) if (runtime.frameworkId === frameworkId) return true;
    return false;
  }

  /** Whether a task has had no update yet (a reconnecting executor may never have received it). */
  taskAwaitingFirstUpdate(frameworkId: string, taskId: string): boolean {
    const entry = this.#tasks.get(keyOf(frameworkId, taskId));
    return entry !== undefined && entry.state === TaskState.TASK_STAGING;
  }

  /** Whether this update (by uuid) already reached the agent. */
  hasReceived(frameworkId: string, status: TaskStatus): boolean {
    return (
      this.#tasks.get(keyOf(frameworkId, status.taskId?.value ?? ""))?.received.has(uuidKey(status.uuid)) ??
      true
    );
  }

  executorMessage(frameworkId: string, executorId: string, data: Uint8Array): void {
    this.#master.executorMessage(this.id, frameworkId, executorId, data);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Takes the executor API down for `downMs` and brings it back on the same port, as a restarted agent with
   * checkpointing would: running executors are kept and must resubscribe within the reregistration timeout.
   */
  async restart(downMs: number): Promise<void> {
    this.#down = true;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
    await new Promise((resolve) => setTimeout(resolve, downMs));
    if (this.#stopped) return;
    this.#server = this.#createServer();
    await this.#listen(this.#port);
    this.#down = false;
    for (const runtime of this.#executors.values()) {
      if (runtime instanceof CustomExecutor) runtime.expectResubscription();
    }
  }

  /** Kills every executor and closes the server; no more updates are sent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#updates.stop();
    for (const runtime of this.#executors.values()) runtime.destroy();
    this.#executors.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
  }
}

function keyOf(frameworkId: string, id: string): string {
  return `${frameworkId}\u0000${id}`;
}
