import { scheduler, TaskState } from "@satyr/proto";
import { type ConnectionState, connect, type SchedulerClient } from "../../src/client/index.js";
import { isConnectionError } from "../../src/errors/index.js";
import { FakeMaster } from "../support/fake-master.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { FAST, recordStates, until, waitForState } from "../support/wait.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const HEARTBEAT_SECONDS = 0.1;
const TOLERANCE = 3;

async function setup(masterOptions: Parameters<typeof FakeMaster.start>[0] = {}) {
  const master = await FakeMaster.start({
    heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
    frameworkId: "fw-faults",
    ...masterOptions,
  });
  cleanup.push(() => master.stop());
  const proxy = await FaultProxy.start(master.url);
  cleanup.push(() => proxy.stop());
  const client = connect({
    master: proxy.url,
    framework: { name: "faults", failoverTimeoutSeconds: 60 },
    heartbeatTolerance: TOLERANCE,
    ...FAST,
  });
  cleanup.push(() => client.close());
  return { master, proxy, client };
}

function update(taskId: string, state: TaskState, uuid?: number) {
  return {
    type: scheduler.Event_Type.UPDATE,
    update: {
      status: {
        taskId: { value: taskId },
        agentId: { value: "agent-1" },
        state,
        ...(uuid === undefined ? {} : { uuid: new Uint8Array(16).fill(uuid) }),
      },
    },
  };
}

/** Resolves with the time from now until the client is subscribed again with a stream other than `streamId`. */
async function resubscribed(
  master: FakeMaster,
  client: SchedulerClient,
  streamId: string | undefined,
  timeoutMs = 5000,
) {
  const started = Date.now();
  await master.waitFor(
    () => master.streamId !== undefined && master.streamId !== streamId,
    timeoutMs,
    "a new stream",
  );
  await waitForState(client, "subscribed", timeoutMs);
  return Date.now() - started;
}

describe("fault scenarios through the fault proxy", () => {
  it("cut stream → resubscribes with the same framework id and reconciles known tasks", async () => {
    const { master, proxy, client } = await setup();
    const states = recordStates(client);
    await waitForState(client, "subscribed");
    // Two tasks known from updates: one running, one finished (terminal: not reconciled).
    master.send(update("running-task", TaskState.TASK_RUNNING, 1));
    master.send(update("done-task", TaskState.TASK_FINISHED, 2));
    await master.waitFor(() => master.callsOf(scheduler.Call_Type.ACKNOWLEDGE).length === 2, 2000, "acks");
    const before = master.streamId;
    const reconcilesBefore = master.callsOf(scheduler.Call_Type.RECONCILE).length;
    proxy.cut();
    const ms = await resubscribed(master, client, before);
    expect(master.subscribes).toHaveLength(2);
    const again = master.subscribes[1]!.call;
    expect(again.frameworkId?.value).toBe("fw-faults");
    expect(again.subscribe!.frameworkInfo!.id?.value).toBe("fw-faults");
    expect(states.map((s) => s.kind)).toEqual(
      expect.arrayContaining(["subscribed", "disconnected", "connecting"]),
    );
    const disconnected = states.find(
      (s): s is Extract<ConnectionState, { kind: "disconnected" }> =>
        s.kind === "disconnected" && s.error !== undefined,
    );
    expect(isConnectionError(disconnected?.error)).toBe(true);
    await master.waitFor(
      () => master.callsOf(scheduler.Call_Type.RECONCILE).length >= reconcilesBefore + 2,
      2000,
      "reconciliation",
    );
    const reconciles = master.callsOf(scheduler.Call_Type.RECONCILE).slice(reconcilesBefore);
    const explicit = reconciles.find((c) => c.reconcile!.tasks.length > 0)!;
    expect(explicit.reconcile!.tasks.map((t) => [t.taskId?.value, t.agentId?.value])).toEqual([
      ["running-task", "agent-1"],
    ]);
    expect(reconciles.some((c) => c.reconcile!.tasks.length === 0)).toBe(true); // the implicit one
    expect(ms).toBeLessThan(2000);
  });

  it("re-asks about tasks the master does not answer, with backoff, then stops", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    master.send(update("quiet-task", TaskState.TASK_RUNNING));
    master.send(update("answered-task", TaskState.TASK_STAGING));
    await until(() => true);
    master.onCall = (call, m) => {
      // Answer only for one task, as a master that lost track of the other would not.
      if (
        call.type === scheduler.Call_Type.RECONCILE &&
        call.reconcile!.tasks.some((t) => t.taskId?.value === "answered-task")
      ) {
        m.send(update("answered-task", TaskState.TASK_RUNNING));
      }
    };
    const before = master.calls.length;
    master.endStream();
    await waitForState(client, "disconnected");
    await waitForState(client, "subscribed");
    // FAST: explicit, implicit, then 2 retries for the unanswered task only.
    await master.waitFor(
      () =>
        master.calls.slice(before).filter((c) => c.call.type === scheduler.Call_Type.RECONCILE).length >= 4,
      3000,
      "retries",
    );
    await new Promise((r) => setTimeout(r, 400));
    const explicit = master.calls
      .slice(before)
      .filter((c) => c.call.type === scheduler.Call_Type.RECONCILE && c.call.reconcile!.tasks.length > 0)
      .map((c) => c.call.reconcile!.tasks.map((t) => t.taskId!.value).sort());
    expect(explicit).toEqual([["answered-task", "quiet-task"], ["quiet-task"], ["quiet-task"]]);
  });

  it("stalled stream → detected within the heartbeat tolerance and resubscribed", async () => {
    const { master, proxy, client } = await setup();
    await waitForState(client, "subscribed");
    const before = master.streamId;
    const stalledAt = Date.now();
    proxy.stall();
    const disconnected = await waitForState(client, "disconnected", 5000);
    const detectedMs = Date.now() - stalledAt;
    expect(isConnectionError(disconnected.error) && disconnected.error.code).toBe("heartbeat-timeout");
    const limit = HEARTBEAT_SECONDS * TOLERANCE * 1000;
    expect(detectedMs).toBeGreaterThanOrEqual(limit - 50);
    expect(detectedMs).toBeLessThan(limit + 500);
    proxy.resume();
    await resubscribed(master, client, before);
    expect(master.subscribes.at(-1)!.call.frameworkId?.value).toBe("fw-faults");
  });

  it("a master that stops heartbeating is detected the same way", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    master.silence();
    const disconnected = await waitForState(client, "disconnected", 3000);
    expect(isConnectionError(disconnected.error) && disconnected.error.code).toBe("heartbeat-timeout");
    await waitForState(client, "subscribed");
  });

  it("503 and refused connections retry with backoff; then subscribes", async () => {
    const { master, proxy, client } = await setup();
    proxy.answer({ status: 503, body: "Master has not finished recovery", match: (r) => r.subscribe }, 3);
    await waitForState(client, "subscribed");
    expect(proxy.subscribeCount).toBe(4);
    const gaps = proxy.requests
      .filter((r) => r.subscribe)
      .map((r, i, all) => (i === 0 ? 0 : r.at - all[i - 1]!.at));
    // FAST backoff: 20 ms doubling, jitter 0.2 → at least 16, 32, 64 ms apart.
    expect(gaps[1]).toBeGreaterThanOrEqual(15);
    expect(gaps[3]).toBeGreaterThanOrEqual(60);
    const before = master.streamId;
    await proxy.refuse();
    const down = await waitForState(client, "disconnected");
    expect(isConnectionError(down.error)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    await proxy.reopen();
    await resubscribed(master, client, before);
  });

  it("307 from a non-leader → follows the protocol-relative Location to the leader", async () => {
    const leader = await FakeMaster.start({
      heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
      frameworkId: "fw-led",
    });
    cleanup.push(() => leader.stop());
    const follower = await FakeMaster.start();
    cleanup.push(() => follower.stop());
    follower.redirectTo = `//127.0.0.1:${leader.port}`;
    const client = connect({
      master: `${follower.url},http://127.0.0.1:1`,
      framework: { name: "redirected" },
      ...FAST,
    });
    cleanup.push(() => client.close());
    const state = await waitForState(client, "subscribed");
    expect(state.master).toBe(leader.url);
    expect(follower.requestCount).toBe(1);
    await client.revive();
    expect(leader.callsOf(scheduler.Call_Type.REVIVE)).toHaveLength(1);
  });

  it("a redirect loop gives up on the attempt and retries later", async () => {
    const a = await FakeMaster.start();
    cleanup.push(() => a.stop());
    const b = await FakeMaster.start();
    cleanup.push(() => b.stop());
    a.redirectTo = `//127.0.0.1:${b.port}`;
    b.redirectTo = `//127.0.0.1:${a.port}`;
    const client = connect({ master: a.url, framework: { name: "loop" }, maxRedirects: 3, ...FAST });
    cleanup.push(() => client.close());
    const down = await waitForState(client, "disconnected", 3000, (s) => s.reason !== "not started");
    expect(isConnectionError(down.error) && down.error.code).toBe("redirect-loop");
    expect(a.requestCount + b.requestCount).toBe(4);
  });

  it("master restart on the same port → reconnects with the same framework id", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    const port = master.port;
    await master.stop();
    await waitForState(client, "disconnected");
    const stoppedAt = Date.now();
    const restarted = await FakeMaster.start({
      port,
      heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
      frameworkId: "fw-other",
    });
    cleanup.push(() => restarted.stop());
    // The restarted master lost its state: as Mesos after failover, it learns the framework from the resubscription.
    await restarted.waitFor(() => restarted.subscribes.length > 0, 5000, "resubscription");
    const state = await waitForState(client, "subscribed");
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(restarted.subscribes[0]!.call.frameworkId?.value).toBe("fw-faults");
    expect(state.frameworkId).toBe("fw-faults");
  });

  it("offers are voided on disconnect and calls on them refused locally", async () => {
    const { master, proxy, client } = await setup();
    const rescinded: string[] = [];
    client.rescinds$.subscribe((id) => rescinded.push(id.value));
    await waitForState(client, "subscribed");
    const offers: string[] = [];
    client.offers$.subscribe((o) => offers.push(o.id!.value));
    master.send({
      type: scheduler.Event_Type.OFFERS,
      offers: {
        offers: ["x1", "x2"].map((id) => ({
          id: { value: id },
          frameworkId: { value: "fw" },
          agentId: { value: "a" },
          hostname: "h",
        })),
      },
    });
    await until(() => offers.length === 2);
    master.send({ type: scheduler.Event_Type.RESCIND, rescind: { offerId: { value: "x1" } } });
    await until(() => rescinded.length === 1);
    proxy.cut();
    await until(() => rescinded.length === 2);
    expect(rescinded).toEqual(["x1", "x2"]);
    await waitForState(client, "subscribed");
    await expect(client.launch(["x2"], [])).rejects.toMatchObject({
      name: "InvalidOfferError",
      offerIds: ["x2"],
    });
    await client.decline(["x2"]); // nothing to decline any more: resolves without a call
    expect(master.callsOf(scheduler.Call_Type.DECLINE)).toHaveLength(0);
  });

  it("a call that finds its stream stale resubscribes and is retried on the new stream", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    // Let the reconciliation that follows SUBSCRIBED pass first, so the scripted answer goes to the REVIVE.
    await master.waitFor(() => master.callsOf(scheduler.Call_Type.RECONCILE).length >= 1, 2000, "reconcile");
    const before = master.streamId;
    // The master forgets the subscription without closing the connection (as after its own failover).
    master.scripted.push({ status: 403, body: "Framework is not subscribed" });
    await client.revive();
    expect(master.streamId).not.toBe(before);
    expect(master.callsOf(scheduler.Call_Type.REVIVE)).toHaveLength(1);
    expect(master.calls.find((c) => c.call.type === scheduler.Call_Type.REVIVE)!.streamId).toBe(
      master.streamId,
    );
  });

  it("a second subscriber taking the framework over fails the first with MasterError failed-over", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    const usurper = connect({ master: master.url, framework: { name: "faults", id: "fw-faults" }, ...FAST });
    cleanup.push(() => usurper.close());
    await waitForState(usurper, "subscribed");
    const failed = await waitForState(client, "failed");
    expect(failed.error).toMatchObject({
      name: "MasterError",
      kind: "failed-over",
      mesosMessage: "Framework failed over",
    });
  });

  it("resubscribing after the failover timeout surfaces 'Framework has been removed'", async () => {
    const master = await FakeMaster.start();
    cleanup.push(() => master.stop());
    master.removeFramework("fw-expired");
    const client = connect({ master: master.url, framework: { name: "late", id: "fw-expired" }, ...FAST });
    cleanup.push(() => client.close());
    const failed = await waitForState(client, "failed");
    expect(failed.error).toMatchObject({ name: "MasterError", kind: "removed" });
  });

  it("a master that accepts SUBSCRIBE but never answers is given up on after subscribeTimeoutMs", async () => {
    const master = await FakeMaster.start({ heartbeatIntervalSeconds: HEARTBEAT_SECONDS });
    cleanup.push(() => master.stop());
    const proxy = await FaultProxy.start(master.url);
    cleanup.push(() => proxy.stop());
    proxy.stall();
    const client = connect({
      master: proxy.url,
      framework: { name: "silent" },
      ...FAST,
      subscribeTimeoutMs: 300,
    });
    cleanup.push(() => client.close());
    const started = Date.now();
    const down = await waitForState(client, "disconnected", 3000, (s) => s.error !== undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(isConnectionError(down.error) && down.error.code).toBe("unreachable");
    expect(down.reason).toMatch(/no SUBSCRIBED .* within 300 ms/);
    proxy.resume();
    await waitForState(client, "subscribed", 3000);
  });
});
