import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import {
  type CommandInfo,
  type ContainerInfo,
  type ExecutorInfo,
  type KillPolicy,
  KillPolicySchema,
  type TaskInfo,
  TaskInfoSchema,
  TaskState,
  type TaskStatus,
} from "@satyr/proto";
import { BehaviorSubject, type Observable } from "rxjs";
import { InvalidTaskError } from "../errors/invalid-task-error.js";
import { TaskFailedError } from "../errors/task-failed-error.js";
import { Resources, type ResourcesInput } from "../resources/resources.js";
import type { Constraint } from "../scheduler/constraints.js";
import { isInfrastructureFailure, phaseOf, reasonName, stateName, type TaskPhase } from "./task-state.js";

/**
 * Label keys satyr puts on every TaskInfo it launches.
 *
 * @example
 * ```ts
 * info.labels?.labels.find((l) => l.key === TASK_LABELS.task)?.value; // the logical task id
 * ```
 */
export const TASK_LABELS = {
  /** The task class's `kind`, used to decode a TaskInfo into the right class. */
  kind: "satyr.kind",
  /** The logical task id (constant over attempts). */
  task: "satyr.task",
  /** The attempt number, from 1. */
  attempt: "satyr.attempt",
} as const;

/**
 * Options every task kind accepts.
 *
 * @example
 * ```ts
 * const options: TaskOptions = {
 *   id: "resize-42",
 *   name: "resize",
 *   resources: [cpus(1), mem(512)],
 *   labels: { team: "media" },
 *   maxAttempts: 5,
 *   constraints: [attributeEquals("os", "linux")],
 *   killGracePeriodMs: 10_000,
 * };
 * new CommandTask({ ...options, command: "./resize.sh" });
 * ```
 */
export interface TaskOptions {
  /** Logical id, constant over retries (default: a random UUID). Attempt n > 1 runs as `${id}-attempt-n`. */
  readonly id?: string;
  /** TaskInfo.name (default `"satyr-task"`). */
  readonly name?: string;
  /** What the task needs: `[cpus(0.1), mem(128)]` or a {@link Resources}. */
  readonly resources?: ResourcesInput;
  /** Extra TaskInfo labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Launches in total before an infrastructure failure (LOST, GONE, ...) is final; default 3. */
  readonly maxAttempts?: number;
  /** Placement rules on agent attributes. */
  readonly constraints?: readonly Constraint[];
  /** How long Mesos waits between SIGTERM and SIGKILL when the task is killed. */
  readonly killGracePeriodMs?: number;
}

/**
 * The {@link TaskOptions} part of a subclass's options (subclasses pass only these to `super`).
 *
 * @example
 * ```ts
 * super({ ...taskOptionsOf(options), resources });
 * ```
 */
export function taskOptionsOf(options: TaskOptions): TaskOptions {
  const picked: Record<string, unknown> = {};
  for (const key of [
    "id",
    "name",
    "resources",
    "labels",
    "maxAttempts",
    "constraints",
    "killGracePeriodMs",
  ] as const) {
    if (options[key] !== undefined) picked[key] = options[key];
  }
  return picked as TaskOptions;
}

/**
 * Raw TaskInfo parts for a plain {@link Task} (the original's `TaskInfo(command=CommandInfo(...))`).
 *
 * @example
 * ```ts
 * const options: PlainTaskOptions = {
 *   name: "echo",
 *   resources: [cpus(0.1), mem(32)],
 *   command: create(CommandInfoSchema, { value: "echo 100" }),
 * };
 * const status = await scheduler.submit(new Task(options));
 * ```
 */
export interface PlainTaskOptions extends TaskOptions {
  readonly command?: CommandInfo;
  readonly container?: ContainerInfo;
  readonly executor?: ExecutorInfo;
  readonly data?: Uint8Array;
}

/**
 * What {@link Task.toTaskInfo} gets from the scheduler once the task is placed on an offer.
 *
 * @example
 * ```ts
 * const context: TaskInfoContext = { agentId: offer.agentId, resources: task.resources, ports: [] };
 * const info = task.toTaskInfo(context);
 * ```
 */
export interface TaskInfoContext {
  readonly agentId: string;
  /** The resources taken from the offer for this task (offer metadata intact, ports assigned). */
  readonly resources: Resources;
  /** The assigned ports, lowest first. */
  readonly ports: readonly number[];
  /** The ExecutorInfo to launch with (same id and content for every task on the same executor). */
  readonly executor?: ExecutorInfo;
}

/**
 * The executor a task runs under: one id per configuration so tasks share a running executor per agent.
 *
 * @example
 * ```ts
 * const spec: ExecutorSpec = executorSpec({ environment: { DEBUG: "1" } });
 * console.log(spec.id, spec.resources.toString());
 * const info = executorInfoWith(spec, spec.resources);
 * ```
 */
export interface ExecutorSpec {
  readonly id: string;
  /** The ExecutorInfo without resources (the scheduler adds them, allocated from the offer). */
  readonly info: ExecutorInfo;
  readonly resources: Resources;
}

/**
 * The TaskInfo parts a task kind contributes.
 *
 * @example
 * ```ts
 * class ServeTask extends Task {
 *   static override readonly kind = "serve";
 *   protected override buildTaskInfo(context: TaskInfoContext): TaskInfoParts {
 *     return { command: create(CommandInfoSchema, { value: `./serve --port ${context.ports[0]}` }) };
 *   }
 * }
 * ```
 */
export interface TaskInfoParts {
  readonly command?: CommandInfo;
  readonly container?: ContainerInfo;
  readonly executor?: ExecutorInfo;
  readonly data?: Uint8Array;
}

/**
 * How a terminal status settles a task.
 *
 * @example
 * ```ts
 * class PatientTask extends Task {
 *   // Retry on an out-of-memory kill instead of failing.
 *   override settle(status: TaskStatus, killRequested: boolean): Settlement<TaskStatus> {
 *     if (status.reason === TaskStatus_Reason.REASON_CONTAINER_LIMITATION_MEMORY) {
 *       return { kind: "retry", reason: "out of memory" };
 *     }
 *     return super.settle(status, killRequested);
 *   }
 * }
 * ```
 */
export type Settlement<R> =
  | { readonly kind: "resolve"; readonly value: R }
  | { readonly kind: "reject"; readonly error: Error }
  | { readonly kind: "retry"; readonly reason: string };

/**
 * The key of a task's scheduler-side controls (phase changes, settling); for schedulers and operators, not for
 * task authors.
 *
 * @example
 * ```ts
 * task[TASK_CONTROL].setPhase("launching");
 * ```
 */
export const TASK_CONTROL: unique symbol = Symbol("satyr.task.control");

/**
 * What schedulers and operators drive a task with (`task[TASK_CONTROL]`): a custom scheduler settles its tasks'
 * `result` through it.
 *
 * @example
 * ```ts
 * const control: TaskControl = task[TASK_CONTROL];
 * control.resolve(value);
 * ```
 */
export interface TaskControl {
  /** Starts a new attempt: fresh task id, state `pending`. */
  beginAttempt(): void;
  setPhase(phase: TaskPhase): void;
  recordStatus(status: TaskStatus): void;
  resolve(value: unknown): void;
  reject(error: Error): void;
  readonly settled: boolean;
  killRequested: boolean;
}

/**
 * A Mesos task: a TaskInfo wrapper with a logical id, name, resources, labels, its state and attempts, an
 * {@link Task.onUpdate} hook called with every status update, and its {@link Task.result}. Use it directly with
 * raw TaskInfo parts, or subclass it (override {@link Task.buildTaskInfo}, {@link Task.resultOf} or
 * {@link Task.settle}) for custom kinds; {@link CommandTask} and {@link FunctionTask} are such subclasses.
 *
 * @example
 * ```ts
 * class LoggingTask extends Task {
 *   static override readonly kind = "logging";
 *   override onUpdate(status: TaskStatus) { console.log(this.id, stateName(status.state)); }
 * }
 * const task = new LoggingTask({ name: "echo", command: create(CommandInfoSchema, { value: "echo 100" }) });
 * const finalStatus = await scheduler.submit(task);
 * ```
 */
export class Task<R = TaskStatus> {
  /** Written into the `satyr.kind` label so a TaskInfo decodes back into this class (see `registerTaskKind`). */
  static readonly kind: string = "task";

  readonly id: string;
  readonly name: string;
  readonly resources: Resources;
  readonly labels: Readonly<Record<string, string>>;
  readonly maxAttempts: number;
  readonly constraints: readonly Constraint[];
  readonly killGracePeriodMs: number | undefined;
  /** The task's result; also what `QueueScheduler.submit` resolves with. */
  readonly result: Promise<R>;
  /** The task's phase, replaying the current one; completes when the task settles. */
  readonly state$: Observable<TaskPhase>;

  readonly #plain: PlainTaskOptions;
  readonly #phase = new BehaviorSubject<TaskPhase>("pending");
  #attempts = 0;
  #taskId: string;
  #status: TaskStatus | undefined;
  // Typed without R so that Task<R> stays covariant (a CommandTask is a Task<unknown>).
  #settle!: { resolve: (value: unknown) => void; reject: (error: Error) => void };
  #settled = false;
  #killRequested = false;
  #control: TaskControl | undefined;

  constructor(options: PlainTaskOptions = {}) {
    this.id = options.id ?? randomUUID();
    if (this.id === "" || /[/\s\0]/.test(this.id)) {
      throw new InvalidTaskError(
        "id",
        `task id ${JSON.stringify(this.id)} must be non-empty without '/', whitespace or NUL`,
      );
    }
    this.name = options.name ?? "satyr-task";
    this.resources = Resources.from(options.resources);
    this.labels = { ...options.labels };
    this.maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isSafeInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new InvalidTaskError(
        "maxAttempts",
        `maxAttempts must be an integer >= 1, got ${String(options.maxAttempts)}`,
      );
    }
    this.constraints = [...(options.constraints ?? [])];
    this.killGracePeriodMs = options.killGracePeriodMs;
    this.#plain = options;
    this.#taskId = this.id;
    this.result = new Promise<R>((resolve, reject) => {
      this.#settle = { resolve: (value) => resolve(value as R), reject };
    });
    // Nobody may be awaiting `result` (submit returns it too); a rejection must not crash the process.
    this.result.catch(() => undefined);
    this.state$ = this.#phase.asObservable();
  }

  /** The Mesos task id of the current attempt. */
  get taskId(): string {
    return this.#taskId;
  }
  /** How many times the task was launched (or is being launched). */
  get attempts(): number {
    return this.#attempts;
  }
  get state(): TaskPhase {
    return this.#phase.value;
  }
  /** The latest status update, if any. */
  get status(): TaskStatus | undefined {
    return this.#status;
  }
  /** The agent of the current attempt, once known. */
  get agentId(): string | undefined {
    return this.#status?.agentId?.value;
  }
  /** The class's `kind` label value. */
  get kind(): string {
    return (this.constructor as typeof Task).kind;
  }

  /**
   * Called with every status update of every attempt, before the task settles. May be async; an exception is
   * reported on the scheduler's `errors$` and does not affect the task or the framework.
   *
   * @example
   * ```ts
   * override onUpdate(status: TaskStatus) { console.log("update", stateName(status.state)); }
   * ```
   */
  onUpdate(_status: TaskStatus): void | Promise<void> {}

  /**
   * The executor the task runs under, or `undefined` for tasks Mesos runs with its command executor.
   *
   * @example
   * ```ts
   * task.executor()?.id; // "satyr-executor-1a2b3c4d"
   * ```
   */
  executor(): ExecutorSpec | undefined {
    const info = this.#plain.executor;
    if (info === undefined) return undefined;
    return { id: info.executorId?.value ?? "", info, resources: Resources.fromProtos(info.resources) };
  }

  /**
   * The kind-specific TaskInfo parts (command, container, executor, data). The base class uses the raw parts
   * it was constructed with.
   *
   * @example
   * ```ts
   * protected override buildTaskInfo(ctx: TaskInfoContext): TaskInfoParts {
   *   return { command: create(CommandInfoSchema, { value: `serve --port ${ctx.ports[0]}` }) };
   * }
   * ```
   */
  protected buildTaskInfo(context: TaskInfoContext): TaskInfoParts {
    const { command, container, data } = this.#plain;
    return {
      ...(command === undefined ? {} : { command }),
      ...(container === undefined ? {} : { container }),
      ...(context.executor === undefined ? {} : { executor: context.executor }),
      ...(data === undefined ? {} : { data }),
    };
  }

  /**
   * The TaskInfo for the current attempt on a placed offer.
   *
   * @example
   * ```ts
   * const info = task.toTaskInfo({ agentId: offer.agentId, resources: taken, ports: [] });
   * ```
   */
  toTaskInfo(context: TaskInfoContext): TaskInfo {
    const parts = this.buildTaskInfo(context);
    if (parts.command === undefined && parts.executor === undefined) {
      throw new InvalidTaskError("command", `task ${this.id} has neither a command nor an executor`);
    }
    const labels = {
      ...this.labels,
      [TASK_LABELS.kind]: this.kind,
      [TASK_LABELS.task]: this.id,
      [TASK_LABELS.attempt]: String(Math.max(1, this.#attempts)),
    };
    let killPolicy: KillPolicy | undefined;
    if (this.killGracePeriodMs !== undefined) {
      killPolicy = create(KillPolicySchema, {
        gracePeriod: { nanoseconds: BigInt(Math.round(this.killGracePeriodMs * 1e6)) },
      });
    }
    return create(TaskInfoSchema, {
      name: this.name,
      taskId: { value: this.#taskId },
      agentId: { value: context.agentId },
      resources: context.resources.toProtos(),
      labels: { labels: Object.entries(labels).map(([key, value]) => ({ key, value })) },
      ...parts,
      ...(killPolicy === undefined ? {} : { killPolicy }),
    });
  }

  /**
   * The value a TASK_FINISHED status resolves the task with; the base class resolves with the status itself.
   *
   * @example
   * ```ts
   * protected override resultOf(status: TaskStatus) { return new TextDecoder().decode(status.data); }
   * ```
   */
  protected resultOf(status: TaskStatus): R {
    return status as unknown as R;
  }

  /**
   * Decides what a terminal status means: FINISHED resolves with {@link Task.resultOf}; an infrastructure
   * failure (or a kill nobody asked for) retries on a fresh task id; anything else rejects with a
   * `TaskFailedError`. Override to change the classification.
   *
   * @example
   * ```ts
   * override settle(status: TaskStatus, killRequested: boolean) {
   *   return status.state === TaskState.TASK_FAILED ? { kind: "retry", reason: "flaky" } : super.settle(status, killRequested);
   * }
   * ```
   */
  settle(status: TaskStatus, killRequested: boolean): Settlement<R> {
    if (status.state === TaskState.TASK_FINISHED) return { kind: "resolve", value: this.resultOf(status) };
    if (isInfrastructureFailure(status)) return { kind: "retry", reason: describeStatus(status) };
    if (status.state === TaskState.TASK_KILLED && !killRequested) {
      return { kind: "retry", reason: `killed without a kill request (${describeStatus(status)})` };
    }
    return { kind: "reject", error: this.failure(status) };
  }

  /**
   * The `TaskFailedError` describing a terminal status.
   *
   * @example
   * ```ts
   * task.failure(status).message; // "task t1 TASK_FAILED: Command exited with status 3"
   * ```
   */
  failure(status: TaskStatus, prefix = ""): TaskFailedError {
    return new TaskFailedError(`${prefix}task ${this.id} ${describeStatus(status)}`, {
      taskId: status.taskId?.value ?? this.#taskId,
      agentId: status.agentId?.value,
      state: stateName(status.state),
      reason: reasonName(status),
      attempts: this.#attempts,
    });
  }

  /** The task's scheduler-side controls (see {@link TaskControl}). */
  get [TASK_CONTROL](): TaskControl {
    this.#control ??= this.#makeControl();
    return this.#control;
  }

  #makeControl(): TaskControl {
    const task = this;
    return {
      beginAttempt: () => {
        task.#attempts += 1;
        task.#taskId = task.#attempts === 1 ? task.id : `${task.id}-attempt-${task.#attempts}`;
        task.#killRequested = false;
        if (task.#phase.value !== "pending") task.#phase.next("pending");
      },
      setPhase: (phase) => {
        if (!task.#settled && task.#phase.value !== phase) task.#phase.next(phase);
      },
      recordStatus: (status) => {
        task.#status = status;
        if (!task.#settled) task.#phase.next(phaseOf(status.state));
      },
      resolve: (value) => {
        if (task.#settled) return;
        task.#settled = true;
        task.#settle.resolve(value);
        task.#phase.complete();
      },
      reject: (error) => {
        if (task.#settled) return;
        task.#settled = true;
        task.#settle.reject(error);
        task.#phase.complete();
      },
      get settled() {
        return task.#settled;
      },
      get killRequested() {
        return task.#killRequested;
      },
      set killRequested(value: boolean) {
        task.#killRequested = value;
      },
    };
  }

  toString(): string {
    return `${this.constructor.name}(${this.id} ${this.name} ${this.state})`;
  }
}

/**
 * `TASK_FAILED (REASON_...): message`, for error messages and logs.
 *
 * @example
 * ```ts
 * describeStatus(status); // "TASK_LOST (REASON_AGENT_REMOVED): agent removed"
 * ```
 */
export function describeStatus(status: TaskStatus): string {
  const reason = reasonName(status);
  return `${stateName(status.state)}${reason === undefined ? "" : ` (${reason})`}${status.message === "" ? "" : `: ${status.message}`}`;
}
