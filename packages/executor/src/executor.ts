import type {
  AgentInfo,
  ExecutorInfo,
  FrameworkInfo,
  KillPolicy,
  TaskGroupInfo,
  TaskInfo,
  TaskState,
  TaskStatus_Reason,
} from "@satyr/proto";
import { TaskState as States } from "@satyr/proto";
import { ExecutorStateError } from "./errors/index.js";
import type { ExecutorEnvironment } from "./executor-environment.js";

/**
 * What the agent said when the executor subscribed (`Event.Subscribed`).
 *
 * @example
 * ```ts
 * override onSubscribed(info: SubscribedInfo) { console.log(info.agentInfo.hostname, info.resubscribed); }
 * ```
 */
export interface SubscribedInfo {
  readonly executorInfo: ExecutorInfo;
  readonly frameworkInfo: FrameworkInfo;
  readonly agentInfo: AgentInfo;
  readonly containerId: string | undefined;
  /** True when this is a resubscription after the agent was lost (its tasks were resent). */
  readonly resubscribed: boolean;
}

/**
 * A status update to send: the executor fills in the uuid (a fresh v4 UUID), `source` (SOURCE_EXECUTOR), the
 * executor and agent ids and the timestamp.
 *
 * @example
 * ```ts
 * const status: StatusUpdate = { taskId: "t1", state: TaskState.TASK_FINISHED, data: resultBytes };
 * ```
 */
export interface StatusUpdate {
  readonly taskId: string;
  readonly state: TaskState;
  readonly message?: string;
  readonly data?: Uint8Array;
  readonly reason?: TaskStatus_Reason;
  readonly healthy?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Why and how an executor's run ended (what `runExecutor` resolves with).
 * - `"stopped"`: the executor called `stop()` (done, or idle) and its updates were acknowledged;
 * - `"shutdown"`: the agent sent SHUTDOWN;
 * - `"aborted"`: the caller's signal aborted the run (the program got SIGTERM/SIGINT);
 * - `"agent-lost"`: the agent went away and could not (or, without checkpointing, must not) be resubscribed to.
 *
 * @example
 * ```ts
 * const exit: ExecutorExit = await runExecutor(new FunctionExecutor());
 * process.exitCode = exit.reason === "agent-lost" ? 1 : 0;
 * ```
 */
export interface ExecutorExit {
  readonly reason: "stopped" | "shutdown" | "aborted" | "agent-lost";
  readonly error?: Error;
  /** Updates the agent had not acknowledged when the executor ended (0 after a clean stop). */
  readonly unacknowledgedUpdates: number;
}

/** What an {@link Executor} uses to talk to the agent; supplied by `runExecutor`. @internal */
export interface ExecutorDriver {
  readonly environment: ExecutorEnvironment;
  readonly activeTasks: ReadonlySet<string>;
  update(status: StatusUpdate): Promise<void>;
  message(data: Uint8Array): Promise<void>;
  stop(): Promise<ExecutorExit>;
}

/** Binds a driver to an executor; only `runExecutor` calls it. @internal */
export const bindDriver: unique symbol = Symbol("satyr.executor.bindDriver");

/**
 * Base class for executors: override the `on*` hooks you need, and call {@link Executor.update} /
 * {@link Executor.message} to talk back. Start it with `runExecutor(executor)`, which subscribes to the agent,
 * keeps the reliability bookkeeping (unacknowledged tasks and updates, resubscription) and calls the hooks in
 * event order. Hooks may be async; a hook that throws or rejects is reported to {@link Executor.onError}.
 *
 * @example
 * ```ts
 * class EchoExecutor extends Executor {
 *   override async onLaunch(task: TaskInfo) {
 *     const taskId = task.taskId!.value;
 *     await this.update({ taskId, state: TaskState.TASK_RUNNING });
 *     await this.update({ taskId, state: TaskState.TASK_FINISHED, data: task.data });
 *   }
 * }
 * await runExecutor(new EchoExecutor());
 * ```
 */
export class Executor {
  #driver: ExecutorDriver | undefined;

  /** Called on SUBSCRIBED, again after each resubscription. */
  onSubscribed(_info: SubscribedInfo): void | Promise<void> {}

  /** Called for each LAUNCHed task. Send TASK_RUNNING once it runs, then a terminal update. */
  onLaunch(_task: TaskInfo): void | Promise<void> {}

  /** Called for LAUNCH_GROUP. By default launches each task of the group through {@link Executor.onLaunch}. */
  async onLaunchGroup(group: TaskGroupInfo): Promise<void> {
    await Promise.all(group.tasks.map(async (task) => this.onLaunch(task)));
  }

  /** Called on KILL. By default answers TASK_KILLED for a task that has no terminal update yet. */
  async onKill(taskId: string, _killPolicy: KillPolicy | undefined): Promise<void> {
    if (this.activeTasks.has(taskId)) {
      await this.update({ taskId, state: States.TASK_KILLED, message: "killed on request" });
    }
  }

  /** Called on a framework MESSAGE (unreliable, as in Mesos). */
  onMessage(_data: Uint8Array): void | Promise<void> {}

  /**
   * Called on SHUTDOWN. Stop the tasks here; when it returns (or the grace period nears its end) every task
   * without a terminal update gets TASK_KILLED, and the executor exits once those are acknowledged.
   */
  onShutdown(): void | Promise<void> {}

  /** Called when the agent acknowledged (and, with checkpointing, persisted) an update. */
  onAcknowledged(_taskId: string, _uuid: Uint8Array): void | Promise<void> {}

  /** Called when the connection to the agent broke; the executor resubscribes if checkpointing allows it. */
  onDisconnected(_error: Error): void | Promise<void> {}

  /** Called on an ERROR event from the agent, a rejected call, or a hook that threw. Logs to stderr by default. */
  onError(error: Error): void | Promise<void> {
    process.stderr.write(`satyr-executor: ${error.name}: ${error.message}\n`);
  }

  /** Called once when the run ends, before `runExecutor` resolves: release resources here. */
  onExit(_exit: ExecutorExit): void | Promise<void> {}

  /** The parsed environment of the running executor. @throws {@link ExecutorStateError} when not running. */
  get environment(): ExecutorEnvironment {
    return this.#running().environment;
  }

  /** Tasks launched that have no terminal update yet. Empty when not running. */
  get activeTasks(): ReadonlySet<string> {
    return this.#driver?.activeTasks ?? new Set();
  }

  /**
   * Sends a status update with a fresh v4 UUID. Resolves once the agent accepted it, or once it is queued to be
   * resent on the next subscription (while the agent is away). Updates of one task reach the agent in the order
   * they were made.
   * @throws {@link InvalidUpdateError} for a malformed update, {@link AgentCallError} if the agent refused it,
   * {@link ExecutorStateError} when the executor is not running.
   */
  update(status: StatusUpdate): Promise<void> {
    try {
      return this.#running().update(status);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends a framework message to the scheduler (unreliable, as in Mesos). */
  message(data: Uint8Array): Promise<void> {
    try {
      return this.#running().message(data);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Ends the executor once every update sent has been acknowledged by the agent. Launches arriving meanwhile
   * are answered TASK_LOST. Resolves with how the run ended.
   */
  stop(): Promise<ExecutorExit> {
    try {
      return this.#running().stop();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @internal */
  [bindDriver](driver: ExecutorDriver | undefined): void {
    if (driver !== undefined && this.#driver !== undefined) {
      throw new ExecutorStateError("this executor is already running: create a new instance for each run");
    }
    this.#driver = driver;
  }

  #running(): ExecutorDriver {
    if (this.#driver === undefined) {
      throw new ExecutorStateError("the executor is not running: start it with runExecutor(executor)");
    }
    return this.#driver;
  }
}
