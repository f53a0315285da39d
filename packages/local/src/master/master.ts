import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { clone, create } from "@bufbuild/protobuf";
import {
  type CodecName,
  type ExecutorInfo,
  ExecutorInfo_Type,
  type FrameworkInfo,
  FrameworkInfo_Capability_Type,
  FrameworkInfoSchema,
  isTerminalState,
  type KillPolicy,
  type MasterInfo,
  MasterInfo_Capability_Type,
  MasterInfoSchema,
  messageCodec,
  type Offer,
  Offer_Operation_Type,
  OfferSchema,
  type Resource,
  scheduler,
  type TaskInfo,
  TaskState,
  type TaskStatus,
  TaskStatus_Reason,
  TaskStatus_Source,
  TaskStatusSchema,
} from "@satyr/proto";
import { EventStream } from "../http/event-stream.js";
import { Resources } from "../resources.js";
import { allocate } from "./allocator.js";
import { validateExecutor, validateTask } from "./launch-validation.js";
import { DEFAULT_REFUSE_SECONDS, OfferFilters } from "./offer-filters.js";
import type {
  AgentPort,
  AgentRecord,
  ExecutorRecord,
  FrameworkRecord,
  MasterPort,
  OfferRecord,
  TaskRecord,
} from "./records.js";

/**
 * The Mesos release whose behaviour the local cluster reproduces.
 *
 * @example
 * ```ts
 * await using cluster = await LocalCluster.start();
 * const { version } = (await (await fetch(`${cluster.masterUrl}/version`)).json()) as { version: string };
 * version === MESOS_VERSION; // true
 * ```
 */
export const MESOS_VERSION = "1.12.0";
/** Mesos keeps at most this many completed tasks per framework (`--max_completed_tasks_per_framework`). */
const MAX_COMPLETED_TASKS = 1000;
/** And this many completed frameworks (`--max_completed_frameworks`). */
const MAX_COMPLETED_FRAMEWORKS = 50;

/** Settings of a {@link Master}. */
export interface MasterSettings {
  readonly hostname: string;
  readonly heartbeatIntervalSeconds: number;
  readonly allocationIntervalMs: number;
  readonly offerTimeoutMs: number | undefined;
}

/**
 * The master's state and semantics: frameworks (with failover), offers (DRF allocation, refusals, suppress and
 * revive, offer timeouts), tasks and their status updates, reconciliation. HTTP concerns (status codes,
 * headers, codecs) live in `scheduler-endpoint.ts`; this class is told about validated calls.
 *
 * @example
 * ```ts
 * const master = new Master({ hostname: "127.0.0.1", heartbeatIntervalSeconds: 15, allocationIntervalMs: 1000, offerTimeoutMs: undefined });
 * master.setAddress("127.0.0.1", 5050);
 * master.addAgent(agentPort);
 * ```
 */
export class Master implements MasterPort {
  readonly id = randomUUID();
  readonly startTime = Date.now() / 1000;
  readonly settings: MasterSettings;
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly completedFrameworks: FrameworkRecord[] = [];
  readonly agents = new Map<string, AgentRecord>();
  readonly #removedFrameworks = new Set<string>();
  readonly #filters = new OfferFilters();
  #frameworkSeq = 0;
  #offerSeq = 0;
  #allocationQueued = false;
  #allocationTicker: NodeJS.Timeout | undefined;
  #ip = "127.0.0.1";
  #port = 0;
  #stopped = false;
  #deferred: (() => void)[] = [];

  constructor(settings: MasterSettings) {
    this.settings = settings;
    this.#allocationTicker = setInterval(() => this.#allocate(), settings.allocationIntervalMs);
    this.#allocationTicker.unref();
  }

  /** Where the master listens (known only once its server is bound). */
  setAddress(ip: string, port: number): void {
    this.#ip = ip;
    this.#port = port;
  }

  get port(): number {
    return this.#port;
  }

  get pid(): string {
    return `master@${this.#ip}:${this.#port}`;
  }

  /** MasterInfo as a real master reports it (the packed `ip` is kept for old clients; use `address`). */
  masterInfo(): MasterInfo {
    return create(MasterInfoSchema, {
      id: this.id,
      ip: packIp(this.#ip),
      port: this.#port,
      pid: this.pid,
      hostname: this.settings.hostname,
      version: MESOS_VERSION,
      address: { hostname: this.settings.hostname, ip: this.#ip, port: this.#port },
      capabilities: [
        { type: MasterInfo_Capability_Type.AGENT_UPDATE },
        { type: MasterInfo_Capability_Type.AGENT_DRAINING },
      ],
    });
  }

  newAgentId(index: number): string {
    return `${this.id}-S${index}`;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Agents

  addAgent(port: AgentPort): void {
    this.agents.set(port.id, {
      port,
      used: Resources.empty,
      offered: Resources.empty,
      executors: new Map(),
      registeredTime: Date.now() / 1000,
    });
    this.requestAllocation();
  }

  /**
   * The agent is gone for good: its offers are rescinded, its tasks reported lost (gone, to partition-aware
   * frameworks) and every framework gets a FAILURE naming the agent.
   */
  removeAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (agent === undefined) return;
    for (const framework of this.frameworks.values()) {
      for (const offer of [...framework.offers.values()]) {
        if (offer.agentId === agentId) this.#removeOffer(offer, { rescind: true });
      }
      for (const task of [...framework.tasks.values()]) {
        if (task.agentId !== agentId) continue;
        const partitionAware = hasCapability(framework.info, FrameworkInfo_Capability_Type.PARTITION_AWARE);
        const state = partitionAware ? TaskState.TASK_GONE : TaskState.TASK_LOST;
        if (!isTerminalState(task.state)) {
          this.#sendUpdate(
            framework,
            this.#masterStatus(task.info.taskId?.value ?? "", state, TaskStatus_Reason.AGENT_REMOVED, {
              agentId,
              message: `Agent ${agent.port.info.hostname} removed: agent was shut down`,
            }),
          );
        }
        task.state = isTerminalState(task.state) ? task.state : state;
        this.#retireTask(framework, task);
      }
      this.#send(framework, {
        type: scheduler.Event_Type.FAILURE,
        failure: { agentId: { value: agentId } },
      });
    }
    this.agents.delete(agentId);
    this.#filters.removeAgent(agentId);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Subscription

  /**
   * A validated SUBSCRIBE: registers or fails over the framework and opens its event stream on `res`.
   */
  subscribe(
    call: scheduler.Call,
    codec: CodecName,
    res: ServerResponse,
    principal: string | undefined,
  ): void {
    const subscribe = call.subscribe!;
    const requestedId = call.frameworkId?.value;
    const events = messageCodec(scheduler.EventSchema, codec);
    if (requestedId !== undefined && this.#removedFrameworks.has(requestedId)) {
      const stream = new EventStream(res, events, { "Mesos-Stream-Id": randomUUID() });
      stream.send(
        create(scheduler.EventSchema, {
          type: scheduler.Event_Type.ERROR,
          error: { message: "Framework has been removed" },
        }),
      );
      stream.end();
      return;
    }
    const info = clone(FrameworkInfoSchema, subscribe.frameworkInfo!);
    if (principal !== undefined && info.principal === "") info.principal = principal;
    let framework = requestedId === undefined ? undefined : this.frameworks.get(requestedId);
    if (framework === undefined) {
      const id = requestedId ?? `${this.id}-${String(this.#frameworkSeq++).padStart(4, "0")}`;
      info.id = { $typeName: "mesos.v1.FrameworkID", value: id };
      framework = {
        id,
        info,
        roles: rolesOf(info),
        suppressed: new Set(),
        stream: undefined,
        streamId: undefined,
        heartbeat: undefined,
        failoverTimer: undefined,
        registeredTime: Date.now() / 1000,
        unregisteredTime: 0,
        tasks: new Map(),
        completedTasks: [],
        offers: new Map(),
        principal: info.principal === "" ? undefined : info.principal,
      };
      this.frameworks.set(id, framework);
    } else {
      // A failover keeps user and checkpoint, as UPDATE_FRAMEWORK semantics require.
      info.user = framework.info.user;
      info.checkpoint = framework.info.checkpoint;
      info.id = { $typeName: "mesos.v1.FrameworkID", value: framework.id };
      framework.info = info;
      framework.roles = rolesOf(info);
      if (framework.failoverTimer !== undefined) clearTimeout(framework.failoverTimer);
      framework.failoverTimer = undefined;
      for (const offer of [...framework.offers.values()]) this.#removeOffer(offer, { rescind: false });
    }
    framework.suppressed.clear();
    for (const role of subscribe.suppressedRoles) framework.suppressed.add(role);

    const previous = framework.stream;
    const streamId = randomUUID();
    const stream = new EventStream(res, events, { "Mesos-Stream-Id": streamId });
    framework.stream = stream;
    framework.streamId = streamId;
    stream.onClose(() => this.#streamClosed(framework, stream));
    if (previous !== undefined && !previous.closed) {
      previous.send(
        create(scheduler.EventSchema, {
          type: scheduler.Event_Type.ERROR,
          error: { message: "Framework failed over" },
        }),
      );
      previous.end();
    }
    if (framework.heartbeat !== undefined) clearInterval(framework.heartbeat);
    this.#send(framework, {
      type: scheduler.Event_Type.SUBSCRIBED,
      subscribed: {
        frameworkId: { value: framework.id },
        heartbeatIntervalSeconds: this.settings.heartbeatIntervalSeconds,
        masterInfo: this.masterInfo(),
      },
    });
    this.#send(framework, { type: scheduler.Event_Type.HEARTBEAT });
    framework.heartbeat = setInterval(
      () => this.#send(framework, { type: scheduler.Event_Type.HEARTBEAT }),
      this.settings.heartbeatIntervalSeconds * 1000,
    );
    framework.heartbeat.unref();
    for (const agent of this.agents.values()) agent.port.resendUpdates(framework.id);
    this.requestAllocation();
  }

  #streamClosed(framework: FrameworkRecord, stream: EventStream<scheduler.Event>): void {
    if (framework.stream !== stream) return;
    framework.stream = undefined;
    framework.streamId = undefined;
    if (framework.heartbeat !== undefined) clearInterval(framework.heartbeat);
    framework.heartbeat = undefined;
    if (!this.frameworks.has(framework.id) || this.#stopped) return;
    framework.unregisteredTime = Date.now() / 1000;
    for (const offer of [...framework.offers.values()]) this.#removeOffer(offer, { rescind: false });
    const timeoutMs = Math.max(0, framework.info.failoverTimeout) * 1000;
    framework.failoverTimer = setTimeout(
      () => this.removeFramework(framework),
      Math.min(timeoutMs, 2 ** 31 - 1),
    );
    framework.failoverTimer.unref();
    this.requestAllocation();
  }

  /**
   * Removes a framework (TEARDOWN, or its failover timeout ran out): its tasks are killed, its executors shut
   * down, its stream closed; its id can never subscribe again.
   */
  removeFramework(framework: FrameworkRecord): void {
    if (!this.frameworks.has(framework.id)) return;
    if (framework.failoverTimer !== undefined) clearTimeout(framework.failoverTimer);
    if (framework.heartbeat !== undefined) clearInterval(framework.heartbeat);
    framework.failoverTimer = undefined;
    framework.heartbeat = undefined;
    for (const offer of [...framework.offers.values()]) this.#removeOffer(offer, { rescind: false });
    for (const task of [...framework.tasks.values()]) {
      if (!isTerminalState(task.state)) task.state = TaskState.TASK_KILLED;
      this.#release(task);
      this.#retireTask(framework, task);
    }
    for (const agent of this.agents.values()) {
      agent.port.shutdownFramework(framework.id);
      for (const executor of agent.executors.get(framework.id)?.values() ?? []) {
        agent.used = agent.used.subtract(executor.resources);
      }
      agent.executors.delete(framework.id);
    }
    this.#filters.clear(framework.id);
    this.frameworks.delete(framework.id);
    this.#removedFrameworks.add(framework.id);
    framework.unregisteredTime = Date.now() / 1000;
    this.completedFrameworks.push(framework);
    if (this.completedFrameworks.length > MAX_COMPLETED_FRAMEWORKS) this.completedFrameworks.shift();
    const stream = framework.stream;
    framework.stream = undefined;
    stream?.end();
    this.requestAllocation();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Calls (already validated and authorized by the endpoint)

  accept(framework: FrameworkRecord, accept: scheduler.Call_Accept): void {
    const refuseSeconds = accept.filters?.refuseSeconds ?? DEFAULT_REFUSE_SECONDS;
    const offers: OfferRecord[] = [];
    let error: string | undefined;
    const seen = new Set<string>();
    for (const offerId of accept.offerIds) {
      if (seen.has(offerId.value)) {
        error ??= `Offer ${offerId.value} appears more than once in offer_ids`;
        continue;
      }
      seen.add(offerId.value);
      const offer = framework.offers.get(offerId.value);
      if (offer === undefined) error ??= `Offer ${offerId.value} is no longer valid`;
      else offers.push(offer);
    }
    if (error === undefined && new Set(offers.map((o) => o.agentId)).size > 1) {
      error = "Aggregated offers must belong to one single agent";
    }
    for (const offer of offers) this.#removeOffer(offer, { rescind: false });
    const tasks = accept.operations.flatMap((op) =>
      op.type === Offer_Operation_Type.LAUNCH
        ? (op.launch?.taskInfos ?? [])
        : op.type === Offer_Operation_Type.LAUNCH_GROUP
          ? (op.launchGroup?.taskGroup?.tasks ?? [])
          : [],
    );
    if (error !== undefined || offers.length === 0) {
      const reason = error ?? "No offers specified";
      for (const task of tasks) {
        this.#sendUpdate(
          framework,
          this.#masterStatus(
            task.taskId?.value ?? "",
            TaskState.TASK_LOST,
            TaskStatus_Reason.INVALID_OFFERS,
            {
              agentId: task.agentId?.value,
              message: `Task launched with invalid offers: ${reason}`,
            },
          ),
        );
      }
      if (error !== undefined) this.requestAllocation();
      return;
    }
    const first = offers[0]!;
    const agent = this.agents.get(first.agentId);
    let remaining = offers.reduce((sum, o) => sum.add(o.resources), Resources.empty);
    if (agent === undefined) return;
    const role = first.role;
    // Like Mesos, every operation is validated before any task reaches the agent.
    this.#deferred = [];
    for (const operation of accept.operations) {
      if (operation.type === Offer_Operation_Type.LAUNCH) {
        for (const task of operation.launch?.taskInfos ?? []) {
          remaining = this.#launch(framework, agent, role, task, remaining);
        }
      } else if (
        operation.type === Offer_Operation_Type.LAUNCH_GROUP &&
        operation.launchGroup !== undefined
      ) {
        remaining = this.#launchGroup(framework, agent, role, operation.launchGroup, remaining);
      }
      // Reservations and volumes do not exist on a local cluster; like an invalid operation without an id,
      // such operations are dropped.
    }
    for (const launch of this.#deferred.splice(0)) launch();
    this.#filters.refuse(framework.id, role, agent.port.id, remaining, refuseSeconds, Date.now());
    this.requestAllocation();
  }

  #launch(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    original: TaskInfo,
    offered: Resources,
  ): Resources {
    const task = normalizeTask(original, framework.id, role);
    const taskId = task.taskId?.value ?? "";
    const error = validateTask(task, framework, agent, offered, role);
    if (error !== undefined) {
      this.#sendUpdate(
        framework,
        this.#masterStatus(taskId, TaskState.TASK_ERROR, TaskStatus_Reason.TASK_INVALID, {
          agentId: agent.port.id,
          message: error,
        }),
      );
      return offered;
    }
    let consumed = Resources.fromProto(task.resources);
    let executorId: string | undefined;
    if (task.executor !== undefined) {
      executorId = task.executor.executorId?.value ?? "";
      if (!agent.executors.get(framework.id)?.has(executorId)) {
        const executorResources = Resources.fromProto(task.executor.resources);
        this.#addExecutor(agent, framework.id, task.executor, executorResources);
        consumed = consumed.add(executorResources);
      }
    }
    this.#addTask(framework, agent, task, role, executorId);
    agent.used = agent.used.add(consumed);
    this.#deferred.push(() => agent.port.launchTask(framework.info, task));
    return offered.subtract(consumed);
  }

  #launchGroup(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    group: NonNullable<NonNullable<scheduler.Call_Accept["operations"][number]["launchGroup"]>>,
    offered: Resources,
  ): Resources {
    const executor = normalizeExecutor(group.executor!, framework.id, role);
    const tasks = (group.taskGroup?.tasks ?? []).map((t) => {
      const normalized = normalizeTask(t, framework.id, role);
      normalized.executor = executor;
      return normalized;
    });
    const executorId = executor.executorId?.value ?? "";
    const isNew = !agent.executors.get(framework.id)?.has(executorId);
    let error: string | undefined = validateExecutor(executor, framework, agent);
    if (error === undefined && executor.type === ExecutorInfo_Type.UNKNOWN)
      error = "'ExecutorInfo.type' must be set";
    let total = isNew ? Resources.fromProto(executor.resources) : Resources.empty;
    const ids = new Set<string>();
    for (const task of tasks) {
      if (error !== undefined) break;
      const id = task.taskId?.value ?? "";
      if (ids.has(id)) error = `Task has duplicate ID: ${id}`;
      ids.add(id);
      error ??= framework.tasks.has(id) ? `Task has duplicate ID: ${id}` : undefined;
      if (error === undefined && (task.agentId?.value ?? "") !== agent.port.id) {
        error = `Task uses invalid agent ${task.agentId?.value ?? ""} while agent ${agent.port.id} is expected`;
      }
      if (error === undefined && task.resources.length === 0) error = "Task uses no resources";
      if (error === undefined && task.container?.type === 1)
        error = "Docker ContainerInfo is not supported on the task";
      total = total.add(Resources.fromProto(task.resources));
    }
    if (error === undefined && !offered.contains(total)) {
      error = `Total resources ${total.format(role)} required by task group and its executor are more than available ${offered.format(role)}`;
    }
    if (error !== undefined) {
      for (const task of tasks) {
        this.#sendUpdate(
          framework,
          this.#masterStatus(
            task.taskId?.value ?? "",
            TaskState.TASK_ERROR,
            TaskStatus_Reason.TASK_GROUP_INVALID,
            {
              agentId: agent.port.id,
              message: error,
            },
          ),
        );
      }
      return offered;
    }
    if (isNew) this.#addExecutor(agent, framework.id, executor, Resources.fromProto(executor.resources));
    for (const task of tasks) this.#addTask(framework, agent, task, role, executorId);
    agent.used = agent.used.add(total);
    this.#deferred.push(() => agent.port.launchGroup(framework.info, executor, tasks));
    return offered.subtract(total);
  }

  #addExecutor(agent: AgentRecord, frameworkId: string, info: ExecutorInfo, resources: Resources): void {
    let executors = agent.executors.get(frameworkId);
    if (executors === undefined) {
      executors = new Map();
      agent.executors.set(frameworkId, executors);
    }
    executors.set(info.executorId?.value ?? "", { info, frameworkId, resources } satisfies ExecutorRecord);
  }

  #addTask(
    framework: FrameworkRecord,
    agent: AgentRecord,
    task: TaskInfo,
    role: string,
    executorId: string | undefined,
  ): void {
    framework.tasks.set(task.taskId?.value ?? "", {
      info: task,
      frameworkId: framework.id,
      agentId: agent.port.id,
      executorId,
      role,
      resources: Resources.fromProto(task.resources),
      state: TaskState.TASK_STAGING,
      forwardedState: undefined,
      lastForwarded: undefined,
      statuses: [],
      released: false,
    });
  }

  decline(framework: FrameworkRecord, decline: scheduler.Call_Decline): void {
    const refuseSeconds = decline.filters?.refuseSeconds ?? DEFAULT_REFUSE_SECONDS;
    for (const offerId of decline.offerIds) {
      const offer = framework.offers.get(offerId.value);
      if (offer === undefined) continue;
      this.#removeOffer(offer, { rescind: false });
      this.#filters.refuse(
        framework.id,
        offer.role,
        offer.agentId,
        offer.resources,
        refuseSeconds,
        Date.now(),
      );
    }
  }

  /** UPDATE_FRAMEWORK: new FrameworkInfo (user, checkpoint and principal kept) and suppressed roles. */
  updateFramework(
    framework: FrameworkRecord,
    update: FrameworkInfo,
    suppressedRoles: readonly string[],
  ): void {
    const info = clone(FrameworkInfoSchema, update);
    info.user = framework.info.user;
    info.checkpoint = framework.info.checkpoint;
    info.principal = framework.info.principal;
    framework.info = info;
    framework.roles = rolesOf(info);
    for (const offer of [...framework.offers.values()]) {
      if (!framework.roles.includes(offer.role)) this.#removeOffer(offer, { rescind: true });
    }
    const before = new Set(framework.suppressed);
    framework.suppressed.clear();
    for (const role of suppressedRoles) framework.suppressed.add(role);
    // Leaving the suppressed set clears that role's refusals, as REVIVE would.
    const unsuppressed = [...before].filter((role) => !framework.suppressed.has(role));
    if (unsuppressed.length > 0) this.#filters.clear(framework.id, unsuppressed);
    this.requestAllocation();
  }

  revive(framework: FrameworkRecord, roles: readonly string[]): void {
    const which = roles.length === 0 ? framework.roles : roles;
    for (const role of which) framework.suppressed.delete(role);
    this.#filters.clear(framework.id, which);
    this.requestAllocation();
  }

  suppress(framework: FrameworkRecord, roles: readonly string[]): void {
    for (const role of roles.length === 0 ? framework.roles : roles) framework.suppressed.add(role);
  }

  kill(framework: FrameworkRecord, kill: scheduler.Call_Kill): void {
    const taskId = kill.taskId?.value ?? "";
    const task = framework.tasks.get(taskId);
    if (task === undefined) {
      // Mesos answers a KILL of a task it does not know with a reconciliation of that task.
      this.reconcile(framework, [{ taskId, agentId: kill.agentId?.value }]);
      return;
    }
    this.agents
      .get(task.agentId)
      ?.port.killTask(framework.id, taskId, kill.killPolicy satisfies KillPolicy | undefined);
  }

  shutdown(framework: FrameworkRecord, shutdown: scheduler.Call_Shutdown): void {
    this.agents
      .get(shutdown.agentId?.value ?? "")
      ?.port.shutdownExecutor(framework.id, shutdown.executorId?.value ?? "");
  }

  acknowledge(framework: FrameworkRecord, ack: scheduler.Call_Acknowledge): void {
    this.agents
      .get(ack.agentId?.value ?? "")
      ?.port.acknowledge(framework.id, ack.taskId?.value ?? "", ack.uuid);
  }

  message(framework: FrameworkRecord, message: scheduler.Call_Message): void {
    this.agents
      .get(message.agentId?.value ?? "")
      ?.port.message(framework.id, message.executorId?.value ?? "", message.data);
  }

  /**
   * Explicit (listed tasks) or implicit (none listed) reconciliation: latest state of known tasks, "unknown"
   * for the rest. Answers carry no uuid and must not be acknowledged.
   */
  reconcile(
    framework: FrameworkRecord,
    tasks: readonly { taskId: string; agentId?: string | undefined }[],
  ): void {
    if (tasks.length === 0) {
      for (const task of framework.tasks.values()) this.#sendUpdate(framework, this.#reconciled(task));
      return;
    }
    const partitionAware = hasCapability(framework.info, FrameworkInfo_Capability_Type.PARTITION_AWARE);
    for (const { taskId, agentId } of tasks) {
      const task = framework.tasks.get(taskId);
      if (task !== undefined && (agentId === undefined || agentId === task.agentId)) {
        this.#sendUpdate(framework, this.#reconciled(task));
        continue;
      }
      let state = TaskState.TASK_LOST;
      if (partitionAware) {
        state =
          agentId !== undefined && this.agents.has(agentId) ? TaskState.TASK_GONE : TaskState.TASK_UNKNOWN;
      }
      this.#sendUpdate(
        framework,
        this.#masterStatus(taskId, state, TaskStatus_Reason.RECONCILIATION, {
          agentId: partitionAware ? agentId : undefined,
          message: "Reconciliation: Task is unknown",
        }),
      );
    }
  }

  #reconciled(task: TaskRecord): TaskStatus {
    const status = this.#masterStatus(
      task.info.taskId?.value ?? "",
      task.forwardedState ?? task.state,
      TaskStatus_Reason.RECONCILIATION,
      { agentId: task.agentId, message: "Reconciliation: Latest task state" },
    );
    if (task.lastForwarded?.containerStatus !== undefined)
      status.containerStatus = task.lastForwarded.containerStatus;
    return status;
  }

  // ---------------------------------------------------------------------------------------------------------
  // MasterPort: what agents report

  taskStateChanged(_agentId: string, frameworkId: string, taskId: string, state: TaskState): void {
    const task = this.frameworks.get(frameworkId)?.tasks.get(taskId);
    if (task === undefined) return;
    task.state = state;
    if (isTerminalState(state)) this.#release(task);
  }

  forwardUpdate(_agentId: string, frameworkId: string, status: TaskStatus): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return;
    const task = framework.tasks.get(status.taskId?.value ?? "");
    if (task !== undefined) {
      task.forwardedState = status.state;
      if (task.lastForwarded?.uuid === undefined || !sameBytes(task.lastForwarded.uuid, status.uuid)) {
        task.statuses.push(status);
      }
      task.lastForwarded = status;
    }
    this.#sendUpdate(framework, status);
  }

  updateAcknowledged(_agentId: string, frameworkId: string, taskId: string, state: TaskState): void {
    const framework = this.frameworks.get(frameworkId);
    const task = framework?.tasks.get(taskId);
    if (framework === undefined || task === undefined || !isTerminalState(state)) return;
    this.#release(task);
    this.#retireTask(framework, task);
  }

  executorTerminated(
    agentId: string,
    frameworkId: string,
    executorId: string,
    waitStatus: number | undefined,
    commandExecutor: boolean,
  ): void {
    const agent = this.agents.get(agentId);
    const executors = agent?.executors.get(frameworkId);
    const executor = executors?.get(executorId);
    if (agent !== undefined && executor !== undefined) {
      agent.used = agent.used.subtract(executor.resources);
      executors!.delete(executorId);
      if (executors!.size === 0) agent.executors.delete(frameworkId);
      this.requestAllocation();
    }
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || commandExecutor) return;
    this.#send(framework, {
      type: scheduler.Event_Type.FAILURE,
      failure: {
        agentId: { value: agentId },
        executorId: { value: executorId },
        ...(waitStatus === undefined ? {} : { status: waitStatus }),
      },
    });
  }

  executorMessage(agentId: string, frameworkId: string, executorId: string, data: Uint8Array): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return;
    this.#send(framework, {
      type: scheduler.Event_Type.MESSAGE,
      message: { agentId: { value: agentId }, executorId: { value: executorId }, data },
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Offers

  /** Runs an allocation soon (coalesced), instead of waiting for the next interval. */
  requestAllocation(): void {
    if (this.#allocationQueued || this.#stopped) return;
    this.#allocationQueued = true;
    setImmediate(() => {
      this.#allocationQueued = false;
      this.#allocate();
    });
  }

  #allocate(): void {
    if (this.#stopped) return;
    const allocations = allocate(
      [...this.agents.values()],
      [...this.frameworks.values()],
      this.#filters,
      Date.now(),
    );
    const batches = new Map<FrameworkRecord, Offer[]>();
    for (const { framework, agent, role, resources } of allocations) {
      const offer = this.#makeOffer(framework, agent, role, resources);
      const batch = batches.get(framework) ?? [];
      batch.push(offer);
      batches.set(framework, batch);
    }
    for (const [framework, offers] of batches) {
      this.#send(framework, { type: scheduler.Event_Type.OFFERS, offers: { offers } });
    }
  }

  #makeOffer(framework: FrameworkRecord, agent: AgentRecord, role: string, resources: Resources): Offer {
    const id = `${this.id}-O${this.#offerSeq++}`;
    const record: OfferRecord = {
      id,
      frameworkId: framework.id,
      agentId: agent.port.id,
      role,
      resources,
      timer: undefined,
    };
    framework.offers.set(id, record);
    agent.offered = agent.offered.add(resources);
    if (this.settings.offerTimeoutMs !== undefined) {
      record.timer = setTimeout(() => {
        if (!framework.offers.has(id)) return;
        this.#removeOffer(record, { rescind: true });
        this.requestAllocation();
      }, this.settings.offerTimeoutMs);
      record.timer.unref();
    }
    const multiRole = hasCapability(framework.info, FrameworkInfo_Capability_Type.MULTI_ROLE);
    const url = new URL(agent.port.url);
    const executorIds = [...(agent.executors.get(framework.id)?.values() ?? [])]
      .filter((e) => e.info.type === ExecutorInfo_Type.CUSTOM)
      .map((e) => ({ value: e.info.executorId?.value ?? "" }));
    return create(OfferSchema, {
      id: { value: id },
      frameworkId: { value: framework.id },
      agentId: { value: agent.port.id },
      hostname: agent.port.info.hostname,
      url: {
        scheme: url.protocol.replace(":", ""),
        address: { hostname: agent.port.info.hostname, ip: url.hostname, port: Number(url.port) },
        path: "/slave(1)",
      },
      resources: offerResources(resources, role, multiRole),
      attributes: [...agent.port.attributes],
      executorIds,
      ...(multiRole ? { allocationInfo: { role } } : {}),
    });
  }

  #removeOffer(offer: OfferRecord, options: { rescind: boolean }): void {
    const framework = this.frameworks.get(offer.frameworkId);
    if (offer.timer !== undefined) clearTimeout(offer.timer);
    framework?.offers.delete(offer.id);
    const agent = this.agents.get(offer.agentId);
    if (agent !== undefined) agent.offered = agent.offered.subtract(offer.resources);
    if (options.rescind && framework !== undefined) {
      this.#send(framework, {
        type: scheduler.Event_Type.RESCIND,
        rescind: { offerId: { value: offer.id } },
      });
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Helpers

  #release(task: TaskRecord): void {
    if (task.released) return;
    task.released = true;
    const agent = this.agents.get(task.agentId);
    if (agent !== undefined) agent.used = agent.used.subtract(task.resources);
    this.requestAllocation();
  }

  #retireTask(framework: FrameworkRecord, task: TaskRecord): void {
    const taskId = task.info.taskId?.value ?? "";
    if (framework.tasks.get(taskId) !== task) return;
    framework.tasks.delete(taskId);
    framework.completedTasks.push(task);
    if (framework.completedTasks.length > MAX_COMPLETED_TASKS) framework.completedTasks.shift();
  }

  #masterStatus(
    taskId: string,
    state: TaskState,
    reason: TaskStatus_Reason,
    extra: { agentId?: string | undefined; message: string },
  ): TaskStatus {
    return create(TaskStatusSchema, {
      taskId: { value: taskId },
      state,
      message: extra.message,
      source: TaskStatus_Source.MASTER,
      reason,
      ...(extra.agentId === undefined ? {} : { agentId: { value: extra.agentId } }),
      timestamp: Date.now() / 1000,
    });
  }

  #sendUpdate(framework: FrameworkRecord, status: TaskStatus): void {
    this.#send(framework, { type: scheduler.Event_Type.UPDATE, update: { status } });
  }

  #send(framework: FrameworkRecord, init: Parameters<typeof create<typeof scheduler.EventSchema>>[1]): void {
    const stream = framework.stream;
    if (stream === undefined || stream.closed) return;
    stream.send(create(scheduler.EventSchema, init));
  }

  /** Ends every stream and timer (the cluster is stopping). */
  stop(): void {
    this.#stopped = true;
    if (this.#allocationTicker !== undefined) clearInterval(this.#allocationTicker);
    for (const framework of this.frameworks.values()) {
      if (framework.heartbeat !== undefined) clearInterval(framework.heartbeat);
      if (framework.failoverTimer !== undefined) clearTimeout(framework.failoverTimer);
      for (const offer of framework.offers.values()) if (offer.timer !== undefined) clearTimeout(offer.timer);
      framework.stream?.end();
    }
  }
}

/** Roles a framework is offered for: `roles` with MULTI_ROLE, else the deprecated `role` (default `*`). */
function rolesOf(info: FrameworkInfo): string[] {
  if (hasCapability(info, FrameworkInfo_Capability_Type.MULTI_ROLE)) {
    return info.roles.length > 0 ? [...info.roles] : ["*"];
  }
  return [info.role === "" ? "*" : info.role];
}

function hasCapability(info: FrameworkInfo, type: FrameworkInfo_Capability_Type): boolean {
  return info.capabilities.some((c) => c.type === type);
}

/** Offers list ranges (ports) first, then scalars, as a real master's offers do. */
function offerResources(resources: Resources, role: string, multiRole: boolean): Resource[] {
  const list = resources.toProto(multiRole ? { role: "*", allocationRole: role } : { role: "*" });
  return [...list.filter((r) => r.ranges !== undefined), ...list.filter((r) => r.ranges === undefined)];
}

/** The master fills in allocation info on resources and the framework id and type of a custom executor. */
// Copies only the parts the master changes (resources get an allocation role, the executor its framework id and
// type): a deep clone copied the task's payload bytes and its executor twice per launched task.
function normalizeTask(original: TaskInfo, frameworkId: string, role: string): TaskInfo {
  const task: TaskInfo = { ...original, resources: withRole(original.resources, role) };
  if (original.executor !== undefined)
    task.executor = normalizeExecutor(original.executor, frameworkId, role);
  return task;
}

function normalizeExecutor(original: ExecutorInfo, frameworkId: string, role: string): ExecutorInfo {
  const executor: ExecutorInfo = { ...original, resources: withRole(original.resources, role) };
  if (executor.frameworkId === undefined)
    executor.frameworkId = { $typeName: "mesos.v1.FrameworkID", value: frameworkId };
  if (executor.type === ExecutorInfo_Type.UNKNOWN && executor.command !== undefined)
    executor.type = ExecutorInfo_Type.CUSTOM;
  return executor;
}

function withRole(resources: readonly Resource[], role: string): Resource[] {
  return resources.map((resource) => ({
    ...resource,
    allocationInfo: { $typeName: "mesos.v1.Resource.AllocationInfo", role },
  }));
}

/** 127.0.0.1 → 16777343: the address's bytes in network order read as a little-endian integer (MESOS-1201). */
function packIp(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p))) return 0;
  return ((parts[3]! << 24) >>> 0) + (parts[2]! << 16) + (parts[1]! << 8) + parts[0]!;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
