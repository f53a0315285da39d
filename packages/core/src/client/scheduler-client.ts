import { clone, create } from "@bufbuild/protobuf";
import {
  AgentIDSchema,
  type ApiCodecs,
  FrameworkIDSchema,
  FrameworkInfoSchema,
  type Offer,
  type Offer_Operation,
  Offer_Operation_Type,
  Offer_OperationSchema,
  type OfferID,
  type Request,
  readRecords,
  scheduler,
  schedulerCodecs,
  type TaskInfo,
  TaskInfoSchema,
  type TaskStatus,
} from "@satyr/proto";
import { BehaviorSubject, defer, type Observable, Subject, type Subscription } from "rxjs";
import { AuthenticationError } from "../errors/authentication-error.js";
import { CallError } from "../errors/call-error.js";
import { ConnectionError } from "../errors/connection-error.js";
import { InvalidOfferError } from "../errors/invalid-offer-error.js";
import { InvalidOptionsError } from "../errors/invalid-options-error.js";
import { MasterError } from "../errors/master-error.js";
import { Backoff } from "./backoff.js";
import { type CallOptions, CancelScope, sleep, withDeadline } from "./call-options.js";
import type { NormalizedOptions } from "./connect-options.js";
import type { ConnectionState } from "./connection-state.js";
import { type HttpResponse, HttpTransport } from "./http-transport.js";
import type { Leader } from "./leader.js";
import { masterBaseUrl, resolveRedirect } from "./master-address.js";
import { Reconciler, type ReconcileTask } from "./reconciler.js";
import { TaskTracker } from "./task-tracker.js";
import type { TaskUpdate } from "./task-update.js";
import { zookeeperLeaders } from "./zookeeper-detector.js";

/**
 * Offer filters for ACCEPT/DECLINE: how long the master should not re-offer the unused resources (Mesos's
 * default is 5 s).
 *
 * @example
 * ```ts
 * await client.decline([offerId], { filters: { refuseSeconds: 3600 } });
 * ```
 */
export interface OfferFilterOptions {
  readonly filters?: { readonly refuseSeconds?: number };
}

/** One live subscription: where calls go and what they carry. */
interface Session {
  readonly generation: number;
  readonly endpoint: URL;
  readonly streamId: string;
  readonly frameworkId: string;
  readonly abort: AbortController;
}

type AttemptOutcome =
  | {
      readonly fatal: false;
      readonly reason: string;
      readonly error?: Error;
      readonly immediate: boolean;
      readonly subscribed: boolean;
    }
  | { readonly fatal: true; readonly error: Error };

/** Why a call is retried across subscriptions or not. */
interface CallPolicy {
  /** Safe to resend on a later subscription (nothing in it is tied to the current stream). */
  readonly retryAcrossSubscriptions: boolean;
}

const OK_STATUSES = new Set([200, 202]);
const RETRY_STATUSES = new Set([404, 500, 502, 503, 504]);

/**
 * A reliable, reactive connection to the leading Mesos master for one framework: the event stream as RxJS
 * Observables, calls as Promises. It subscribes (following redirects, or the leader in ZooKeeper), watches
 * heartbeats, resubscribes with the same framework id after any break, reconciles after every SUBSCRIBED,
 * voids offers on disconnect and acknowledges updates that carry a uuid. Create it with {@link connect}.
 *
 * The streams are views of the client's one connection: subscribing to any of them starts it (as
 * {@link SchedulerClient.start} does), unsubscribing does not stop it; {@link SchedulerClient.close} does, and
 * completes them.
 *
 * @example
 * ```ts
 * await using client = connect({ master: "http://127.0.0.1:5050", framework: { name: "fw" } });
 * client.offers$.subscribe((offer) => client.decline([offer.id!.value]));
 * client.updates$.subscribe((update) => console.log(update.status.state));
 * ```
 */
export class SchedulerClient implements AsyncDisposable {
  /** The connection state; replays the current one to each new subscriber. */
  readonly state$: Observable<ConnectionState>;
  /** Every event the master sends, HEARTBEAT included, in order. */
  readonly events$: Observable<scheduler.Event>;
  /** One emission per offer. */
  readonly offers$: Observable<Offer>;
  /** Offers withdrawn: by the master (RESCIND), and every outstanding offer when the connection drops. */
  readonly rescinds$: Observable<OfferID>;
  /** Task status updates, each with its acknowledge(). */
  readonly updates$: Observable<TaskUpdate>;
  readonly messages$: Observable<scheduler.Event_Message>;
  readonly failures$: Observable<scheduler.Event_Failure>;
  /** Problems that do not stop the client: failed automatic acknowledgements, unanswered reconciliation, ZooKeeper trouble. */
  readonly problems$: Observable<Error>;

  readonly #options: NormalizedOptions;
  readonly #codecs: ApiCodecs<scheduler.Call, scheduler.Event>;
  readonly #transport: HttpTransport;
  readonly #state: BehaviorSubject<ConnectionState>;
  readonly #events = new Subject<scheduler.Event>();
  readonly #offerEvents = new Subject<Offer>();
  readonly #rescinds = new Subject<OfferID>();
  readonly #updates = new Subject<TaskUpdate>();
  readonly #messages = new Subject<scheduler.Event_Message>();
  readonly #failures = new Subject<scheduler.Event_Failure>();
  readonly #problems = new Subject<Error>();
  readonly #closing = new AbortController();
  /** Every call in flight, cancelled together on close. */
  readonly #calls = new CancelScope();
  readonly #tracker = new TaskTracker();
  readonly #offers = new Map<string, Offer>();
  readonly #reconciler: Reconciler;

  #frameworkId: string | undefined;
  #loop: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #session: Session | undefined;
  #generation = 0;
  #attemptAbort: AbortController | undefined;
  /** The ZooKeeper leader the current attempt was aimed at. */
  #attemptLeader: string | undefined;
  #staticIndex = 0;
  #redirected: URL | undefined;
  #leader: Leader | undefined;
  #leaderWaiters = new Set<() => void>();
  #detector: Subscription | undefined;
  #pendingUpdates = 0;
  #gateWaiters = new Set<() => void>();

  /** @internal Use {@link connect}. */
  constructor(options: NormalizedOptions) {
    this.#options = options;
    this.#codecs = schedulerCodecs(options.codec);
    this.#transport = new HttpTransport({ ...options, contentType: this.#codecs.contentType });
    this.#frameworkId = options.frameworkInfo.id?.value;
    this.#state = new BehaviorSubject<ConnectionState>({ kind: "disconnected", reason: "not started" });
    this.#reconciler = new Reconciler(
      this.#tracker,
      (tasks, signal) => this.reconcile(tasks, { signal }),
      options.reconcile,
      (error) => this.#problems.next(error),
    );
    const started = <T>(source: Observable<T>): Observable<T> =>
      defer(() => {
        this.start();
        return source;
      });
    this.state$ = started(this.#state.asObservable());
    this.events$ = started(this.#events.asObservable());
    this.offers$ = started(this.#offerEvents.asObservable());
    this.rescinds$ = started(this.#rescinds.asObservable());
    this.updates$ = started(this.#updates.asObservable());
    this.messages$ = started(this.#messages.asObservable());
    this.failures$ = started(this.#failures.asObservable());
    this.problems$ = this.#problems.asObservable();
  }

  /**
   * The framework id: the one given, or the one the master assigned at the first SUBSCRIBED. Persist it to fail
   * over to the same framework after a restart.
   * @example
   * ```ts
   * client.state$.subscribe((s) => s.kind === "subscribed" && save(client.frameworkId));
   * ```
   */
  get frameworkId(): string | undefined {
    return this.#frameworkId;
  }

  /**
   * The current connection state (what `state$` would replay).
   * @example
   * ```ts
   * if (client.state.kind === "failed") console.error(client.state.error);
   * ```
   */
  get state(): ConnectionState {
    return this.#state.value;
  }

  /**
   * Starts connecting (idempotent; a no-op once closed). Subscribing to any stream or making a call does too.
   * @example
   * ```ts
   * const client = connect(options);
   * client.start();
   * ```
   */
  start(): void {
    if (this.#loop !== undefined || this.#closing.signal.aborted) return;
    if (this.#options.master.kind === "zookeeper") this.#watchZookeeper(this.#options.master);
    this.#loop = this.#run();
  }

  /**
   * ACCEPT: applies operations to offers. The offers are spent whatever the outcome; tasks launched are tracked
   * for reconciliation.
   * @throws {@link InvalidOfferError} (before sending) if an offer is no longer held.
   * @example
   * ```ts
   * const reserve = create(Offer_OperationSchema, { type: Offer_Operation_Type.RESERVE, reserve: { resources } });
   * await client.accept([offer.id!.value], [reserve], { filters: { refuseSeconds: 30 } });
   * ```
   */
  accept(
    offerIds: readonly string[],
    operations: readonly Offer_Operation[],
    options: CallOptions & OfferFilterOptions = {},
  ): Promise<void> {
    return this.#guard(async () => {
      this.#spendOffers(offerIds);
      const launched: string[] = [];
      for (const operation of operations) {
        const tasks =
          operation.type === Offer_Operation_Type.LAUNCH
            ? (operation.launch?.taskInfos ?? [])
            : operation.type === Offer_Operation_Type.LAUNCH_GROUP
              ? (operation.launchGroup?.taskGroup?.tasks ?? [])
              : [];
        for (const task of tasks) {
          const taskId = task.taskId?.value;
          if (taskId === undefined) continue;
          this.#tracker.launched(taskId, task.agentId?.value);
          launched.push(taskId);
        }
      }
      try {
        await this.#call(
          "ACCEPT",
          (c) => {
            c.type = scheduler.Call_Type.ACCEPT;
            c.accept = create(scheduler.Call_AcceptSchema, {
              offerIds: offerIds.map((value) => ({ value })),
              operations: [...operations],
              ...filtersOf(options),
            });
          },
          options,
          { retryAcrossSubscriptions: false },
        );
      } catch (error) {
        // A definite refusal means nothing was launched; anything else is left to reconciliation to settle.
        if (error instanceof CallError && error.status >= 400 && error.status < 500) {
          for (const taskId of launched) this.#tracker.forget(taskId);
        }
        throw error;
      }
    });
  }

  /**
   * ACCEPT with one LAUNCH operation. Tasks without an agent id get the offer's.
   * @throws {@link InvalidOfferError} (before sending) if an offer is no longer held.
   * @example
   * ```ts
   * const task = create(TaskInfoSchema, { name: "hello", taskId: { value: "hello-1" }, resources, command: { value: "echo hi" } });
   * await client.launch([offer.id!.value], [task]);
   * ```
   */
  launch(
    offerIds: readonly string[],
    tasks: readonly TaskInfo[],
    options: CallOptions & OfferFilterOptions = {},
  ): Promise<void> {
    return this.#guard(() => {
      const agentId = offerIds.map((id) => this.#offers.get(id)?.agentId).find((a) => a !== undefined);
      const taskInfos = tasks.map((task) => {
        if (task.agentId !== undefined || agentId === undefined) return task;
        const copy = clone(TaskInfoSchema, task);
        copy.agentId = clone(AgentIDSchema, agentId);
        return copy;
      });
      return this.accept(
        offerIds,
        [create(Offer_OperationSchema, { type: Offer_Operation_Type.LAUNCH, launch: { taskInfos } })],
        options,
      );
    });
  }

  /**
   * DECLINE. Offers this client no longer holds (rescinded, voided by a reconnection, already used) are already
   * gone on the master, so they are left out; when none is left nothing is sent.
   * @example
   * ```ts
   * await client.decline([offer.id!.value], { filters: { refuseSeconds: 3600 } });
   * ```
   */
  decline(offerIds: readonly string[], options: CallOptions & OfferFilterOptions = {}): Promise<void> {
    return this.#guard(async () => {
      const held = offerIds.filter((id) => this.#offers.delete(id));
      if (held.length === 0) return;
      await this.#call(
        "DECLINE",
        (c) => {
          c.type = scheduler.Call_Type.DECLINE;
          c.decline = create(scheduler.Call_DeclineSchema, {
            offerIds: held.map((value) => ({ value })),
            ...filtersOf(options),
          });
        },
        options,
        { retryAcrossSubscriptions: false },
      );
    });
  }

  /**
   * KILL a task; the agent id defaults to the one last seen for it. The outcome arrives as an update.
   * @example
   * ```ts
   * await client.kill("task-1", { gracePeriodMs: 5000 });
   * ```
   */
  kill(
    taskId: string,
    options: CallOptions & { agentId?: string; gracePeriodMs?: number } = {},
  ): Promise<void> {
    return this.#guard(() => {
      requireId("taskId", taskId);
      const agentId = options.agentId ?? this.#tracker.get(taskId)?.agentId;
      const grace = options.gracePeriodMs;
      if (grace !== undefined && !(grace >= 0 && Number.isFinite(grace))) {
        throw new InvalidOptionsError("gracePeriodMs", `must be a finite number ≥ 0, got ${grace}`);
      }
      return this.#call(
        "KILL",
        (c) => {
          c.type = scheduler.Call_Type.KILL;
          c.kill = create(scheduler.Call_KillSchema, {
            taskId: { value: taskId },
            ...(agentId === undefined ? {} : { agentId: { value: agentId } }),
            ...(grace === undefined
              ? {}
              : { killPolicy: { gracePeriod: { nanoseconds: BigInt(Math.round(grace)) * 1_000_000n } } }),
          });
        },
        options,
        { retryAcrossSubscriptions: true },
      );
    });
  }

  /**
   * SHUTDOWN an executor (its tasks are killed).
   * @example
   * ```ts
   * await client.shutdown("executor-1", "agent-1");
   * ```
   */
  shutdown(executorId: string, agentId: string, options: CallOptions = {}): Promise<void> {
    return this.#guard(() => {
      requireId("executorId", executorId);
      requireId("agentId", agentId);
      return this.#call(
        "SHUTDOWN",
        (c) => {
          c.type = scheduler.Call_Type.SHUTDOWN;
          c.shutdown = create(scheduler.Call_ShutdownSchema, {
            executorId: { value: executorId },
            agentId: { value: agentId },
          });
        },
        options,
        { retryAcrossSubscriptions: true },
      );
    });
  }

  /**
   * ACKNOWLEDGE a status update. Retried across reconnections until the timeout (an ack is idempotent).
   * @throws {@link InvalidOptionsError} (nothing sent) when the status has no uuid: such updates must not be acknowledged.
   * @example
   * ```ts
   * if (status.uuid.length > 0) await client.acknowledge(status);
   * ```
   */
  acknowledge(status: TaskStatus, options: CallOptions = {}): Promise<void> {
    return this.#guard(() => {
      const taskId = status.taskId?.value;
      const agentId = status.agentId?.value;
      if (status.uuid.length === 0) {
        throw new InvalidOptionsError(
          "status.uuid",
          "is absent: updates without a uuid must not be acknowledged",
        );
      }
      if (taskId === undefined || agentId === undefined) {
        throw new InvalidOptionsError("status", "needs task_id and agent_id to be acknowledged");
      }
      return this.#call(
        "ACKNOWLEDGE",
        (c) => {
          c.type = scheduler.Call_Type.ACKNOWLEDGE;
          c.acknowledge = create(scheduler.Call_AcknowledgeSchema, {
            taskId: { value: taskId },
            agentId: { value: agentId },
            uuid: status.uuid,
          });
        },
        options,
        { retryAcrossSubscriptions: true },
      );
    });
  }

  /**
   * RECONCILE: explicit for the tasks listed (agent ids default to the ones last seen), implicit for `[]`. The
   * client already does this after every SUBSCRIBED; answers arrive on `updates$` without a uuid.
   * @example
   * ```ts
   * await client.reconcile([{ taskId: "task-1" }]);
   * await client.reconcile([]); // every task the master knows
   * ```
   */
  reconcile(tasks: readonly ReconcileTask[], options: CallOptions = {}): Promise<void> {
    return this.#guard(() => {
      for (const [i, task] of tasks.entries()) requireId(`tasks[${i}].taskId`, task.taskId);
      return this.#call(
        "RECONCILE",
        (c) => {
          c.type = scheduler.Call_Type.RECONCILE;
          c.reconcile = create(scheduler.Call_ReconcileSchema, {
            tasks: tasks.map((task) => {
              const agentId = task.agentId ?? this.#tracker.get(task.taskId)?.agentId;
              return {
                taskId: { value: task.taskId },
                ...(agentId === undefined ? {} : { agentId: { value: agentId } }),
              };
            }),
          });
        },
        options,
        { retryAcrossSubscriptions: true },
      );
    });
  }

  /**
   * REVIVE offers for the roles (all when none given), clearing offer filters.
   * @example
   * ```ts
   * await client.revive({ roles: ["batch"] });
   * ```
   */
  revive(options: CallOptions & { roles?: readonly string[] } = {}): Promise<void> {
    return this.#guard(() =>
      this.#call(
        "REVIVE",
        (c) => {
          c.type = scheduler.Call_Type.REVIVE;
          c.revive = create(scheduler.Call_ReviveSchema, { roles: [...(options.roles ?? [])] });
        },
        options,
        { retryAcrossSubscriptions: true },
      ),
    );
  }

  /**
   * SUPPRESS offers for the roles (all when none given), e.g. when nothing is pending.
   * @example
   * ```ts
   * await client.suppress();
   * ```
   */
  suppress(options: CallOptions & { roles?: readonly string[] } = {}): Promise<void> {
    return this.#guard(() =>
      this.#call(
        "SUPPRESS",
        (c) => {
          c.type = scheduler.Call_Type.SUPPRESS;
          c.suppress = create(scheduler.Call_SuppressSchema, { roles: [...(options.roles ?? [])] });
        },
        options,
        { retryAcrossSubscriptions: true },
      ),
    );
  }

  /**
   * MESSAGE to an executor (best effort, as in Mesos).
   * @example
   * ```ts
   * await client.message("agent-1", "executor-1", new TextEncoder().encode("ping"));
   * ```
   */
  message(agentId: string, executorId: string, data: Uint8Array, options: CallOptions = {}): Promise<void> {
    return this.#guard(() => {
      requireId("agentId", agentId);
      requireId("executorId", executorId);
      return this.#call(
        "MESSAGE",
        (c) => {
          c.type = scheduler.Call_Type.MESSAGE;
          c.message = create(scheduler.Call_MessageSchema, {
            agentId: { value: agentId },
            executorId: { value: executorId },
            data,
          });
        },
        options,
        { retryAcrossSubscriptions: true },
      );
    });
  }

  /**
   * REQUEST resources (the built-in allocator ignores it; custom allocators may not).
   * @example
   * ```ts
   * await client.request([create(RequestSchema, { resources })]);
   * ```
   */
  request(requests: readonly Request[], options: CallOptions = {}): Promise<void> {
    return this.#guard(() =>
      this.#call(
        "REQUEST",
        (c) => {
          c.type = scheduler.Call_Type.REQUEST;
          c.request = create(scheduler.Call_RequestSchema, { requests: [...requests] });
        },
        options,
        { retryAcrossSubscriptions: true },
      ),
    );
  }

  /**
   * TEARDOWN: the master kills every task and forgets the framework; then the client closes.
   * @example
   * ```ts
   * await client.teardown();
   * ```
   */
  async teardown(options: CallOptions = {}): Promise<void> {
    await this.#guard(() =>
      this.#call(
        "TEARDOWN",
        (c) => {
          c.type = scheduler.Call_Type.TEARDOWN;
        },
        options,
        { retryAcrossSubscriptions: true },
      ),
    );
    await this.close();
  }

  /**
   * Ends the stream without TEARDOWN: the master keeps the framework for its failover timeout, so another
   * client can take it over with the same id. Completes every stream; pending calls reject.
   * @example
   * ```ts
   * await client.close(); // or `await using client = connect(...)`
   * ```
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const closed = new ConnectionError("closed", "the client was closed");
      this.#closing.abort(closed);
      this.#calls.cancel(closed);
      this.#detector?.unsubscribe();
      for (const wake of this.#leaderWaiters) wake();
      for (const wake of this.#gateWaiters) wake();
      await this.#loop;
      this.#reconciler.stop();
      this.#state.next({ kind: "closed" });
      this.#state.complete();
      for (const subject of [
        this.#events,
        this.#offerEvents,
        this.#rescinds,
        this.#updates,
        this.#messages,
        this.#failures,
        this.#problems,
      ] as Subject<unknown>[]) {
        subject.complete();
      }
      await this.#transport.close();
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- connection loop ---------------------------------------------------------------------------------------

  async #run(): Promise<void> {
    const backoff = new Backoff(this.#options.backoff);
    let attempt = 0;
    while (!this.#closing.signal.aborted) {
      attempt++;
      this.#setState({ kind: "connecting", attempt });
      const outcome = await this.#attempt();
      this.#endSession();
      if (this.#closing.signal.aborted) return;
      if (outcome.fatal) {
        this.#setState({ kind: "failed", error: outcome.error });
        return;
      }
      if (outcome.subscribed) {
        backoff.reset();
        attempt = 0;
      }
      this.#setState(
        outcome.error === undefined
          ? { kind: "disconnected", reason: outcome.reason }
          : { kind: "disconnected", reason: outcome.reason, error: outcome.error },
      );
      if (!outcome.immediate) await sleep(backoff.next(), this.#closing.signal);
    }
  }

  async #attempt(): Promise<AttemptOutcome> {
    const abort = new AbortController();
    this.#attemptAbort = abort;
    const onClose = () => abort.abort(this.#closing.signal.reason);
    this.#closing.signal.addEventListener("abort", onClose, { once: true });
    let subscribed = false;
    let timer: NodeJS.Timeout | undefined;
    let endpoint: URL | undefined;
    // Every event pushes the deadline back; the timer is only re-created when it fires before the deadline or
    // must fire sooner, not per event (a busy stream carries thousands of events a second).
    let deadline = 0;
    let firesAt = 0;
    let expired: () => ConnectionError = () => new ConnectionError("stream-ended", "deadline passed");
    const check = () => {
      const left = deadline - performance.now();
      if (left > 0) {
        firesAt = deadline;
        timer = setTimeout(check, left);
      } else {
        timer = undefined;
        abort.abort(expired());
      }
    };
    const arm = (ms: number, error: () => ConnectionError) => {
      deadline = performance.now() + ms;
      expired = error;
      if (timer !== undefined && firesAt <= deadline) return;
      clearTimeout(timer);
      firesAt = deadline;
      timer = setTimeout(check, ms);
    };
    const disarm = () => {
      clearTimeout(timer);
      timer = undefined;
    };
    const retry = (reason: string, error?: Error, immediate = false): AttemptOutcome =>
      error === undefined
        ? { fatal: false, reason, immediate, subscribed }
        : { fatal: false, reason, error, immediate, subscribed };
    try {
      endpoint = await this.#nextEndpoint(abort.signal);
      if (endpoint === undefined) return retry("closed");
      const subscribeMs = this.#options.subscribeTimeoutMs;
      arm(
        subscribeMs,
        () =>
          new ConnectionError(
            "unreachable",
            `no SUBSCRIBED from ${endpoint} within ${subscribeMs} ms`,
            endpoint?.href,
          ),
      );
      let response: HttpResponse | undefined;
      for (let hops = 0; ; hops++) {
        try {
          response = await this.#transport.subscribe(
            endpoint,
            this.#subscribeBody(),
            abort.signal,
            subscribeMs,
          );
        } catch (cause) {
          if (abort.signal.aborted) throw cause;
          this.#advanceEndpoint();
          const error = new ConnectionError(
            "unreachable",
            `cannot reach ${endpoint.href}: ${describe(cause)}`,
            endpoint.href,
            { cause },
          );
          return retry(error.message, error);
        }
        if (response.status === 307) {
          const location = response.header("location");
          await response.discard();
          if (location === undefined) {
            const error = new ConnectionError(
              "protocol",
              `307 from ${endpoint.href} without a Location`,
              endpoint.href,
            );
            return retry(error.message, error);
          }
          if (hops >= this.#options.maxRedirects) {
            this.#redirected = undefined;
            const error = new ConnectionError(
              "redirect-loop",
              `more than ${this.#options.maxRedirects} redirects, last to ${location}`,
              endpoint.href,
            );
            return retry(error.message, error);
          }
          endpoint = resolveRedirect(location, endpoint);
          if (this.#options.master.kind === "urls") this.#redirected = endpoint;
          continue;
        }
        break;
      }
      if (response.status !== 200) {
        const body = await response.text().catch(() => "");
        if (response.status === 401 || response.status === 403) {
          return { fatal: true, error: new AuthenticationError(response.status, endpoint.href, body.trim()) };
        }
        if (RETRY_STATUSES.has(response.status)) {
          this.#advanceEndpoint();
          const error = new ConnectionError(
            "unavailable",
            `${endpoint.href} answered ${response.status}${body ? `: ${body.trim()}` : ""}`,
            endpoint.href,
          );
          return retry(error.message, error);
        }
        return { fatal: true, error: new CallError("SUBSCRIBE", response.status, body, endpoint.href) };
      }
      const contentType = response.header("content-type");
      const streamId = response.header("mesos-stream-id");
      if (contentType !== this.#codecs.contentType || streamId === undefined || streamId === "") {
        await response.discard();
        const error = new ConnectionError(
          "protocol",
          `${endpoint.href} answered SUBSCRIBE with ${contentType ?? "no content type"}${streamId ? "" : " and no Mesos-Stream-Id"}: not a Mesos master?`,
          endpoint.href,
        );
        return retry(error.message, error);
      }
      for await (const record of readRecords(response.body, {
        maxRecordBytes: this.#options.maxEventBytes,
      })) {
        const event = this.#codecs.event.decode(record);
        if (!subscribed) {
          if (event.type === scheduler.Event_Type.ERROR) {
            return { fatal: true, error: new MasterError(event.error?.message ?? "") };
          }
          if (event.type !== scheduler.Event_Type.SUBSCRIBED || event.subscribed?.frameworkId === undefined) {
            const error = new ConnectionError(
              "protocol",
              `first event from ${endpoint.href} was ${scheduler.Event_Type[event.type]}, not SUBSCRIBED`,
              endpoint.href,
            );
            return retry(error.message, error);
          }
          subscribed = true;
          const interval =
            event.subscribed.heartbeatIntervalSeconds > 0 ? event.subscribed.heartbeatIntervalSeconds : 15;
          const silenceMs = interval * 1000 * this.#options.heartbeatTolerance;
          const silent = () =>
            new ConnectionError(
              "heartbeat-timeout",
              `no event from ${endpoint?.href} for ${silenceMs} ms (${this.#options.heartbeatTolerance} heartbeat intervals)`,
              endpoint?.href,
            );
          arm(silenceMs, silent);
          this.#beginSession(endpoint, streamId, event.subscribed.frameworkId.value, abort, interval);
          this.#events.next(event);
          // From here on every event proves the connection alive.
          this.#rearm = () => arm(silenceMs, silent);
          continue;
        }
        this.#rearm?.();
        if (event.type === scheduler.Event_Type.ERROR) {
          return { fatal: true, error: new MasterError(event.error?.message ?? "") };
        }
        const gate = this.#dispatch(event);
        if (gate !== undefined) {
          // Not reading is our choice, not the master's silence: hold the watchdog until the consumer catches up.
          disarm();
          await gate;
          if (abort.signal.aborted) throw abort.signal.reason;
          this.#rearm?.();
        }
      }
      const error = new ConnectionError(
        "stream-ended",
        `${endpoint.href} ended the event stream`,
        endpoint.href,
      );
      return retry(error.message, error);
    } catch (cause) {
      const reason: unknown = abort.signal.aborted ? abort.signal.reason : cause;
      if (this.#closing.signal.aborted) return retry("closed");
      if (reason instanceof ConnectionError) {
        return retry(reason.message, reason, reason.code === "leader-changed");
      }
      if (abort.signal.aborted)
        return { fatal: true, error: reason instanceof Error ? reason : new Error(String(reason)) };
      const error = new ConnectionError(
        "stream-ended",
        `event stream from ${endpoint?.href ?? "master"} broke: ${describe(cause)}`,
        endpoint?.href,
        { cause },
      );
      return retry(error.message, error);
    } finally {
      clearTimeout(timer);
      this.#rearm = undefined;
      this.#closing.signal.removeEventListener("abort", onClose);
      if (!abort.signal.aborted) abort.abort(new ConnectionError("stream-ended", "attempt finished"));
      if (this.#attemptAbort === abort) this.#attemptAbort = undefined;
    }
  }

  #rearm: (() => void) | undefined;

  #subscribeBody(): Uint8Array {
    const frameworkInfo = clone(FrameworkInfoSchema, this.#options.frameworkInfo);
    const call = create(scheduler.CallSchema, { type: scheduler.Call_Type.SUBSCRIBE });
    if (this.#frameworkId !== undefined) {
      // A resubscription carries the id both at the top level and in framework_info, or the master refuses it.
      call.frameworkId = create(FrameworkIDSchema, { value: this.#frameworkId });
      frameworkInfo.id = create(FrameworkIDSchema, { value: this.#frameworkId });
    }
    call.subscribe = create(scheduler.Call_SubscribeSchema, { frameworkInfo });
    return this.#codecs.call.encode(call);
  }

  #beginSession(
    endpoint: URL,
    streamId: string,
    frameworkId: string,
    abort: AbortController,
    interval: number,
  ): void {
    this.#frameworkId = frameworkId;
    this.#session = { generation: ++this.#generation, endpoint, streamId, frameworkId, abort };
    this.#setState({
      kind: "subscribed",
      frameworkId,
      master: masterBaseUrl(endpoint),
      heartbeatIntervalSeconds: interval,
    });
    this.#reconciler.start();
  }

  /** Offers die with the connection: withdraw them all, so consumers drop what they hold. */
  #endSession(): void {
    this.#session = undefined;
    this.#reconciler.stop();
    const voided = [...this.#offers.values()];
    this.#offers.clear();
    for (const offer of voided) {
      if (offer.id !== undefined) this.#rescinds.next(offer.id);
    }
  }

  /** Drops the subscription a call found stale (307, 403, unknown stream id), so the loop resubscribes. */
  #dropSession(session: Session, reason: string): void {
    if (this.#session !== session) return;
    session.abort.abort(new ConnectionError("stream-ended", reason, session.endpoint.href));
  }

  #setState(state: ConnectionState): void {
    if (this.#state.closed) return;
    this.#state.next(state);
  }

  // ---- leader detection --------------------------------------------------------------------------------------

  async #nextEndpoint(signal: AbortSignal): Promise<URL | undefined> {
    const master = this.#options.master;
    if (master.kind === "urls") {
      return this.#redirected ?? master.endpoints[this.#staticIndex % master.endpoints.length];
    }
    while (this.#leader === undefined && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#leaderWaiters.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        this.#leaderWaiters.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
    if (signal.aborted) {
      if (this.#closing.signal.aborted) return undefined;
      throw signal.reason;
    }
    this.#attemptLeader = this.#leader?.endpoint.href;
    return this.#leader?.endpoint;
  }

  #advanceEndpoint(): void {
    if (this.#redirected !== undefined) this.#redirected = undefined;
    else this.#staticIndex++;
  }

  #watchZookeeper(master: Extract<NormalizedOptions["master"], { kind: "zookeeper" }>): void {
    this.#detector = zookeeperLeaders({
      servers: master.servers,
      path: master.path,
      ...(master.digest === undefined ? {} : { digest: master.digest }),
      scheme: this.#options.scheme,
      sessionTimeoutMs: this.#options.zookeeperSessionTimeoutMs,
      onProblem: (error) => this.#problems.next(error),
    }).subscribe({
      next: (leader) => {
        this.#leader = leader;
        for (const wake of [...this.#leaderWaiters]) wake();
        const current = this.#attemptLeader;
        if (leader !== undefined && current !== undefined && leader.endpoint.href !== current) {
          this.#attemptAbort?.abort(
            new ConnectionError(
              "leader-changed",
              `leading master changed to ${leader.endpoint.href}`,
              leader.endpoint.href,
            ),
          );
        }
      },
      error: (error: unknown) => {
        this.#attemptAbort?.abort(error);
        this.#problems.next(error instanceof Error ? error : new Error(String(error)));
      },
    });
  }

  // ---- events ------------------------------------------------------------------------------------------------

  /** Fans one event out; returns a promise when the consumer must catch up before the next one is read. */
  #dispatch(event: scheduler.Event): Promise<void> | undefined {
    switch (event.type) {
      case scheduler.Event_Type.OFFERS: {
        const offers = event.offers?.offers ?? [];
        for (const offer of offers) if (offer.id !== undefined) this.#offers.set(offer.id.value, offer);
        this.#events.next(event);
        for (const offer of offers) this.#offerEvents.next(offer);
        return undefined;
      }
      case scheduler.Event_Type.RESCIND: {
        const offerId = event.rescind?.offerId;
        if (offerId !== undefined) this.#offers.delete(offerId.value);
        this.#events.next(event);
        if (offerId !== undefined) this.#rescinds.next(offerId);
        return undefined;
      }
      case scheduler.Event_Type.UPDATE: {
        const status = event.update?.status;
        this.#events.next(event);
        if (status === undefined) return undefined;
        this.#tracker.observe(status);
        const update = this.#makeUpdate(status);
        this.#updates.next(update);
        if (this.#options.acknowledge === "auto" && update.needsAcknowledgement) {
          update.acknowledge().catch((error: unknown) => {
            if (!this.#closing.signal.aborted) {
              this.#problems.next(
                new ConnectionError(
                  "stream-ended",
                  `acknowledging ${status.taskId?.value}: ${describe(error)}`,
                  undefined,
                  { cause: error },
                ),
              );
            }
          });
        }
        return this.#gate();
      }
      case scheduler.Event_Type.MESSAGE:
        this.#events.next(event);
        if (event.message !== undefined) this.#messages.next(event.message);
        return undefined;
      case scheduler.Event_Type.FAILURE:
        this.#events.next(event);
        if (event.failure !== undefined) this.#failures.next(event.failure);
        return undefined;
      default:
        this.#events.next(event);
        return undefined;
    }
  }

  #makeUpdate(status: TaskStatus): TaskUpdate {
    const needsAcknowledgement = status.uuid.length > 0;
    let sent: Promise<void> | undefined;
    if (needsAcknowledgement) this.#pendingUpdates++;
    return {
      status,
      needsAcknowledgement,
      acknowledge: () => {
        if (!needsAcknowledgement) return Promise.resolve();
        sent ??= this.acknowledge(status).finally(() => {
          this.#pendingUpdates--;
          if (this.#gateWaiters.size > 0) for (const wake of [...this.#gateWaiters]) wake();
        });
        return sent;
      },
    };
  }

  #gate(): Promise<void> | undefined {
    if (this.#pendingUpdates < this.#options.maxPendingUpdates) return undefined;
    return new Promise<void>((resolve) => {
      const wake = () => {
        if (
          this.#pendingUpdates < this.#options.maxPendingUpdates ||
          this.#closing.signal.aborted ||
          this.#attemptAbort?.signal.aborted !== false
        ) {
          this.#gateWaiters.delete(wake);
          this.#attemptAbort?.signal.removeEventListener("abort", wake);
          resolve();
        }
      };
      this.#gateWaiters.add(wake);
      this.#attemptAbort?.signal.addEventListener("abort", wake, { once: true });
    });
  }

  // ---- calls -------------------------------------------------------------------------------------------------

  /** Runs a public call, turning synchronous validation errors into rejections. */
  async #guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closing.signal.aborted) throw new ConnectionError("closed", "the client is closed");
    this.start();
    return work();
  }

  #spendOffers(offerIds: readonly string[]): void {
    if (offerIds.length === 0) throw new InvalidOptionsError("offerIds", "must name at least one offer");
    const stale = offerIds.filter((id) => !this.#offers.has(id));
    if (stale.length > 0) throw new InvalidOfferError(stale);
    for (const id of offerIds) this.#offers.delete(id);
  }

  #call(
    name: string,
    fill: (call: scheduler.Call) => void,
    options: CallOptions,
    policy: CallPolicy,
  ): Promise<void> {
    return withDeadline(name, options, this.#options.callTimeoutMs, this.#calls, async (signal) => {
      let backoff: Backoff | undefined;
      let first: Session | undefined;
      for (;;) {
        // While subscribed (nearly always) the session is at hand: no promise and state subscription per call.
        const session = this.#liveSession(signal) ?? (await this.#whenSubscribed(signal));
        first ??= session;
        if (session !== first && !policy.retryAcrossSubscriptions) {
          throw new ConnectionError(
            "stream-ended",
            `${name} not sent: the subscription it belonged to ended`,
            first.endpoint.href,
          );
        }
        const call = create(scheduler.CallSchema, { frameworkId: { value: session.frameworkId } });
        fill(call);
        let response: HttpResponse;
        try {
          response = await this.#transport.call(
            session.endpoint,
            this.#codecs.call.encode(call),
            session.streamId,
            signal,
            this.#options.callTimeoutMs,
          );
        } catch (cause) {
          if (signal.aborted) throw signal.reason;
          if (!policy.retryAcrossSubscriptions) {
            throw new ConnectionError(
              "unreachable",
              `${name} could not reach ${session.endpoint.href}: ${describe(cause)}`,
              session.endpoint.href,
              { cause },
            );
          }
          backoff ??= new Backoff(this.#options.backoff);
          await sleep(backoff.next(), signal);
          continue;
        }
        if (OK_STATUSES.has(response.status)) {
          await response.discard();
          return;
        }
        const body = (await response.text().catch(() => "")).trim();
        const stale =
          response.status === 307 ||
          response.status === 403 ||
          (response.status === 400 && /stream|not subscribed/i.test(body));
        if (stale) {
          this.#dropSession(
            session,
            `${name} answered ${response.status}${body ? `: ${body}` : ""}; resubscribing`,
          );
          if (policy.retryAcrossSubscriptions) continue;
        } else if (response.status === 401) {
          throw new AuthenticationError(401, session.endpoint.href, body);
        } else if (RETRY_STATUSES.has(response.status)) {
          backoff ??= new Backoff(this.#options.backoff);
          await sleep(backoff.next(), signal);
          continue;
        }
        throw new CallError(name, response.status, body, session.endpoint.href);
      }
    });
  }

  /** The live session when subscribed right now and `signal` has not fired, else undefined. */
  #liveSession(signal: AbortSignal): Session | undefined {
    const session = this.#session;
    if (signal.aborted || session === undefined || session.abort.signal.aborted) return undefined;
    return this.#state.value.kind === "subscribed" ? session : undefined;
  }

  /** Resolves with the live session, waiting for one; rejects once the client failed or closed. */
  #whenSubscribed(signal: AbortSignal): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      let subscription: Subscription | undefined;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        subscription?.unsubscribe();
        signal.removeEventListener("abort", onAbort);
        action();
      };
      const onAbort = () => finish(() => reject(signal.reason));
      signal.addEventListener("abort", onAbort, { once: true });
      if (signal.aborted) return onAbort();
      const check = (state: ConnectionState) => {
        const session = this.#session;
        if (state.kind === "subscribed" && session !== undefined && !session.abort.signal.aborted) {
          finish(() => resolve(session));
        } else if (state.kind === "failed") {
          finish(() => reject(state.error));
        } else if (state.kind === "closed") {
          finish(() => reject(new ConnectionError("closed", "the client is closed")));
        }
      };
      subscription = this.#state.subscribe({
        next: check,
        complete: () => finish(() => reject(new ConnectionError("closed", "the client is closed"))),
      });
      if (settled) subscription.unsubscribe();
    });
  }
}

function filtersOf(options: OfferFilterOptions): { filters?: { refuseSeconds: number } } {
  const refuse = options.filters?.refuseSeconds;
  if (refuse === undefined) return {};
  if (typeof refuse !== "number" || Number.isNaN(refuse) || refuse < 0) {
    throw new InvalidOptionsError("filters.refuseSeconds", `must be a number ≥ 0, got ${String(refuse)}`);
  }
  return { filters: { refuseSeconds: refuse } };
}

function requireId(option: string, value: unknown): void {
  if (typeof value !== "string" || value === "")
    throw new InvalidOptionsError(option, "must be a non-empty string");
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const inner = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${typeof code === "string" ? `${code}: ` : ""}${error.message}${inner}`;
  }
  return String(error);
}
