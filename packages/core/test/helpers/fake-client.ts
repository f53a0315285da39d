import { create } from "@bufbuild/protobuf";
import {
  type OfferID,
  type Offer as OfferMessage,
  scheduler,
  type TaskInfo,
  type TaskStatus,
} from "@satyr/proto";
import { BehaviorSubject, type Observable, Subject } from "rxjs";
import type { ConnectionState, SchedulerClient, TaskUpdate } from "../../src/index.js";

export interface RecordedCall {
  readonly type: string;
  readonly offerIds?: readonly string[];
  readonly tasks?: readonly TaskInfo[];
  readonly refuseSeconds?: number | undefined;
  readonly taskId?: string;
  readonly agentId?: string | undefined;
}

/**
 * A scripted stand-in for SchedulerClient: tests push events and read the calls made. Only what the scheduler
 * and operators use is implemented.
 */
export class FakeClient {
  readonly calls: RecordedCall[] = [];
  readonly #events = new Subject<scheduler.Event>();
  readonly #updates = new Subject<TaskUpdate>();
  readonly #rescinds = new Subject<OfferID>();
  readonly #state = new BehaviorSubject<ConnectionState>({ kind: "disconnected", reason: "not started" });
  readonly events$: Observable<scheduler.Event> = this.#events.asObservable();
  readonly updates$: Observable<TaskUpdate> = this.#updates.asObservable();
  readonly rescinds$: Observable<OfferID> = this.#rescinds.asObservable();
  readonly state$: Observable<ConnectionState> = this.#state.asObservable();
  frameworkId: string | undefined = undefined;
  /** When set, launch() rejects with it (once). */
  failNextLaunch: Error | undefined;
  acknowledged = 0;

  get asClient(): SchedulerClient {
    return this as unknown as SchedulerClient;
  }

  callsOf(type: string): RecordedCall[] {
    return this.calls.filter((c) => c.type === type);
  }

  subscribe(frameworkId = "fw-1"): void {
    this.frameworkId = frameworkId;
    this.#state.next({
      kind: "subscribed",
      frameworkId,
      master: "http://fake",
      heartbeatIntervalSeconds: 15,
    });
    this.#events.next(
      create(scheduler.EventSchema, {
        type: scheduler.Event_Type.SUBSCRIBED,
        subscribed: { frameworkId: { value: frameworkId }, heartbeatIntervalSeconds: 15 },
      }),
    );
  }

  disconnect(reason = "test"): void {
    this.#state.next({ kind: "disconnected", reason });
  }

  offers(...offers: OfferMessage[]): void {
    this.#events.next(
      create(scheduler.EventSchema, { type: scheduler.Event_Type.OFFERS, offers: { offers } }),
    );
  }

  rescind(offerId: string): void {
    this.#rescinds.next({ $typeName: "mesos.v1.OfferID", value: offerId });
    this.#events.next(
      create(scheduler.EventSchema, {
        type: scheduler.Event_Type.RESCIND,
        rescind: { offerId: { value: offerId } },
      }),
    );
  }

  heartbeat(): void {
    this.#events.next(create(scheduler.EventSchema, { type: scheduler.Event_Type.HEARTBEAT }));
  }

  message(data: Uint8Array): void {
    this.#events.next(
      create(scheduler.EventSchema, {
        type: scheduler.Event_Type.MESSAGE,
        message: { agentId: { value: "agent-1" }, executorId: { value: "ex-1" }, data },
      }),
    );
  }

  failure(agentId: string, executorId?: string, status?: number): void {
    this.#events.next(
      create(scheduler.EventSchema, {
        type: scheduler.Event_Type.FAILURE,
        failure: {
          agentId: { value: agentId },
          ...(executorId === undefined ? {} : { executorId: { value: executorId } }),
          ...(status === undefined ? {} : { status }),
        },
      }),
    );
  }

  fail(error: Error): void {
    this.#state.next({ kind: "failed", error });
  }

  update(status: TaskStatus): void {
    this.#updates.next({
      status,
      needsAcknowledgement: false,
      acknowledge: async () => {
        this.acknowledged++;
      },
    });
  }

  async launch(
    offerIds: readonly string[],
    tasks: readonly TaskInfo[],
    options: { filters?: { refuseSeconds?: number } } = {},
  ): Promise<void> {
    this.calls.push({ type: "launch", offerIds, tasks, refuseSeconds: options.filters?.refuseSeconds });
    const failure = this.failNextLaunch;
    if (failure !== undefined) {
      this.failNextLaunch = undefined;
      throw failure;
    }
  }

  async decline(
    offerIds: readonly string[],
    options: { filters?: { refuseSeconds?: number } } = {},
  ): Promise<void> {
    this.calls.push({ type: "decline", offerIds, refuseSeconds: options.filters?.refuseSeconds });
  }

  async kill(taskId: string, options: { agentId?: string } = {}): Promise<void> {
    this.calls.push({ type: "kill", taskId, agentId: options.agentId });
  }

  async revive(): Promise<void> {
    this.calls.push({ type: "revive" });
  }

  async suppress(): Promise<void> {
    this.calls.push({ type: "suppress" });
  }

  async reconcile(): Promise<void> {
    this.calls.push({ type: "reconcile" });
  }

  async teardown(): Promise<void> {
    this.calls.push({ type: "teardown" });
  }

  async close(): Promise<void> {
    this.calls.push({ type: "close" });
    this.#state.next({ kind: "closed" });
  }
}

/** Resolves after pending timers/immediates/microtasks of this turn have run. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check()` is truthy (or throws after `timeoutMs`). */
export async function until(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}
