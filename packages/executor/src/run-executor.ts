import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  AgentInfoSchema,
  executor as api,
  type ExecutorID,
  ExecutorIDSchema,
  type FrameworkID,
  FrameworkIDSchema,
  isTerminalState,
  randomUuidBytes,
  type TaskInfo,
  TaskState,
  TaskStatus_Reason,
  TaskStatus_Source,
  TaskStatusSchema,
  uuidKey,
} from "@satyr/proto";
import { AgentConnection } from "./agent-connection.js";
import { backoffDelay } from "./backoff.js";
import {
  AgentConnectionError,
  ExecutorStateError,
  InvalidUpdateError,
  isAgentCallError,
  isAgentConnectionError,
} from "./errors/index.js";
import {
  bindDriver,
  type Executor,
  type ExecutorDriver,
  type ExecutorExit,
  type StatusUpdate,
} from "./executor.js";
import { type ExecutorEnvironment, readExecutorEnvironment } from "./executor-environment.js";

/**
 * Options of {@link runExecutor}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once("SIGTERM", () => controller.abort());
 * await runExecutor(new FunctionExecutor(), { signal: controller.signal });
 * ```
 */
export interface RunExecutorOptions {
  /** Where to read `MESOS_*`/`SATYR_*` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides applied on top of what the environment says. */
  readonly environment?: Partial<ExecutorEnvironment>;
  /** Aborting winds the executor down like SHUTDOWN (tasks killed, updates flushed) and resolves "aborted". */
  readonly signal?: AbortSignal;
  /** First wait before resubscribing (default 100 ms); doubles per attempt, capped by the subscription backoff max. */
  readonly initialBackoffMs?: number;
  /** How long to keep trying the very first SUBSCRIBE (default 60 s, the agent's registration timeout). */
  readonly registrationTimeoutMs?: number;
}

/**
 * Runs an executor against the agent named by the environment (`MESOS_AGENT_ENDPOINT`, ...): subscribes, feeds
 * events to the executor's hooks, delivers its updates reliably (fresh v4 UUIDs, per-task order, resent on
 * resubscription until ACKNOWLEDGED), resubscribes after losing the agent when `MESOS_CHECKPOINT` is "1" (backoff
 * capped by `MESOS_SUBSCRIPTION_BACKOFF_MAX`, for up to `MESOS_RECOVERY_TIMEOUT`), and handles SHUTDOWN within
 * `MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD`. Resolves when the run is over; never calls `process.exit`.
 *
 * @throws {@link InvalidEnvironmentError} (as a rejection) when the environment is incomplete.
 * @example
 * ```ts
 * const exit = await runExecutor(new FunctionExecutor());
 * process.exitCode = exit.reason === "agent-lost" ? 1 : 0;
 * ```
 */
export async function runExecutor(
  executor: Executor,
  options: RunExecutorOptions = {},
): Promise<ExecutorExit> {
  const environment = { ...readExecutorEnvironment(options.env), ...options.environment };
  const run = new ExecutorRun(executor, environment, options);
  return run.start();
}

interface PendingUpdate {
  readonly key: string;
  readonly taskId: string;
  readonly update: api.Call_Update;
  /** The agent answered 202 to it, or got it in a SUBSCRIBE it answered. */
  delivered: boolean;
}

/** Share of the grace period spent on the executor's own shutdown; the rest flushes the terminal updates. */
const SHUTDOWN_HOOK_SHARE = 0.6;
const DEFAULT_INITIAL_BACKOFF_MS = 100;
const DEFAULT_REGISTRATION_TIMEOUT_MS = 60_000;
/** Retries of one UPDATE while subscribed (503 during agent recovery, a dropped keep-alive socket). */
const UPDATE_RETRIES = 5;

/** One run of an executor: the subscription loop and the reliability bookkeeping. */
class ExecutorRun implements ExecutorDriver {
  readonly environment: ExecutorEnvironment;
  readonly #executor: Executor;
  readonly #options: RunExecutorOptions;
  readonly #connection: AgentConnection;
  readonly #unackedUpdates = new Map<string, PendingUpdate>();
  readonly #unackedTasks = new Map<string, TaskInfo>();
  readonly #active = new Set<string>();
  /** Tail of each task's update chain, so a task's updates reach the agent in order. */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #ackWaiters = new Set<() => void>();
  #subscribed = false;
  #everSubscribed = false;
  #agentId: string | undefined;
  #streamAbort: AbortController | undefined;
  /** Why the current stream is being closed on purpose (an ERROR event). */
  #streamFailure: Error | undefined;
  /** Set once the executor is winding down: new launches are refused. */
  #stopping = false;
  #shuttingDown = false;
  #exit: ExecutorExit | undefined;
  #wakeSleeper: (() => void) | undefined;
  #executorIdMessage: ExecutorID | undefined;
  #frameworkIdMessage: FrameworkID | undefined;
  readonly #done: Promise<ExecutorExit>;
  #resolveDone!: (exit: ExecutorExit) => void;

  constructor(executor: Executor, environment: ExecutorEnvironment, options: RunExecutorOptions) {
    this.#executor = executor;
    this.environment = environment;
    this.#options = options;
    this.#connection = new AgentConnection({
      endpoint: environment.agentEndpoint,
      codec: environment.codec,
      ssl: environment.ssl,
      domainSocket: environment.domainSocket,
      authenticationToken: environment.authenticationToken,
    });
    this.#done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  get activeTasks(): ReadonlySet<string> {
    return this.#active;
  }

  start(): Promise<ExecutorExit> {
    this.#executor[bindDriver](this);
    const signal = this.#options.signal;
    if (signal !== undefined) {
      if (signal.aborted) void this.#shutdown("aborted");
      else signal.addEventListener("abort", () => void this.#shutdown("aborted"), { once: true });
    }
    void this.#subscriptionLoop();
    return this.#done;
  }

  update(status: StatusUpdate): Promise<void> {
    if (this.#exit !== undefined) {
      return Promise.reject(new ExecutorStateError(`the executor has exited (${this.#exit.reason})`));
    }
    if (typeof status.taskId !== "string" || status.taskId === "") {
      return Promise.reject(new InvalidUpdateError("a status update needs a non-empty taskId"));
    }
    if (status.state === TaskState.TASK_STAGING) {
      return Promise.reject(
        new InvalidUpdateError("an executor may not send TASK_STAGING (the agent rejects it)"),
      );
    }
    const uuid = randomUuidBytes();
    const init: MessageInitShape<typeof TaskStatusSchema> = {
      taskId: { value: status.taskId },
      state: status.state,
      source: TaskStatus_Source.EXECUTOR,
      executorId: { value: this.environment.executorId },
      timestamp: Date.now() / 1000,
      uuid,
    };
    if (this.#agentId !== undefined) init.agentId = { value: this.#agentId };
    if (status.message !== undefined) init.message = status.message;
    if (status.data !== undefined) init.data = status.data;
    if (status.reason !== undefined) init.reason = status.reason;
    if (status.healthy !== undefined) init.healthy = status.healthy;
    if (status.labels !== undefined) {
      init.labels = { labels: Object.entries(status.labels).map(([key, value]) => ({ key, value })) };
    }
    const taskStatus = create(TaskStatusSchema, init);
    if (isTerminalState(status.state)) this.#active.delete(status.taskId);
    const entry: PendingUpdate = {
      key: uuidKey(uuid),
      taskId: status.taskId,
      update: create(api.Call_UpdateSchema, { status: taskStatus }),
      delivered: false,
    };
    this.#unackedUpdates.set(entry.key, entry);
    return this.#enqueue(entry);
  }

  async message(data: Uint8Array): Promise<void> {
    if (this.#exit !== undefined) {
      throw new ExecutorStateError(`the executor has exited (${this.#exit.reason})`);
    }
    if (!this.#subscribed) {
      throw new AgentConnectionError(
        "cannot send a message while the agent is disconnected (messages are not resent)",
      );
    }
    await this.#connection.call(this.#call(api.Call_Type.MESSAGE, { message: { data } }), "MESSAGE");
  }

  stop(): Promise<ExecutorExit> {
    if (this.#exit === undefined && !this.#stopping) {
      this.#stopping = true;
      void this.#waitForAcknowledgements(undefined).then(() => this.#finish("stopped"));
    }
    return this.#done;
  }

  // --- subscription -------------------------------------------------------------------------------------------

  async #subscriptionLoop(): Promise<void> {
    const maxBackoffMs = Math.max(1, this.environment.subscriptionBackoffMaxMs);
    let attempt = 0;
    let lostSince = Date.now();
    while (this.#exit === undefined) {
      const abort = new AbortController();
      this.#streamAbort = abort;
      this.#streamFailure = undefined;
      const included = [...this.#unackedUpdates.values()];
      let failure: Error;
      try {
        const events = await this.#connection.subscribe(this.#subscribeCall(included), abort.signal);
        for await (const event of events) {
          if (event.type === api.Event_Type.SUBSCRIBED) attempt = 0;
          this.#handle(event, included);
        }
        failure = new AgentConnectionError("the agent closed the executor event stream");
      } catch (error) {
        failure = toError(error);
      }
      failure = this.#streamFailure ?? failure;
      this.#streamAbort = undefined;
      if (this.#exit !== undefined) return;
      const wasSubscribed = this.#subscribed;
      this.#subscribed = false;
      if (wasSubscribed) {
        lostSince = Date.now();
        this.#hook(() => this.#executor.onDisconnected(failure));
      }
      if (this.#everSubscribed && !this.environment.checkpoint) {
        await this.#finish(
          "agent-lost",
          lostError("the framework does not checkpoint, so the executor exits", failure),
        );
        return;
      }
      const limit = this.#everSubscribed
        ? this.environment.recoveryTimeoutMs
        : (this.#options.registrationTimeoutMs ?? DEFAULT_REGISTRATION_TIMEOUT_MS);
      if (Date.now() - lostSince >= limit) {
        await this.#finish("agent-lost", lostError(`could not subscribe within ${limit} ms`, failure));
        return;
      }
      const initial = this.#options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
      await this.#sleep(backoffDelay(attempt++, initial, maxBackoffMs));
    }
  }

  #subscribeCall(included: readonly PendingUpdate[]): api.Call {
    return this.#call(api.Call_Type.SUBSCRIBE, {
      subscribe: {
        unacknowledgedTasks: [...this.#unackedTasks.values()],
        unacknowledgedUpdates: included.map((entry) => entry.update),
      },
    });
  }

  #call(type: api.Call_Type, init: MessageInitShape<typeof api.CallSchema>): api.Call {
    const call = create(api.CallSchema, init);
    call.type = type;
    // Shared by every call (they are only encoded, never changed).
    this.#executorIdMessage ??= create(ExecutorIDSchema, { value: this.environment.executorId });
    this.#frameworkIdMessage ??= create(FrameworkIDSchema, { value: this.environment.frameworkId });
    call.executorId = this.#executorIdMessage;
    call.frameworkId = this.#frameworkIdMessage;
    return call;
  }

  #handle(event: api.Event, included: readonly PendingUpdate[]): void {
    switch (event.type) {
      case api.Event_Type.SUBSCRIBED:
        this.#onSubscribed(event.subscribed, included);
        return;
      case api.Event_Type.LAUNCH: {
        const task = event.launch?.task;
        if (task !== undefined && this.#accept(task)) this.#hook(() => this.#executor.onLaunch(task));
        return;
      }
      case api.Event_Type.LAUNCH_GROUP: {
        const group = event.launchGroup?.taskGroup;
        if (group === undefined) return;
        const accepted = group.tasks.filter((task) => this.#accept(task));
        if (accepted.length > 0) {
          this.#hook(() => this.#executor.onLaunchGroup({ ...group, tasks: accepted }));
        }
        return;
      }
      case api.Event_Type.KILL: {
        const taskId = event.kill?.taskId?.value;
        if (taskId !== undefined) this.#hook(() => this.#executor.onKill(taskId, event.kill?.killPolicy));
        return;
      }
      case api.Event_Type.ACKNOWLEDGED:
        this.#onAcknowledged(event.acknowledged);
        return;
      case api.Event_Type.MESSAGE: {
        const data = event.message?.data ?? new Uint8Array(0);
        this.#hook(() => this.#executor.onMessage(data));
        return;
      }
      case api.Event_Type.SHUTDOWN:
        void this.#shutdown("shutdown");
        return;
      case api.Event_Type.ERROR: {
        const error = new AgentConnectionError(
          `the agent sent ERROR: ${event.error?.message ?? "(no message)"}`,
        );
        this.#hook(() => this.#executor.onError(error));
        // Mesos's advice for ERROR: drop the subscription and subscribe again.
        this.#streamFailure = error;
        this.#streamAbort?.abort();
        return;
      }
      default:
        // HEARTBEAT (every 30 min, too sparse to judge liveness by) and event types newer than this executor.
        return;
    }
  }

  #onSubscribed(subscribed: api.Event_Subscribed | undefined, included: readonly PendingUpdate[]): void {
    const resubscribed = this.#everSubscribed;
    this.#subscribed = true;
    this.#everSubscribed = true;
    this.#agentId = subscribed?.agentInfo?.id?.value ?? this.#agentId;
    for (const entry of included) entry.delivered = true;
    // Updates made after the SUBSCRIBE call was built were not in it: send them now, in order.
    for (const entry of this.#unackedUpdates.values()) {
      if (!entry.delivered) void this.#enqueue(entry).catch(() => {});
    }
    if (subscribed?.executorInfo === undefined || subscribed.frameworkInfo === undefined) return;
    const info = {
      executorInfo: subscribed.executorInfo,
      frameworkInfo: subscribed.frameworkInfo,
      agentInfo: subscribed.agentInfo ?? create(AgentInfoSchema),
      containerId: subscribed.containerId?.value,
      resubscribed,
    };
    this.#hook(() => this.#executor.onSubscribed(info));
  }

  /** Records a launched task; refuses it when winding down. */
  #accept(task: TaskInfo): boolean {
    const taskId = task.taskId?.value ?? "";
    if (taskId === "") return false;
    this.#unackedTasks.set(taskId, task);
    if (this.#stopping || this.#shuttingDown) {
      this.update({
        taskId,
        state: TaskState.TASK_LOST,
        reason: TaskStatus_Reason.EXECUTOR_TERMINATED,
        message: "the executor is shutting down and did not start the task; launch it again",
      }).catch((error: unknown) => this.#report(error));
      return false;
    }
    this.#active.add(taskId);
    return true;
  }

  #onAcknowledged(acknowledged: api.Event_Acknowledged | undefined): void {
    if (acknowledged === undefined) return;
    const taskId = acknowledged.taskId?.value ?? "";
    const uuid = acknowledged.uuid;
    if (uuid.length === 16) this.#unackedUpdates.delete(uuidKey(uuid));
    this.#unackedTasks.delete(taskId);
    this.#hook(() => this.#executor.onAcknowledged(taskId, uuid));
    if (this.#unackedUpdates.size === 0) {
      for (const wake of this.#ackWaiters) wake();
    }
  }

  // --- updates ------------------------------------------------------------------------------------------------

  #enqueue(entry: PendingUpdate): Promise<void> {
    const previous = this.#chains.get(entry.taskId);
    // Most updates have none of their task's before them in flight: they go at once.
    const sent = previous === undefined ? this.#deliver(entry) : previous.then(() => this.#deliver(entry));
    const ended = () => {
      if (this.#chains.get(entry.taskId) === tail) this.#chains.delete(entry.taskId);
    };
    const tail: Promise<void> = sent.then(ended, ended);
    this.#chains.set(entry.taskId, tail);
    return sent;
  }

  async #deliver(entry: PendingUpdate): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // Not subscribed: the update waits in the unacknowledged list and goes with the next SUBSCRIBE.
      if (!this.#subscribed || entry.delivered || !this.#unackedUpdates.has(entry.key)) return;
      try {
        await this.#connection.call(this.#call(api.Call_Type.UPDATE, { update: entry.update }), "UPDATE");
        entry.delivered = true;
        return;
      } catch (error) {
        const status = isAgentCallError(error) ? error.status : 0;
        // 403 "not subscribed" and network failures are what an agent restart looks like; 5xx is a recovering
        // agent. A 4xx otherwise is final: the update itself is wrong and resending cannot help.
        if (status >= 400 && status < 500 && status !== 403) {
          this.#unackedUpdates.delete(entry.key);
          this.#notifyIfAllAcknowledged();
          throw error;
        }
        if (attempt >= UPDATE_RETRIES || this.#exit !== undefined) return;
        await delay(50 * 2 ** attempt);
      }
    }
  }

  #notifyIfAllAcknowledged(): void {
    if (this.#unackedUpdates.size === 0) for (const wake of this.#ackWaiters) wake();
  }

  /** Resolves when every update sent has been acknowledged, the deadline passed, or the run ended. */
  #waitForAcknowledgements(deadline: number | undefined): Promise<void> {
    if (this.#unackedUpdates.size === 0 || this.#exit !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.#ackWaiters.delete(wake);
        resolve();
      };
      this.#ackWaiters.add(wake);
      if (deadline !== undefined) timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
    });
  }

  // --- winding down -------------------------------------------------------------------------------------------

  async #shutdown(reason: "shutdown" | "aborted"): Promise<void> {
    if (this.#shuttingDown || this.#exit !== undefined) return;
    this.#shuttingDown = true;
    this.#stopping = true;
    const grace = this.environment.shutdownGracePeriodMs;
    const deadline = Date.now() + grace;
    try {
      await withTimeout(Promise.resolve(this.#executor.onShutdown()), grace * SHUTDOWN_HOOK_SHARE);
    } catch (error) {
      this.#report(error);
    }
    for (const taskId of [...this.#active]) {
      this.update({ taskId, state: TaskState.TASK_KILLED, message: "the executor was shut down" }).catch(
        (error: unknown) => this.#report(error),
      );
    }
    // Leave a little of the grace period for the process to exit before the agent destroys the container.
    await this.#waitForAcknowledgements(deadline - Math.min(500, grace * 0.1));
    await this.#finish(reason);
  }

  async #finish(reason: ExecutorExit["reason"], error?: Error): Promise<void> {
    if (this.#exit !== undefined) return;
    const exit: ExecutorExit = {
      reason,
      ...(error === undefined ? {} : { error }),
      unacknowledgedUpdates: this.#unackedUpdates.size,
    };
    this.#exit = exit;
    this.#subscribed = false;
    this.#streamAbort?.abort();
    this.#wakeSleeper?.();
    for (const wake of this.#ackWaiters) wake();
    try {
      await this.#executor.onExit(exit);
    } catch (hookError) {
      this.#report(hookError);
    }
    await this.#connection.close().catch((closeError: unknown) => this.#report(closeError));
    this.#executor[bindDriver](undefined);
    this.#resolveDone(exit);
  }

  // --- helpers ------------------------------------------------------------------------------------------------

  /** Calls a hook without letting it block the event stream; failures go to onError. */
  #hook(call: () => void | Promise<void>): void {
    try {
      const result = call();
      if (result instanceof Promise) result.catch((error: unknown) => this.#report(error));
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    const reported = toError(error);
    try {
      const result = this.#executor.onError(reported);
      if (result instanceof Promise) result.catch((inner: unknown) => printError(inner));
    } catch (inner) {
      printError(inner);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.#wakeSleeper = undefined;
    });
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function lostError(what: string, cause: Error): AgentConnectionError {
  const detail = isAgentConnectionError(cause) || isAgentCallError(cause) ? cause.message : String(cause);
  return new AgentConnectionError(`lost the agent (${detail}); ${what}`, { cause });
}

function printError(error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`satyr-executor: ${text}\n`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
