import { encodeTaskResult, type TaskStatus } from "@satyr/proto";
import {
  CommandTask,
  cpus,
  type FailureInfo,
  type FrameworkMessage,
  FunctionTask,
  type HookError,
  isCancelledError,
  isRemoteTaskError,
  isTaskFailedError,
  isTimeoutError,
  isUnschedulableTaskError,
  mem,
  type Offer,
  QueueScheduler,
  type QueueStats,
  Scheduler,
  type SchedulerClient,
  type SubscribedInfo,
  stateName,
  type Task,
} from "../src/index.js";
import { FakeClient, tick, until } from "./helpers/fake-client.js";
import { makeOffer, makeStatus, TaskState, TaskStatus_Reason } from "./helpers/offers.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("Scheduler hooks", () => {
  class Recording extends Scheduler {
    readonly calls: string[] = [];
    override onSubscribed(_c: SchedulerClient, info: SubscribedInfo) {
      this.calls.push(`subscribed:${info.frameworkId}:${info.resubscribed}`);
    }
    override async onOffers(_c: SchedulerClient, offers: Offer[]) {
      await tick(5);
      this.calls.push(`offers:${offers.map((o) => o.id).join(",")}`);
    }
    override onRescind(_c: SchedulerClient, id: string) {
      this.calls.push(`rescind:${id}`);
    }
    override onUpdate(_c: SchedulerClient, status: TaskStatus) {
      if (status.taskId?.value === "bad") throw new Error("hook exploded");
      this.calls.push(`update:${status.taskId?.value}:${stateName(status.state)}`);
    }
    override onMessage(_c: SchedulerClient, m: FrameworkMessage) {
      this.calls.push(`message:${new TextDecoder().decode(m.data)}`);
    }
    override onFailure(_c: SchedulerClient, f: FailureInfo) {
      this.calls.push(`failure:${f.agentId}:${f.executorId}:${f.status}`);
    }
    override onHeartbeat() {
      this.calls.push("heartbeat");
    }
    override onDisconnected(_c: SchedulerClient, reason: string) {
      this.calls.push(`disconnected:${reason}`);
    }
    override onError(_c: SchedulerClient, error: Error) {
      this.calls.push(`error:${error.message}`);
    }
  }

  it("dispatches every event to its hook in order, async hooks included, and survives a throwing hook", async () => {
    const client = new FakeClient();
    const scheduler = new Recording({ logger: silent });
    const errors: HookError[] = [];
    scheduler.errors$.subscribe((e) => errors.push(e));
    const subscription = scheduler.attach(client.asClient);
    client.subscribe("fw-9");
    client.offers(makeOffer({ id: "o1" }), makeOffer({ id: "o2" }));
    client.update(makeStatus("bad", TaskState.TASK_RUNNING));
    client.update(makeStatus("t1", TaskState.TASK_RUNNING));
    client.rescind("o1");
    client.message(new TextEncoder().encode("hi"));
    client.failure("a1", "e1", 137);
    client.heartbeat();
    client.disconnect("stream ended");
    client.subscribe("fw-9");
    client.fail(new Error("framework removed"));
    await until(() => scheduler.calls.length === 10);
    expect(scheduler.calls).toEqual([
      "subscribed:fw-9:false",
      "offers:o1,o2",
      "update:t1:TASK_RUNNING",
      "rescind:o1",
      "message:hi",
      "failure:a1:e1:137",
      "heartbeat",
      "disconnected:stream ended",
      "subscribed:fw-9:true",
      "error:framework removed",
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.hook).toBe("onUpdate");
    expect(scheduler.lastError?.message).toMatch(/hook exploded/);
    subscription.unsubscribe();
  });
});

/** Runs a QueueScheduler against the fake client, answering launches with the statuses `answer` returns. */
function harness(options: ConstructorParameters<typeof QueueScheduler>[0] = {}) {
  const client = new FakeClient();
  const scheduler = new QueueScheduler({ logger: silent, offerHoldMs: 0, ...options });
  const subscription = scheduler.attach(client.asClient);
  client.subscribe();
  const launched = () => client.callsOf("launch").flatMap((c) => c.tasks ?? []);
  return { client, scheduler, subscription, launched };
}

describe("QueueScheduler (fake client)", () => {
  it("launches a submitted task on an offer and resolves with its result", async () => {
    const { client, scheduler, subscription, launched } = harness();
    const task = new FunctionTask<number>({
      fn: (a: number, b: number) => a + b,
      args: [1, 2],
      resources: [cpus(0.1), mem(64)],
    });
    const result = scheduler.submit(task);
    client.offers(makeOffer({ id: "o1", cpus: 1, mem: 512 }));
    await until(() => launched().length === 1);
    const id = launched()[0]?.taskId?.value ?? "";
    client.update(makeStatus(id, TaskState.TASK_RUNNING, { agentId: "agent-1" }));
    client.update(
      makeStatus(id, TaskState.TASK_FINISHED, {
        agentId: "agent-1",
        data: encodeTaskResult({ outcomes: [{ ok: true, value: 3 }] }),
      }),
    );
    await expect(result).resolves.toBe(3);
    expect(task.state).toBe("finished");
    expect(scheduler.stats).toMatchObject({ submitted: 1, finished: 1, pending: 0, running: 0 });
    subscription.unsubscribe();
  });

  it("keeps placing after a launch throws synchronously or an error escapes the offer pipeline", async () => {
    let loggerBroken = true;
    const logger = {
      ...silent,
      // A user logger that throws inside the launch-failure handler: the error escapes every operator.
      warn: () => {
        if (loggerBroken) {
          loggerBroken = false;
          throw new Error("logger exploded");
        }
      },
    };
    const { client, scheduler, subscription, launched } = harness({ logger });
    const launch = client.launch.bind(client);
    let launchBroken = true;
    // A client whose launch throws synchronously (not a rejected promise), once.
    client.launch = ((...args: Parameters<typeof launch>) => {
      if (launchBroken) {
        launchBroken = false;
        throw new Error("launch exploded synchronously");
      }
      return launch(...args);
    }) as typeof client.launch;
    const task = new FunctionTask<number>({ fn: () => 7, resources: [cpus(0.1), mem(64)] });
    const result = scheduler.submit(task);
    client.offers(makeOffer({ id: "o1", cpus: 1, mem: 512 }));
    await until(() => scheduler.lastError !== undefined);
    expect(scheduler.lastError?.message).toMatch(/logger exploded/);
    // The pipeline gave back the offer it held and put the task back in the queue.
    await until(() => client.callsOf("decline").some((c) => c.offerIds?.includes("o1")));
    expect(task.state).toBe("pending");
    client.offers(makeOffer({ id: "o2", cpus: 1, mem: 512 }));
    await until(() => launched().length === 1);
    client.update(
      makeStatus(task.taskId, TaskState.TASK_FINISHED, {
        data: encodeTaskResult({ outcomes: [{ ok: true, value: 7 }] }),
      }),
    );
    await expect(result).resolves.toBe(7);
    subscription.unsubscribe();
  });

  it("retries infrastructure failures with a fresh task id, three attempts in total", async () => {
    const { client, scheduler, subscription, launched } = harness();
    const task = new CommandTask({ command: "true", resources: [cpus(0.1)] });
    const result = scheduler.submit(task);
    for (let attempt = 1; attempt <= 3; attempt++) {
      client.offers(makeOffer({ cpus: 1, mem: 64 }));
      await until(() => launched().length === attempt, 2000, `launch ${attempt}`);
      const id = launched()[attempt - 1]?.taskId?.value ?? "";
      client.update(makeStatus(id, TaskState.TASK_LOST, { reason: TaskStatus_Reason.AGENT_REMOVED }));
      await tick(5);
    }
    const ids = launched().map((t) => t.taskId?.value);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toBe(task.id);
    const error = await result.catch((e: unknown) => e);
    expect(isTaskFailedError(error)).toBe(true);
    expect((error as Error).message).toMatch(/gave up after 3 attempts/);
    expect(scheduler.stats.retried).toBe(2);
    subscription.unsubscribe();
  });

  it("never retries the task's own failure, and other tasks keep going", async () => {
    const { client, scheduler, subscription, launched } = harness();
    const bad = new FunctionTask({ fn: () => 1, resources: [cpus(0.1)] });
    const good = new FunctionTask({ fn: () => 2, resources: [cpus(0.1)] });
    const badResult = scheduler.submit(bad);
    const goodResult = scheduler.submit(good);
    client.offers(makeOffer({ cpus: 1, mem: 512 }));
    await until(() => launched().length === 2);
    client.update(
      makeStatus(bad.taskId, TaskState.TASK_FAILED, {
        data: encodeTaskResult({
          outcomes: [{ ok: false, error: { name: "Error", message: "mine", props: {} } }],
        }),
      }),
    );
    client.update(
      makeStatus(good.taskId, TaskState.TASK_FINISHED, {
        data: encodeTaskResult({ outcomes: [{ ok: true, value: 2 }] }),
      }),
    );
    const error = await badResult.catch((e: unknown) => e);
    expect(isRemoteTaskError(error)).toBe(true);
    await expect(goodResult).resolves.toBe(2);
    expect(launched()).toHaveLength(2);
    subscription.unsubscribe();
  });

  it("abort and timeout kill a launched task; a pending task is simply dropped", async () => {
    const { client, scheduler, subscription, launched } = harness();
    const controller = new AbortController();
    const running = new CommandTask({ command: "sleep 100", resources: [cpus(0.1)] });
    const slow = new CommandTask({ command: "sleep 100", resources: [cpus(0.1)] });
    const aborted = scheduler.submit(running, { signal: controller.signal });
    const timedOut = scheduler.submit(slow, { timeoutMs: 100 });
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => launched().length === 2);
    client.update(makeStatus(running.taskId, TaskState.TASK_RUNNING, { agentId: "agent-1" }));
    await tick(5);
    controller.abort(new Error("user"));
    expect(isCancelledError(await aborted.catch((e: unknown) => e))).toBe(true);
    expect(isTimeoutError(await timedOut.catch((e: unknown) => e))).toBe(true);
    await until(() => client.callsOf("kill").length === 2);
    expect(client.callsOf("kill").map((k) => [k.taskId, k.agentId])).toEqual([
      [running.taskId, "agent-1"],
      [slow.taskId, undefined],
    ]);
    expect(scheduler.isIdle).toBe(false);
    client.update(makeStatus(running.taskId, TaskState.TASK_KILLED));
    client.update(makeStatus(slow.taskId, TaskState.TASK_KILLED));
    await scheduler.whenIdle();
    expect(scheduler.stats.cancelled).toBe(2);

    const pending = new CommandTask({ command: "true", resources: [cpus(100)] });
    const c2 = new AbortController();
    const dropped = scheduler.submit(pending, { signal: c2.signal });
    c2.abort();
    expect(isCancelledError(await dropped.catch((e: unknown) => e))).toBe(true);
    expect(scheduler.isIdle).toBe(true);
    subscription.unsubscribe();
  });

  it("fails a task that fits no agent with UnschedulableTaskError after the patience", async () => {
    const { client, scheduler, subscription } = harness({ unschedulableAfterMs: 100 });
    const huge = new CommandTask({ command: "true", resources: [cpus(64), mem(64)] });
    const result = scheduler.submit(huge);
    client.offers(
      makeOffer({ agentId: "a1", cpus: 4, mem: 1024 }),
      makeOffer({ agentId: "a2", cpus: 8, mem: 1024 }),
    );
    const error = await result.catch((e: unknown) => e);
    expect(isUnschedulableTaskError(error)).toBe(true);
    expect((error as Error).message).toMatch(/fits none of the 2 agent/);
    subscription.unsubscribe();
  });

  it("suppresses offers when idle and revives when work arrives", async () => {
    const { client, scheduler, subscription, launched } = harness();
    await until(() => client.callsOf("suppress").length === 1);
    const task = new CommandTask({ command: "true", resources: [cpus(0.1)] });
    const result = scheduler.submit(task);
    await until(() => client.callsOf("revive").length === 1);
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => launched().length === 1);
    client.update(makeStatus(task.taskId, TaskState.TASK_FINISHED));
    await result;
    await until(() => client.callsOf("suppress").length === 2);
    expect(
      client.calls.filter((c) => c.type === "suppress" || c.type === "revive").map((c) => c.type),
    ).toEqual(["suppress", "revive", "suppress"]);
    subscription.unsubscribe();
  });

  it("revives, at a bounded rate, while work waits and no offer is held", async () => {
    const { client, scheduler, subscription } = harness({
      unschedulableAfterMs: 60_000,
      reviveIntervalMs: 250,
    });
    const big = new CommandTask({ command: "true", resources: [cpus(2)] });
    const result = scheduler.submit(big);
    await until(() => client.callsOf("revive").length === 1);
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => client.callsOf("decline").length === 1);
    await tick(700);
    const revives = client.callsOf("revive").length;
    // One to lift the suppression, then about one per 250 ms while nothing is held.
    expect(revives).toBeGreaterThanOrEqual(2);
    expect(revives).toBeLessThanOrEqual(5);
    scheduler.kill(big);
    await expect(result).rejects.toThrow(/cancelled/);
    subscription.unsubscribe();
  });

  it("waits suppressAfterMs of idleness before suppressing", async () => {
    const { client, subscription } = harness({ suppressAfterMs: 300 });
    await tick(100);
    expect(client.callsOf("suppress")).toHaveLength(0);
    await until(() => client.callsOf("suppress").length === 1, 2000);
    subscription.unsubscribe();
  });

  it("honours maxConcurrency and reports stats", async () => {
    const { client, scheduler, subscription, launched } = harness({ maxConcurrency: 2 });
    const stats: QueueStats[] = [];
    scheduler.stats$.subscribe((s) => stats.push(s));
    const tasks = Array.from(
      { length: 5 },
      (_, i) => new CommandTask({ name: `t${i}`, command: "true", resources: [cpus(0.1)] }),
    );
    const results = tasks.map((t) => scheduler.submit(t));
    client.offers(makeOffer({ cpus: 10, mem: 512 }));
    await until(() => launched().length === 2);
    await tick(20);
    expect(launched()).toHaveLength(2);
    expect(scheduler.stats).toMatchObject({ pending: 3, running: 2 });
    let done = 0;
    while (done < 5) {
      const id = launched()[done]?.taskId?.value ?? "";
      client.update(makeStatus(id, TaskState.TASK_FINISHED));
      done++;
      if (done < 5) {
        client.offers(makeOffer({ cpus: 10, mem: 512 }));
        await until(() => launched().length >= Math.min(5, done + 2) || launched().length === 5, 2000);
      }
    }
    await Promise.all(results);
    expect(Math.max(...stats.map((s) => s.running))).toBe(2);
    expect(scheduler.stats.finished).toBe(5);
    subscription.unsubscribe();
  });

  it("reports an exception in a task's onUpdate and still settles the task", async () => {
    class Exploding extends CommandTask {
      override onUpdate(): void {
        throw new Error("task hook");
      }
    }
    const { client, scheduler, subscription, launched } = harness();
    const errors: HookError[] = [];
    scheduler.errors$.subscribe((e) => errors.push(e));
    const task = new Exploding({ command: "true", resources: [cpus(0.1)] });
    const result = scheduler.submit(task);
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => launched().length === 1);
    client.update(makeStatus(task.taskId, TaskState.TASK_FINISHED));
    await expect(result).resolves.toBeDefined();
    expect(errors.map((e) => e.hook)).toEqual(["task.onUpdate"]);
    subscription.unsubscribe();
  });

  it("acts on reconciliation answers after a resubscription: a task the master lost is relaunched", async () => {
    const { client, scheduler, subscription, launched } = harness();
    const survivor = new CommandTask({ name: "survivor", command: "sleep 5", resources: [cpus(0.1)] });
    const lost = new CommandTask({ name: "lost", command: "sleep 5", resources: [cpus(0.1)] });
    const results = [scheduler.submit(survivor), scheduler.submit(lost)];
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => launched().length === 2);
    client.update(makeStatus(survivor.taskId, TaskState.TASK_RUNNING, { agentId: "agent-1" }));
    client.update(makeStatus(lost.taskId, TaskState.TASK_RUNNING, { agentId: "agent-1" }));
    client.disconnect("master failover");
    client.subscribe();
    // What the client's reconciliation after SUBSCRIBED brings back.
    client.update(
      makeStatus(survivor.taskId, TaskState.TASK_RUNNING, { reason: TaskStatus_Reason.RECONCILIATION }),
    );
    client.update(makeStatus(lost.taskId, TaskState.TASK_LOST, { reason: TaskStatus_Reason.RECONCILIATION }));
    await until(() => lost.attempts === 2 && lost.state === "pending");
    expect(survivor.state).toBe("running");
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => launched().length === 3);
    expect(launched()[2]?.taskId?.value).toBe(lost.taskId);
    expect(lost.taskId).not.toBe(lost.id);
    client.update(makeStatus(survivor.taskId, TaskState.TASK_FINISHED));
    client.update(makeStatus(lost.taskId, TaskState.TASK_FINISHED));
    await Promise.all(results);
    subscription.unsubscribe();
  });

  it("cancelAll kills launched tasks, or leaves them running with { kill: false }", async () => {
    const { client, scheduler, subscription, launched } = harness();
    const a = new CommandTask({ command: "sleep 9", resources: [cpus(0.1)] });
    const ra = scheduler.submit(a);
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => launched().length === 1);
    client.update(makeStatus(a.taskId, TaskState.TASK_RUNNING, { agentId: "agent-1" }));
    await scheduler.cancelAll(new Error("failover"), { kill: false });
    expect(isCancelledError(await ra.catch((e: unknown) => e))).toBe(true);
    expect(client.callsOf("kill")).toHaveLength(0);
    expect(scheduler.isIdle).toBe(true);

    const b = new CommandTask({ command: "sleep 9", resources: [cpus(0.1)] });
    const rb = scheduler.submit(b);
    client.offers(makeOffer({ cpus: 1, mem: 64 }));
    await until(() => launched().length === 2);
    await scheduler.cancelAll(new Error("shutdown"));
    expect(isCancelledError(await rb.catch((e: unknown) => e))).toBe(true);
    await until(() => client.callsOf("kill").length === 1);
    expect(client.callsOf("kill")[0]?.taskId).toBe(b.taskId);
    subscription.unsubscribe();
  });

  it("settles every task with the error when the framework fails for good", async () => {
    const { client, scheduler, subscription } = harness();
    const results = [0, 1].map(() =>
      scheduler.submit(new CommandTask({ command: "true", resources: [cpus(0.1)] })),
    );
    const failure = new Error("Framework has been removed");
    client.fail(failure);
    for (const result of results) await expect(result).rejects.toBe(failure);
    expect(scheduler.isIdle).toBe(true);
    subscription.unsubscribe();
  });

  it("declines an offer it cannot read instead of holding it", async () => {
    const { client, scheduler, subscription } = harness();
    const errors: HookError[] = [];
    scheduler.errors$.subscribe((e) => errors.push(e));
    const unreadable = makeOffer({ id: "bad", cpus: 1, ports: [[10, 5]] });
    client.offers(unreadable);
    await until(() => client.callsOf("decline").length === 1);
    expect(client.callsOf("decline")[0]?.offerIds).toEqual(["bad"]);
    expect(errors.map((e) => e.hook)).toEqual(["onOffers"]);
    subscription.unsubscribe();
  });

  it("refuses to submit the same task twice", async () => {
    const { scheduler, subscription } = harness();
    const task: Task<unknown> = new CommandTask({ command: "true" });
    void scheduler.submit(task);
    await expect(scheduler.submit(task)).rejects.toThrow(/already submitted/);
    await scheduler.cancelAll();
    subscription.unsubscribe();
  });
});
