import type { TaskStatus } from "@satyr/proto";
import { scheduler as api } from "@satyr/proto";
import { filter, map, merge, type Observable, Subject, type Subscription } from "rxjs";
import type { SchedulerClient } from "../client/scheduler-client.js";
import type { TaskUpdate } from "../client/task-update.js";
import { HookError } from "../errors/hook-error.js";
import { type Offer, wrapOffer } from "../resources/offer.js";
import { type Logger, quietLogger } from "./logger.js";

/**
 * What `onSubscribed` is told.
 *
 * @example
 * ```ts
 * class Persistent extends Scheduler {
 *   override async onSubscribed(_client: SchedulerClient, info: SubscribedInfo) {
 *     // Keep the id so a restarted scheduler fails over to this framework (`framework: { id }`).
 *     if (!info.resubscribed) await writeFile("framework-id", info.frameworkId);
 *   }
 * }
 * ```
 */
export interface SubscribedInfo {
  readonly frameworkId: string;
  readonly heartbeatIntervalSeconds: number;
  /** True from the second SUBSCRIBED on (after a reconnection or failover). */
  readonly resubscribed: boolean;
}

/**
 * An executor's message to the framework.
 *
 * @example
 * ```ts
 * class Chatty extends Scheduler {
 *   override async onMessage(client: SchedulerClient, m: FrameworkMessage) {
 *     // Answer on the same agent and executor.
 *     await client.message(m.agentId, m.executorId, new TextEncoder().encode("ack"));
 *   }
 * }
 * ```
 */
export interface FrameworkMessage {
  readonly agentId: string;
  readonly executorId: string;
  readonly data: Uint8Array;
}

/**
 * A FAILURE event: an agent lost (no executor id) or an executor terminated (with its exit status).
 *
 * @example
 * ```ts
 * class Watchful extends Scheduler {
 *   override onFailure(_client: SchedulerClient, f: FailureInfo) {
 *     if (f.executorId === undefined) console.warn(`agent ${f.agentId} lost`);
 *     else console.warn(`executor ${f.executorId} on ${f.agentId} exited with ${f.status}`);
 *   }
 * }
 * ```
 */
export interface FailureInfo {
  readonly agentId: string | undefined;
  readonly executorId: string | undefined;
  readonly status: number | undefined;
}

/**
 * Options of the {@link Scheduler} base class.
 *
 * @example
 * ```ts
 * class Quiet extends Scheduler {}
 * const options: SchedulerOptions = { logger: console };
 * await using running = await run(new Quiet(options), { name: "quiet" });
 * ```
 */
export interface SchedulerOptions {
  readonly logger?: Logger;
}

type Dispatch = { readonly hook: string; readonly run: () => void | Promise<void> };

/**
 * The base class of satyr schedulers: override the hooks you need. Each is handed the client (for calls such
 * as `launch`, `decline`, `kill`) and may be async; hooks run one at a time in event order. A hook that throws
 * or rejects is reported on {@link Scheduler.errors$} and logged, and never aborts the framework (unlike the
 * original satyr, where one exception stopped the driver).
 *
 * @example
 * ```ts
 * class Echo extends Scheduler {
 *   override async onOffers(client: SchedulerClient, offers: Offer[]) {
 *     await client.decline(offers.map((o) => o.id), { filters: { refuseSeconds: 60 } });
 *   }
 * }
 * await using running = await run(new Echo(), { name: "echo" });
 * ```
 */
export class Scheduler {
  /** Hook failures, as {@link HookError}s. */
  readonly errors$: Observable<HookError>;
  protected readonly logger: Logger;
  readonly #errors = new Subject<HookError>();
  #lastError: HookError | undefined;
  #subscribedBefore = false;

  constructor(options: SchedulerOptions = {}) {
    this.logger = options.logger ?? quietLogger;
    this.errors$ = this.#errors.asObservable();
  }

  /** The latest hook failure, if any. */
  get lastError(): HookError | undefined {
    return this.#lastError;
  }

  /**
   * SUBSCRIBED: the framework is registered (again, after a reconnection, when `info.resubscribed`).
   *
   * @example
   * ```ts
   * override onSubscribed(client: SchedulerClient, info: SubscribedInfo) { console.log("id", info.frameworkId); }
   * ```
   */
  onSubscribed(_client: SchedulerClient, _info: SubscribedInfo): void | Promise<void> {}

  /**
   * The connection to the master broke; the client reconnects by itself.
   *
   * @example
   * ```ts
   * override onDisconnected(_client: SchedulerClient, reason: string) { console.warn(reason); }
   * ```
   */
  onDisconnected(_client: SchedulerClient, _reason: string, _error?: Error): void | Promise<void> {}

  /**
   * OFFERS: the offers of one event, wrapped (see `offerWrappers`). Offers not launched on or declined stay
   * held by this framework, so decline what you do not use.
   *
   * @example
   * ```ts
   * override async onOffers(client: SchedulerClient, offers: Offer[]) {
   *   for (const offer of offers) await client.decline([offer.id]);
   * }
   * ```
   */
  onOffers(_client: SchedulerClient, _offers: Offer[]): void | Promise<void> {}

  /**
   * RESCIND: an offer was withdrawn.
   *
   * @example
   * ```ts
   * override onRescind(_client: SchedulerClient, offerId: string) { this.held.delete(offerId); }
   * ```
   */
  onRescind(_client: SchedulerClient, _offerId: string): void | Promise<void> {}

  /**
   * UPDATE: a task status update. The client acknowledges it (automatic acknowledgements) once the hook was
   * called; `update.acknowledge()` is there for manual mode.
   *
   * @example
   * ```ts
   * override onUpdate(_client: SchedulerClient, status: TaskStatus) { console.log(stateName(status.state)); }
   * ```
   */
  onUpdate(_client: SchedulerClient, _status: TaskStatus, _update: TaskUpdate): void | Promise<void> {}

  /**
   * MESSAGE: an executor sent the framework a message.
   *
   * @example
   * ```ts
   * override onMessage(_client: SchedulerClient, m: FrameworkMessage) { console.log(new TextDecoder().decode(m.data)); }
   * ```
   */
  onMessage(_client: SchedulerClient, _message: FrameworkMessage): void | Promise<void> {}

  /**
   * FAILURE: an agent or an executor was lost (its tasks get their own updates).
   *
   * @example
   * ```ts
   * override onFailure(_client: SchedulerClient, f: FailureInfo) { console.warn("lost", f.agentId, f.executorId); }
   * ```
   */
  onFailure(_client: SchedulerClient, _failure: FailureInfo): void | Promise<void> {}

  /**
   * The framework failed for good (an ERROR event, e.g. it was removed, or authentication was refused).
   *
   * @example
   * ```ts
   * override onError(_client: SchedulerClient, error: Error) { console.error(error.message); }
   * ```
   */
  onError(_client: SchedulerClient, _error: Error): void | Promise<void> {}

  /**
   * HEARTBEAT from the master.
   *
   * @example
   * ```ts
   * override onHeartbeat() { this.lastBeat = Date.now(); }
   * ```
   */
  onHeartbeat(_client: SchedulerClient): void | Promise<void> {}

  /**
   * Resolves when the scheduler has no more work (the base class has none). `run()` waits for it on exit.
   *
   * @example
   * ```ts
   * await scheduler.whenIdle({ timeoutMs: 60_000 });
   * ```
   */
  whenIdle(_options: { signal?: AbortSignal } = {}): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Gives up on all remaining work: its promises reject with a `CancelledError`; launched tasks are killed
   * unless `kill` is false (then they keep running on the cluster, for a scheduler that fails over to them).
   * `run()` calls it when leaving with `{ drain: false }`.
   *
   * @example
   * ```ts
   * await scheduler.cancelAll(new Error("shutting down"));
   * ```
   */
  cancelAll(_reason?: unknown, _options: { kill?: boolean } = {}): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Connects the hooks to a client: events go to the hooks one at a time, in order. Unsubscribe to detach.
   * `run()` does this for you.
   *
   * @example
   * ```ts
   * const client = connect({ master, framework: { name: "fw" } });
   * const subscription = scheduler.attach(client);
   * ```
   */
  attach(client: SchedulerClient): Subscription {
    const events = client.events$.pipe(
      filter((e) => e.type !== api.Event_Type.UPDATE),
      map((event) => this.#dispatchEvent(client, event)),
    );
    const updates = client.updates$.pipe(
      map(
        (update): Dispatch => ({ hook: "onUpdate", run: () => this.onUpdate(client, update.status, update) }),
      ),
    );
    const states = client.state$.pipe(
      map((state): Dispatch | undefined => {
        if (state.kind === "disconnected" && this.#subscribedBefore) {
          return {
            hook: "onDisconnected",
            run: () => this.onDisconnected(client, state.reason, state.error),
          };
        }
        if (state.kind === "failed") return { hook: "onError", run: () => this.onError(client, state.error) };
        return undefined;
      }),
    );
    const dispatcher = new SerialDispatcher((hook, cause) => this.reportError(hook, cause));
    return merge(events, updates, states).subscribe({
      next: (d) => {
        if (d !== undefined) dispatcher.push(d);
      },
      error: (cause: unknown) => this.reportError("attach", cause),
    });
  }

  /**
   * Reports a failure of a hook (or of work a hook started) on {@link Scheduler.errors$} and in the log.
   *
   * @example
   * ```ts
   * promise.catch((e) => this.reportError("onOffers", e));
   * ```
   */
  protected reportError(hook: string, cause: unknown): void {
    const error = new HookError(hook, cause);
    this.#lastError = error;
    this.logger.error(`satyr: ${error.message}`, cause);
    this.#errors.next(error);
  }

  #dispatchEvent(client: SchedulerClient, event: api.Event): Dispatch | undefined {
    switch (event.type) {
      case api.Event_Type.SUBSCRIBED: {
        const resubscribed = this.#subscribedBefore;
        this.#subscribedBefore = true;
        const info: SubscribedInfo = {
          frameworkId: event.subscribed?.frameworkId?.value ?? "",
          heartbeatIntervalSeconds: event.subscribed?.heartbeatIntervalSeconds ?? 15,
          resubscribed,
        };
        return { hook: "onSubscribed", run: () => this.onSubscribed(client, info) };
      }
      case api.Event_Type.OFFERS: {
        const offers = (event.offers?.offers ?? []).map(wrapOffer);
        return { hook: "onOffers", run: () => this.onOffers(client, offers) };
      }
      case api.Event_Type.RESCIND:
        return { hook: "onRescind", run: () => this.onRescind(client, event.rescind?.offerId?.value ?? "") };
      case api.Event_Type.MESSAGE: {
        const m = event.message;
        const message: FrameworkMessage = {
          agentId: m?.agentId?.value ?? "",
          executorId: m?.executorId?.value ?? "",
          data: m?.data ?? new Uint8Array(),
        };
        return { hook: "onMessage", run: () => this.onMessage(client, message) };
      }
      case api.Event_Type.FAILURE: {
        const f = event.failure;
        const failure: FailureInfo = {
          agentId: f?.agentId?.value,
          executorId: f?.executorId?.value,
          status: f?.executorId === undefined ? undefined : f?.status,
        };
        return { hook: "onFailure", run: () => this.onFailure(client, failure) };
      }
      case api.Event_Type.HEARTBEAT:
        return { hook: "onHeartbeat", run: () => this.onHeartbeat(client) };
      default:
        return undefined;
    }
  }
}

/**
 * Runs hooks one at a time in arrival order: synchronous hooks run at once, an async hook holds back the ones
 * after it until it settles. (A plain loop rather than `concatMap`, which costs a promise and a subscription
 * per event.)
 */
class SerialDispatcher {
  readonly #queue: Dispatch[] = [];
  #head = 0;
  #busy = false;
  readonly #report: (hook: string, cause: unknown) => void;

  constructor(report: (hook: string, cause: unknown) => void) {
    this.#report = report;
  }

  push(dispatch: Dispatch): void {
    this.#queue.push(dispatch);
    if (!this.#busy) this.#pump();
  }

  #pump(): void {
    this.#busy = true;
    while (this.#head < this.#queue.length) {
      const d = this.#queue[this.#head++] as Dispatch;
      if (this.#head > 1024) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      let result: void | Promise<void>;
      try {
        result = d.run();
      } catch (cause) {
        this.#report(d.hook, cause);
        continue;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === "function") {
        (result as Promise<void>).then(
          () => this.#pump(),
          (cause: unknown) => {
            this.#report(d.hook, cause);
            this.#pump();
          },
        );
        return;
      }
    }
    this.#busy = false;
  }
}
