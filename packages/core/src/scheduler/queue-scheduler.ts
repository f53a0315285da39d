import { fits as vectorFits } from "@satyr/binpack";
import { isTerminalState, TaskState, type TaskStatus } from "@satyr/proto";
import { BehaviorSubject, type Observable, of, retry, Subject, type Subscription } from "rxjs";
import type { SchedulerClient } from "../client/scheduler-client.js";
import type { TaskUpdate } from "../client/task-update.js";
import { CancelledError } from "../errors/cancelled-error.js";
import { InvalidTaskError } from "../errors/invalid-task-error.js";
import { TimeoutError } from "../errors/timeout-error.js";
import { UnschedulableTaskError } from "../errors/unschedulable-task-error.js";
import { declineRest } from "../operators/decline-rest.js";
import { launchOn } from "../operators/launch-on.js";
import { packWith } from "../operators/pack-with.js";
import { type PlacementOptions, Placer } from "../operators/placer.js";
import type { Offer } from "../resources/offer.js";
import { TASK_CONTROL, type Task } from "../tasks/task.js";
import type { TaskPhase } from "../tasks/task-state.js";
import { admits } from "./constraints.js";
import { Scheduler, type SchedulerOptions, type SubscribedInfo } from "./scheduler.js";

/**
 * Options of {@link QueueScheduler}.
 *
 * @example
 * ```ts
 * const options: QueueSchedulerOptions = {
 *   maxConcurrency: 50,
 *   heuristic: "ffd",
 *   offerHoldMs: 500,
 *   unschedulableAfterMs: 60_000,
 *   logger: console,
 * };
 * const scheduler = new QueueScheduler(options);
 * ```
 */
export interface QueueSchedulerOptions extends SchedulerOptions, PlacementOptions {
  /** At most this many tasks launched and not finished at a time (default unbounded). */
  readonly maxConcurrency?: number;
  /** How long an unused offer is held for work that may arrive (default 1000 ms); see `packWith`. */
  readonly offerHoldMs?: number;
  /**
   * How long the queue stays idle before it SUPPRESSes offers (default `offerHoldMs`): in between, offers are
   * still received and held, so the next submit starts at once.
   */
  readonly suppressAfterMs?: number;
  /**
   * While tasks wait and no offer is held, REVIVE at most this often (default 1000 ms): a REVIVE clears the
   * refuse filters of earlier declines, which would otherwise keep resources away for `refuseSeconds`.
   */
  readonly reviveIntervalMs?: number;
  /** Refuse filter when declining unused offers (default 5 s). */
  readonly refuseSeconds?: number;
  /**
   * How long a task may wait while no agent seen could ever run it (too big for every agent, or excluded by
   * its hard constraints) before it fails with `UnschedulableTaskError` (default 30 000 ms).
   */
  readonly unschedulableAfterMs?: number;
  /** Timeout of the scheduler's own calls (ACCEPT, DECLINE, KILL, SUPPRESS, REVIVE). */
  readonly callTimeoutMs?: number;
}

/**
 * Options of {@link QueueScheduler.submit}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: SubmitOptions = { signal: controller.signal, timeoutMs: 60_000 };
 * const status = scheduler.submit(new CommandTask({ command: "sleep 30" }), options);
 * controller.abort(); // kills the task; `status` rejects with a CancelledError
 * ```
 */
export interface SubmitOptions {
  /** Aborting cancels the task (killing it if launched); the promise rejects with a `CancelledError`. */
  readonly signal?: AbortSignal;
  /** Cancels the task after this long; the promise rejects with a `TimeoutError`. */
  readonly timeoutMs?: number;
}

/**
 * Counts of the queue's tasks; `finished`, `failed` and `cancelled` are totals since the start.
 *
 * @example
 * ```ts
 * const { pending, running, finished, failed }: QueueStats = scheduler.stats;
 * console.log(`${pending} waiting, ${running} running, ${finished} done, ${failed} failed`);
 * ```
 */
export interface QueueStats {
  readonly submitted: number;
  /** Waiting for an offer (or for a concurrency slot). */
  readonly pending: number;
  /** Launched and not terminal yet (launching, staging, starting, running, killing). */
  readonly running: number;
  readonly finished: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Relaunches after infrastructure failures. */
  readonly retried: number;
}

interface Entry {
  readonly task: Task<unknown>;
  pendingSince: number;
  cancelled: Error | undefined;
  cleanup: (() => void) | undefined;
  /** The phase last seen on the task's `state$` (counts below are kept from it, not by scanning). */
  phase: TaskPhase;
}

const LAUNCHED: ReadonlySet<TaskPhase> = new Set([
  "launching",
  "staging",
  "starting",
  "running",
  "killing",
  "unreachable",
]);

/**
 * A work-queue scheduler: `submit` tasks and await their results. Pending tasks are packed onto offers with
 * `@satyr/binpack` (default `bfd`) through the same operators as custom pipelines (`packWith`, `launchOn`,
 * `declineRest`), one ACCEPT per offer; unused offers are held briefly and then declined with a refuse filter;
 * offers are SUPPRESSed when the queue is idle and REVIVEd when work arrives. Infrastructure failures are
 * retried on a fresh task id (`maxAttempts`, default 3 in total), a task's own failure never; a task no agent
 * can run fails with `UnschedulableTaskError`; abort and timeout kill. A failing task rejects only its own
 * promise. Subclass it and override hooks (calling `super`) to add behaviour.
 *
 * @example
 * ```ts
 * const scheduler = new QueueScheduler();
 * await using running = await run(scheduler, { name: "satyr-scheduler" });
 * const sum = await scheduler.submit(new FunctionTask({ fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
 *   args: [[0, 1, 2, 3]], resources: [cpus(0.1), mem(128)] })); // 6
 * ```
 */
export class QueueScheduler extends Scheduler {
  /** The tasks waiting for an offer that may be launched now (concurrency allowing), in submission order. */
  readonly pending$: Observable<readonly Task<unknown>[]>;
  /** Queue counts, replaying the current ones. */
  readonly stats$: Observable<QueueStats>;
  readonly #options: QueueSchedulerOptions;
  readonly #placer: Placer;
  readonly #entries = new Map<Task<unknown>, Entry>();
  readonly #byTaskId = new Map<string, Task<unknown>>();
  readonly #pending = new BehaviorSubject<readonly Task<unknown>[]>([]);
  readonly #stats: BehaviorSubject<QueueStats>;
  readonly #offers = new Subject<Offer>();
  readonly #agents = new Map<string, { max: Record<string, number>; offer: Offer }>();
  readonly #idleWaiters = new Set<() => void>();
  /** Entries in phase `pending` (submission order; retries go to the back) and counts per group of phases. */
  readonly #waiting = new Set<Task<unknown>>();
  #launchedCount = 0;
  #launchingCount = 0;
  #pendingDirty = true;
  #lastSlots = -1;
  /** Offers handed to the pipeline and not yet launched on, declined or rescinded. */
  readonly #heldOffers = new Set<string>();
  #lastRevive = 0;
  #reviveTimer: ReturnType<typeof setTimeout> | undefined;
  #idleSince: number | undefined;
  #suppressTimer: ReturnType<typeof setTimeout> | undefined;
  #client: SchedulerClient | undefined;
  #changeScheduled = false;
  #suppressed = false;
  #interestCall: Promise<void> | undefined;
  #patienceTimer: ReturnType<typeof setInterval> | undefined;
  #totals = { submitted: 0, finished: 0, failed: 0, cancelled: 0, retried: 0 };

  constructor(options: QueueSchedulerOptions = {}) {
    super(options);
    if (options.maxConcurrency !== undefined && !(options.maxConcurrency >= 1)) {
      throw new InvalidTaskError(
        "maxConcurrency",
        `maxConcurrency must be >= 1, got ${String(options.maxConcurrency)}`,
      );
    }
    this.#options = options;
    this.#placer = new Placer(options);
    this.pending$ = this.#pending.asObservable();
    this.#stats = new BehaviorSubject<QueueStats>(this.#computeStats());
    this.stats$ = this.#stats.asObservable();
  }

  /** The current counts. */
  get stats(): QueueStats {
    return this.#stats.value;
  }

  /** Every task submitted and not settled yet (plus cancelled ones still being killed). */
  get tasks(): Task<unknown>[] {
    return [...this.#entries.keys()];
  }

  /** True when no task is waiting or running. */
  get isIdle(): boolean {
    return this.#entries.size === 0;
  }

  /**
   * Queues a task; resolves with its result (see the task kind), rejects with a `RemoteTaskError`,
   * `TaskFailedError`, `UnschedulableTaskError`, `CancelledError` or `TimeoutError`.
   *
   * @example
   * ```ts
   * const value = await scheduler.submit(task, { timeoutMs: 10_000 });
   * ```
   */
  submit<R>(task: Task<R>, options: SubmitOptions = {}): Promise<R> {
    const t = task as Task<unknown>;
    const control = t[TASK_CONTROL];
    if (this.#entries.has(t) || t.attempts > 0 || control.settled) {
      return Promise.reject(
        new InvalidTaskError("task", `task ${task.id} was already submitted; create a new task`),
      );
    }
    if (options.signal?.aborted) {
      return Promise.reject(new CancelledError(`task ${task.id}`, { cause: options.signal.reason }));
    }
    const entry: Entry = {
      task: t,
      pendingSince: Date.now(),
      cancelled: undefined,
      cleanup: undefined,
      phase: "pending",
    };
    this.#entries.set(t, entry);
    this.#totals.submitted++;
    control.beginAttempt();
    this.#byTaskId.set(t.taskId, t);
    const cleanups: (() => void)[] = [];
    this.#waiting.add(t);
    this.#pendingDirty = true;
    const phases = t.state$.subscribe((phase) => this.#onPhase(entry, phase));
    cleanups.push(() => phases.unsubscribe());
    const { signal, timeoutMs } = options;
    if (signal !== undefined) {
      const onAbort = () => this.#cancel(t, new CancelledError(`task ${task.id}`, { cause: signal.reason }));
      signal.addEventListener("abort", onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener("abort", onAbort));
    }
    if (timeoutMs !== undefined) {
      const timer = setTimeout(
        () => this.#cancel(t, new TimeoutError(`task ${task.id}`, timeoutMs)),
        timeoutMs,
      );
      cleanups.push(() => clearTimeout(timer));
    }
    entry.cleanup = () => {
      for (const c of cleanups) c();
    };
    this.#changed();
    return task.result;
  }

  /**
   * Cancels a task: a waiting one is dropped, a launched one killed; its promise rejects with a `CancelledError`.
   *
   * @example
   * ```ts
   * scheduler.kill(task);
   * ```
   */
  kill(task: Task<unknown>, reason?: unknown): void {
    this.#cancel(
      task,
      new CancelledError(`task ${task.id}`, reason === undefined ? undefined : { cause: reason }),
    );
  }

  override whenIdle(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal;
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        this.#idleWaiters.delete(done);
        resolve();
      };
      const onAbort = () => {
        this.#idleWaiters.delete(done);
        reject(new CancelledError("waiting for the queue to drain", { cause: signal?.reason }));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#idleWaiters.add(done);
    });
  }

  override async cancelAll(reason?: unknown, options: { kill?: boolean } = {}): Promise<void> {
    for (const task of [...this.#entries.keys()]) {
      const error = new CancelledError(
        `task ${task.id}`,
        reason === undefined ? undefined : { cause: reason },
      );
      if (options.kill === false) {
        // Left running on the cluster for a scheduler that fails over to this framework: settle here only.
        this.#byTaskId.delete(task.taskId);
        this.#settle(task, () => task[TASK_CONTROL].reject(error), "cancelled");
      } else {
        this.#cancel(task, error);
      }
    }
  }

  override attach(client: SchedulerClient): Subscription {
    this.#client = client;
    const subscription = super.attach(client);
    const timeout =
      this.#options.callTimeoutMs === undefined ? {} : { timeoutMs: this.#options.callTimeoutMs };
    subscription.add(
      this.#offers
        .pipe(
          packWith(this.pending$, {
            placer: this.#placer,
            holdMs: this.#options.offerHoldMs ?? 1000,
            rescinds$: client.rescinds$,
            onInvalid: (task, error) => this.#settle(task, () => task[TASK_CONTROL].reject(error), "failed"),
            onError: (error) => this.reportError("placement", error),
          }),
          launchOn(client, {
            ...timeout,
            onFailure: (outcome) => {
              this.logger.warn(
                `satyr: launch on offer ${outcome.offer.id} failed: ${outcome.error?.message}`,
              );
              this.#changed();
            },
          }),
          declineRest(client, {
            refuseSeconds: this.#options.refuseSeconds ?? 5,
            ...timeout,
            onError: (error) => this.logger.debug(`satyr: decline failed: ${error.message}`),
          }),
          // An error that escapes a step (a throwing client or hook) must not end placement for every later
          // task: report it, give back the offers that round held, and start the pipeline again.
          retry({
            delay: (error: unknown) => {
              this.reportError("offer pipeline", error);
              this.#releaseHeldOffers(client);
              // At once (of emits synchronously): an offer arriving meanwhile must find the pipeline listening.
              return of(0);
            },
          }),
        )
        .subscribe({
          next: (outcome) => {
            this.#heldOffers.delete(outcome.offer.id);
            this.#changed();
          },
        }),
    );
    subscription.add(
      client.rescinds$.subscribe((id) => {
        this.#heldOffers.delete(id.value);
      }),
    );
    subscription.add(() => {
      if (this.#reviveTimer !== undefined) clearTimeout(this.#reviveTimer);
      this.#reviveTimer = undefined;
      if (this.#suppressTimer !== undefined) clearTimeout(this.#suppressTimer);
      this.#suppressTimer = undefined;
      this.#heldOffers.clear();
      if (this.#patienceTimer !== undefined) clearInterval(this.#patienceTimer);
      this.#patienceTimer = undefined;
      if (this.#client === client) this.#client = undefined;
    });
    return subscription;
  }

  /**
   * After a pipeline failure: returns tasks of the failed round to the queue and declines every offer the
   * pipeline holds, so their resources are offered again.
   */
  #releaseHeldOffers(client: SchedulerClient): void {
    // Tasks placed in the failed round never reached the master: they wait for the next offers.
    for (const task of this.#entries.keys()) {
      if (task.state === "launching") task[TASK_CONTROL].setPhase("pending");
    }
    const held = [...this.#heldOffers];
    this.#heldOffers.clear();
    if (held.length === 0) return;
    client.decline(held).catch((error: unknown) => this.reportError("decline", error));
    this.#changed();
  }

  override onSubscribed(_client: SchedulerClient, _info: SubscribedInfo): void | Promise<void> {
    // A (re)SUBSCRIBE without suppressed roles starts unsuppressed; the client reconciles known tasks itself.
    this.#suppressed = false;
    this.#changed();
  }

  /**
   * The framework failed for good (removed, refused): nothing will run any more, so every task settles with the
   * error rather than waiting forever. Subclasses overriding this should call `super`.
   */
  override onError(_client: SchedulerClient, error: Error): void | Promise<void> {
    for (const task of [...this.#entries.keys()]) {
      this.#byTaskId.delete(task.taskId);
      this.#settle(task, () => task[TASK_CONTROL].reject(error), "failed");
    }
  }

  override onOffers(client: SchedulerClient, offers: Offer[]): void | Promise<void> {
    for (const offer of offers) {
      let vector: Record<string, number>;
      try {
        vector = offer.resources.toVector();
      } catch (cause) {
        // An offer this code cannot read must still go back, or the resources stay held by this framework.
        this.reportError("onOffers", cause);
        client.decline([offer.id]).catch((error: unknown) => this.reportError("decline", error));
        continue;
      }
      const known = this.#agents.get(offer.agentId);
      const max = known?.max ?? {};
      for (const [name, amount] of Object.entries(vector)) max[name] = Math.max(max[name] ?? 0, amount);
      this.#agents.set(offer.agentId, { max, offer });
      this.#heldOffers.add(offer.id);
      this.#offers.next(offer);
    }
  }

  override onUpdate(_client: SchedulerClient, status: TaskStatus, _update: TaskUpdate): void | Promise<void> {
    const id = status.taskId?.value ?? "";
    const task = this.#byTaskId.get(id);
    if (task === undefined) {
      this.logger.debug(`satyr: update for unknown task ${id}`);
      return;
    }
    task[TASK_CONTROL].recordStatus(status);
    // The task's own hook runs before the task settles; it stays synchronous unless the hook is async.
    let hook: void | Promise<void>;
    try {
      hook = task.onUpdate(status);
    } catch (cause) {
      this.reportError("task.onUpdate", cause);
      hook = undefined;
    }
    if (hook !== undefined && typeof (hook as Promise<void>).then === "function") {
      return (hook as Promise<void>).then(
        () => this.#afterUpdate(task, id, status),
        (cause: unknown) => {
          this.reportError("task.onUpdate", cause);
          this.#afterUpdate(task, id, status);
        },
      );
    }
    this.#afterUpdate(task, id, status);
  }

  #afterUpdate(task: Task<unknown>, id: string, status: TaskStatus): void {
    const control = task[TASK_CONTROL];
    const entry = this.#entries.get(task);
    if (entry !== undefined && entry.cancelled !== undefined && !isTerminalState(status.state)) {
      // A cancelled task reported running (its launch raced the cancel): kill it again.
      this.#sendKill(task);
    }
    // Non-terminal updates change nothing the queue tracks beyond the phase (see #onPhase).
    if (!isTerminalState(status.state) && status.state !== TaskState.TASK_UNKNOWN) return;
    this.#byTaskId.delete(id);
    if (entry === undefined) return;
    if (entry.cancelled !== undefined) {
      this.#settle(task, () => control.reject(entry.cancelled as Error), "cancelled");
      return;
    }
    let settlement: ReturnType<Task<unknown>["settle"]>;
    try {
      settlement = task.settle(status, control.killRequested);
    } catch (error) {
      settlement = { kind: "reject", error: error instanceof Error ? error : new Error(String(error)) };
    }
    if (settlement.kind === "resolve") {
      const value = settlement.value;
      this.#settle(task, () => control.resolve(value), "finished");
    } else if (settlement.kind === "reject") {
      const error = settlement.error;
      this.#settle(task, () => control.reject(error), "failed");
    } else if (task.attempts < task.maxAttempts) {
      this.logger.info(
        `satyr: retrying task ${task.id} (attempt ${task.attempts + 1}/${task.maxAttempts}): ${settlement.reason}`,
      );
      control.beginAttempt();
      this.#byTaskId.set(task.taskId, task);
      entry.pendingSince = Date.now();
      this.#totals.retried++;
      this.#changed();
    } else {
      const error = task.failure(status, `gave up after ${task.attempts} attempts: `);
      this.#settle(task, () => control.reject(error), "failed");
    }
  }

  #cancel(task: Task<unknown>, error: Error): void {
    const entry = this.#entries.get(task);
    if (entry === undefined || entry.cancelled !== undefined) return;
    entry.cancelled = error;
    const control = task[TASK_CONTROL];
    control.reject(error);
    if (task.state === "pending") {
      this.#byTaskId.delete(task.taskId);
      this.#settle(task, () => undefined, "cancelled");
      return;
    }
    this.#sendKill(task);
    this.#changed();
  }

  #sendKill(task: Task<unknown>): void {
    const control = task[TASK_CONTROL];
    control.killRequested = true;
    const client = this.#client;
    if (client === undefined) return;
    const agentId = task.agentId;
    const options = {
      ...(agentId === undefined ? {} : { agentId }),
      ...(task.killGracePeriodMs === undefined ? {} : { gracePeriodMs: task.killGracePeriodMs }),
      ...(this.#options.callTimeoutMs === undefined ? {} : { timeoutMs: this.#options.callTimeoutMs }),
    };
    client.kill(task.taskId, options).catch((cause: unknown) => this.reportError("kill", cause));
  }

  /** Keeps the pending set and the launched counts in step with a task's phase. */
  #onPhase(entry: Entry, phase: TaskPhase): void {
    const previous = entry.phase;
    if (previous === phase || !this.#entries.has(entry.task)) return;
    entry.phase = phase;
    if (LAUNCHED.has(previous)) this.#launchedCount--;
    if (LAUNCHED.has(phase)) this.#launchedCount++;
    if (previous === "launching") this.#launchingCount--;
    if (phase === "launching") this.#launchingCount++;
    if (previous === "pending") this.#waiting.delete(entry.task);
    if (phase === "pending") this.#waiting.add(entry.task);
    if (previous === "pending" || phase === "pending") this.#pendingDirty = true;
    if (previous === "pending" || phase === "pending" || LAUNCHED.has(previous) !== LAUNCHED.has(phase)) {
      this.#changed();
    }
  }

  /** Settles a task and forgets it. */
  #settle(task: Task<unknown>, settle: () => void, outcome: "finished" | "failed" | "cancelled"): void {
    const entry = this.#entries.get(task);
    if (entry !== undefined) {
      // Leave the counts first: settling completes `state$` without another phase.
      if (LAUNCHED.has(entry.phase)) this.#launchedCount--;
      if (entry.phase === "launching") this.#launchingCount--;
      if (this.#waiting.delete(task)) this.#pendingDirty = true;
      entry.phase = "finished";
    }
    settle();
    if (entry === undefined) return;
    this.#entries.delete(task);
    this.#byTaskId.delete(task.taskId);
    entry.cleanup?.();
    this.#totals[outcome]++;
    this.#changed();
  }

  /** Coalesces the work after any change: pending list, stats, offer interest, idleness, patience timer. */
  #changed(): void {
    if (this.#changeScheduled) return;
    this.#changeScheduled = true;
    queueMicrotask(() => {
      this.#changeScheduled = false;
      // The pending list is rebuilt only when it can have changed (it is O(pending)).
      const slots = this.#slots();
      let pending = this.#pending.value;
      if (this.#pendingDirty || slots !== this.#lastSlots) {
        this.#pendingDirty = false;
        this.#lastSlots = slots;
        pending = this.#pendingTasks(slots);
        this.#pending.next(pending);
      }
      this.#stats.next(this.#computeStats());
      this.#updateOfferInterest(pending.length > 0);
      this.#updatePatienceTimer();
      if (this.#entries.size === 0) for (const resolve of [...this.#idleWaiters]) resolve();
    });
  }

  /** How many more tasks may be launched now (Infinity without `maxConcurrency`). */
  #slots(): number {
    const limit = this.#options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    return Math.max(0, limit - this.#launchedCount);
  }

  #pendingTasks(slots: number): Task<unknown>[] {
    const pending: Task<unknown>[] = [];
    for (const task of this.#waiting) {
      if (pending.length >= slots) break;
      if (this.#entries.get(task)?.cancelled === undefined) pending.push(task);
    }
    return pending;
  }

  #computeStats(): QueueStats {
    return { ...this.#totals, pending: this.#waiting.size, running: this.#launchedCount };
  }

  /**
   * SUPPRESS when nothing waits; REVIVE when work waits and offers are suppressed, or when no offer is held (a
   * REVIVE also clears the refuse filters of earlier declines, which would otherwise delay the work by up to
   * `refuseSeconds`). Revivals of the second kind are at most one per `reviveIntervalMs`.
   */
  #updateOfferInterest(wanted: boolean): void {
    const client = this.#client;
    if (client === undefined || this.#interestCall !== undefined) return;
    if (wanted) this.#idleSince = undefined;
    if (!wanted && (this.#suppressed || this.#launchingCount > 0)) return;
    if (!wanted) {
      // Stay unsuppressed a little after the last task left: offers keep coming and are held, so the next
      // submit finds one instead of waiting for REVIVE and an allocation.
      const delay = this.#options.suppressAfterMs ?? this.#options.offerHoldMs ?? 1000;
      this.#idleSince ??= Date.now();
      const wait = this.#idleSince + delay - Date.now();
      if (wait > 0) {
        this.#suppressTimer ??= setTimeout(() => {
          this.#suppressTimer = undefined;
          this.#changed();
        }, wait);
        this.#suppressTimer.unref();
        return;
      }
    }
    if (wanted && !this.#suppressed) {
      if (this.#heldOffers.size > 0) return;
      const wait = this.#lastRevive + (this.#options.reviveIntervalMs ?? 1000) - Date.now();
      if (wait > 0) {
        this.#reviveTimer ??= setTimeout(() => {
          this.#reviveTimer = undefined;
          this.#changed();
        }, wait);
        this.#reviveTimer.unref();
        return;
      }
    }
    const timeout =
      this.#options.callTimeoutMs === undefined ? {} : { timeoutMs: this.#options.callTimeoutMs };
    if (wanted) this.#lastRevive = Date.now();
    this.#suppressed = !wanted;
    this.#interestCall = (wanted ? client.revive(timeout) : client.suppress(timeout))
      .catch((cause: unknown) => {
        this.#suppressed = wanted;
        this.logger.warn(`satyr: ${wanted ? "REVIVE" : "SUPPRESS"} failed: ${String(cause)}`);
      })
      .finally(() => {
        this.#interestCall = undefined;
        this.#changed();
      });
  }

  #updatePatienceTimer(): void {
    const anyPending = this.#waiting.size > 0;
    if (anyPending && this.#patienceTimer === undefined && this.#client !== undefined) {
      const patience = this.#options.unschedulableAfterMs ?? 30_000;
      this.#patienceTimer = setInterval(
        () => this.#checkUnschedulable(),
        Math.max(10, Math.min(1000, patience / 4)),
      );
      this.#patienceTimer.unref();
    } else if (!anyPending && this.#patienceTimer !== undefined) {
      clearInterval(this.#patienceTimer);
      this.#patienceTimer = undefined;
    }
  }

  #checkUnschedulable(): void {
    if (this.#agents.size === 0) return;
    const patience = this.#options.unschedulableAfterMs ?? 30_000;
    const now = Date.now();
    for (const task of [...this.#waiting]) {
      const entry = this.#entries.get(task);
      if (entry === undefined || entry.cancelled !== undefined || now - entry.pendingSince < patience)
        continue;
      const demand = task.resources.toVector();
      const possible = [...this.#agents.values()].some(
        ({ max, offer }) => vectorFits(demand, max) && admits(task.constraints, offer),
      );
      if (possible) continue;
      const error = new UnschedulableTaskError(
        `task ${task.id} (${task.resources.toString()}) fits none of the ${this.#agents.size} agent(s) seen in ${patience} ms`,
        { taskId: task.id, demand, agentsSeen: this.#agents.size },
      );
      this.#byTaskId.delete(task.taskId);
      this.#settle(task, () => task[TASK_CONTROL].reject(error), "failed");
    }
  }
}
