import { create } from "@bufbuild/protobuf";
import { encodeRecord, scheduler, schedulerCodecs, TaskInfoSchema, TaskState } from "@satyr/proto";
import { connect, type SchedulerClient } from "../../src/client/index.js";
import {
  isAuthenticationError,
  isCancelledError,
  isConnectionError,
  isInvalidOfferError,
  isInvalidOptionsError,
  isMasterError,
  isTimeoutError,
} from "../../src/errors/index.js";
import { FakeMaster } from "../support/fake-master.js";
import { FAST, rejection, until, waitForState } from "../support/wait.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(
  options: { codec?: "json" | "protobuf"; master?: Parameters<typeof FakeMaster.start>[0] } = {},
) {
  const master = await FakeMaster.start({ heartbeatIntervalSeconds: 0.2, ...options.master });
  cleanup.push(() => master.stop());
  const client = connect({
    master: master.url,
    framework: { name: "basics", user: "tester", roles: ["analytics"], failoverTimeoutSeconds: 30 },
    ...(options.codec === undefined ? {} : { codec: options.codec }),
    ...FAST,
  });
  cleanup.push(() => client.close());
  return { master, client };
}

function offer(id: string, agent = "agent-1") {
  return {
    id: { value: id },
    frameworkId: { value: "fw" },
    agentId: { value: agent },
    hostname: "localhost",
  };
}

async function offered(master: FakeMaster, client: SchedulerClient, ids: string[]): Promise<void> {
  const seen: string[] = [];
  const sub = client.offers$.subscribe((o) => seen.push(o.id!.value));
  master.send({ type: scheduler.Event_Type.OFFERS, offers: { offers: ids.map((id) => offer(id)) } });
  await until(() => seen.length === ids.length, 2000, "offers");
  sub.unsubscribe();
}

describe.each(["protobuf", "json"] as const)("SchedulerClient over %s", (codec: "protobuf" | "json") => {
  it("subscribes with the framework info and reports the framework id and master", async () => {
    const { master, client } = await setup({ codec, master: { frameworkId: "fw-1" } });
    const state = await waitForState(client, "subscribed");
    expect(state).toEqual({
      kind: "subscribed",
      frameworkId: "fw-1",
      master: master.url,
      heartbeatIntervalSeconds: 0.2,
    });
    expect(client.frameworkId).toBe("fw-1");
    const subscribe = master.subscribes[0]!;
    expect(subscribe.headers["content-type"]).toBe(
      codec === "json" ? "application/json" : "application/x-protobuf",
    );
    expect(subscribe.headers.accept).toBe(subscribe.headers["content-type"]);
    expect(subscribe.headers["mesos-stream-id"]).toBeUndefined();
    const info = subscribe.call.subscribe!.frameworkInfo!;
    expect(info.name).toBe("basics");
    expect(info.user).toBe("tester");
    expect(info.roles).toEqual(["analytics"]);
    expect(info.failoverTimeout).toBe(30);
    expect(info.capabilities.map((c) => c.type)).toContain(6 /* MULTI_ROLE */);
    expect(subscribe.call.frameworkId).toBeUndefined();
  });

  it("sends calls with the stream id and framework id, one emission per offer", async () => {
    const { master, client } = await setup({ codec, master: { frameworkId: "fw-2" } });
    await waitForState(client, "subscribed");
    await offered(master, client, ["o1", "o2", "o3"]);
    await client.decline(["o1"], { filters: { refuseSeconds: 60 } });
    await client.launch(["o2"], [create(TaskInfoSchema, { name: "t", taskId: { value: "task-1" } })]);
    await client.revive({ roles: ["analytics"] });
    await client.suppress();
    await client.kill("task-1", { gracePeriodMs: 1500 });
    await client.reconcile([{ taskId: "task-1" }]);
    await client.message("agent-1", "exec-1", new Uint8Array([1, 2, 3]));
    await client.shutdown("exec-1", "agent-1");
    await client.request([]);
    for (const record of master.calls) {
      expect(record.status).toBe(202);
      expect(record.streamId).toBe(master.streamId);
      expect(record.call.frameworkId?.value).toBe("fw-2");
    }
    const [decline] = master.callsOf(scheduler.Call_Type.DECLINE);
    expect(decline!.decline!.offerIds.map((o) => o.value)).toEqual(["o1"]);
    expect(decline!.decline!.filters!.refuseSeconds).toBe(60);
    const [accept] = master.callsOf(scheduler.Call_Type.ACCEPT);
    const launched = accept!.accept!.operations[0]!.launch!.taskInfos[0]!;
    expect(launched.agentId?.value).toBe("agent-1");
    const [kill] = master.callsOf(scheduler.Call_Type.KILL);
    expect(kill!.kill!.agentId?.value).toBe("agent-1"); // remembered from the launch
    expect(kill!.kill!.killPolicy!.gracePeriod!.nanoseconds).toBe(1_500_000_000n);
    expect(master.callsOf(scheduler.Call_Type.REVIVE)[0]!.revive!.roles).toEqual(["analytics"]);
    expect(master.callsOf(scheduler.Call_Type.MESSAGE)[0]!.message!.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(master.callsOf(scheduler.Call_Type.SHUTDOWN)).toHaveLength(1);
    expect(master.callsOf(scheduler.Call_Type.SUPPRESS)).toHaveLength(1);
    expect(master.callsOf(scheduler.Call_Type.REQUEST)).toHaveLength(1);
    // o1 declined and o2 used: spent; o3 is still held.
    expect(isInvalidOfferError(await rejection(client.launch(["o2"], [])))).toBe(true);
    await client.accept(["o3"], []);
  });
});

describe("SchedulerClient transport", () => {
  it("keeps the event stream on its own connection; calls go over others", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    await Promise.all([client.revive(), client.suppress(), client.reconcile([])]);
    const streamPort = master.subscribes[0]!.remotePort;
    expect(streamPort).toBeDefined();
    expect(master.calls.length).toBeGreaterThanOrEqual(3);
    for (const call of master.calls) expect(call.remotePort).not.toBe(streamPort);
  });

  it("decodes events however the stream is chunked, in order", async () => {
    // No heartbeats: they would land between the partial records written here.
    const { master, client } = await setup({ master: { heartbeats: false, heartbeatIntervalSeconds: 5 } });
    const received: string[] = [];
    client.messages$.subscribe((m) => received.push(new TextDecoder().decode(m.data)));
    await waitForState(client, "subscribed");
    const codec = schedulerCodecs("protobuf").event;
    const bytes = Buffer.concat(
      Array.from({ length: 300 }, (_, i) =>
        encodeRecord(
          codec.encode(
            create(scheduler.EventSchema, {
              type: scheduler.Event_Type.MESSAGE,
              message: {
                agentId: { value: "a" },
                executorId: { value: "e" },
                data: new TextEncoder().encode(`m${i}`),
              },
            }),
          ),
        ),
      ),
    );
    for (let at = 0; at < bytes.length; at += 7) {
      master.sendRaw(bytes.subarray(at, at + 7));
      if (at % 700 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => received.length === 300, 3000, "all messages");
    expect(received).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
  });

  it("tries the next master of a list when one is unreachable", async () => {
    const master = await FakeMaster.start({ heartbeatIntervalSeconds: 0.5 });
    cleanup.push(() => master.stop());
    const client = connect({
      master: `http://127.0.0.1:1,${master.url}`,
      framework: { name: "list" },
      ...FAST,
    });
    cleanup.push(() => client.close());
    const state = await waitForState(client, "subscribed");
    expect(state.master).toBe(master.url);
  });

  it("treats a garbled stream as a broken connection and resubscribes", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    master.sendRaw(new TextEncoder().encode("12x\n{}"));
    const down = await waitForState(client, "disconnected");
    expect(down.reason).toMatch(/RecordIO/);
    await waitForState(client, "subscribed");
    expect(master.subscribes).toHaveLength(2);
  });
});

describe("SchedulerClient errors", () => {
  it("rejects bad options before connecting, naming the option", () => {
    const bad = [
      { master: "ftp://host:5050", framework: { name: "x" } },
      { master: "http://", framework: { name: "x" } },
      { master: "http://a:5050,,http://b:5050", framework: { name: "x" } },
      { master: "zk://", framework: { name: "x" } },
      { master: "http://a:5050", framework: { name: "" } },
      { master: "http://a:5050", framework: { name: "x", roles: ["a//b"] } },
      { master: "http://a:5050", framework: { name: "x", capabilities: ["TELEPORT"] } },
      { master: "http://a:5050", framework: { name: "x", failoverTimeoutSeconds: -1 } },
      { master: "http://a:5050", framework: { name: "x", id: "a/b" } },
      { master: "http://a:5050", framework: { name: "x" }, codec: "xml" },
      { master: "http://a:5050", framework: { name: "x" }, backoff: { jitter: 2 } },
    ];
    const options = bad.map((o) => {
      try {
        connect(o as never);
        return "accepted";
      } catch (error) {
        expect(isInvalidOptionsError(error)).toBe(true);
        return (error as { option: string }).option;
      }
    });
    expect(options).toEqual([
      "master[0]",
      "master[0]",
      "master[1]",
      "master",
      "framework.name",
      "framework.roles[0]",
      "framework.capabilities[0]",
      "framework.failoverTimeoutSeconds",
      "framework.id",
      "codec",
      "backoff.jitter",
    ]);
  });

  it("turns an ERROR event into a failed state carrying Mesos's message", async () => {
    const { master, client } = await setup();
    master.subscribeError = "Role 'analytics' is not allowed";
    const failed = await waitForState(client, "failed");
    if (!isMasterError(failed.error)) throw failed.error;
    expect(failed.error.mesosMessage).toBe("Role 'analytics' is not allowed");
    expect(failed.error.kind).toBe("refused");
    expect(isMasterError(await rejection(client.revive()))).toBe(true);
  });

  it("stops on 401 with an AuthenticationError, without a retry storm", async () => {
    const master = await FakeMaster.start({ credentials: { principal: "p", secret: "right" } });
    cleanup.push(() => master.stop());
    const client = connect({
      master: master.url,
      framework: { name: "auth" },
      credentials: { principal: "p", secret: "wrong" },
      ...FAST,
    });
    cleanup.push(() => client.close());
    const failed = await waitForState(client, "failed");
    if (!isAuthenticationError(failed.error)) throw failed.error;
    expect(failed.error.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(master.requestCount).toBe(1);
    expect(client.state.kind).toBe("failed");
  });

  it("authenticates with basic credentials on the stream and on calls", async () => {
    const master = await FakeMaster.start({ credentials: { principal: "p", secret: "s" } });
    cleanup.push(() => master.stop());
    const client = connect({
      master: master.url,
      framework: { name: "auth" },
      credentials: { principal: "p", secret: "s" },
      ...FAST,
    });
    cleanup.push(() => client.close());
    await waitForState(client, "subscribed");
    expect(master.subscribes[0]!.call.subscribe!.frameworkInfo!.principal).toBe("p");
    await client.revive();
    expect(master.callsOf(scheduler.Call_Type.REVIVE)).toHaveLength(1);
  });

  it("bounds calls by timeoutMs and signal, and rejects them once closed", async () => {
    const client = connect({ master: "http://127.0.0.1:1", framework: { name: "nowhere" }, ...FAST });
    cleanup.push(() => client.close());
    const started = Date.now();
    expect(isTimeoutError(await rejection(client.revive({ timeoutMs: 150 })))).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    const controller = new AbortController();
    const pending = client.suppress({ signal: controller.signal });
    controller.abort(new Error("user gave up"));
    expect(isCancelledError(await rejection(pending))).toBe(true);
    const waiting = rejection(client.revive());
    await client.close();
    expect(isConnectionError(await waiting)).toBe(true);
    expect(isConnectionError(await rejection(client.revive()))).toBe(true);
    expect(client.state).toEqual({ kind: "closed" });
  });

  it("refuses to acknowledge a status without a uuid, sending nothing", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    const status = {
      taskId: { value: "t" },
      agentId: { value: "a" },
      state: TaskState.TASK_LOST,
      uuid: new Uint8Array(),
    };
    expect(isInvalidOptionsError(await rejection(client.acknowledge(status as never)))).toBe(true);
    expect(master.callsOf(scheduler.Call_Type.ACKNOWLEDGE)).toHaveLength(0);
  });

  it("completes its streams on close and says so in state$", async () => {
    const { client } = await setup();
    await waitForState(client, "subscribed");
    let completed = 0;
    client.events$.subscribe({ complete: () => completed++ });
    client.offers$.subscribe({ complete: () => completed++ });
    client.updates$.subscribe({ complete: () => completed++ });
    await client.close();
    expect(completed).toBe(3);
  });

  it("teardown sends TEARDOWN and closes", async () => {
    const { master, client } = await setup();
    await waitForState(client, "subscribed");
    await client.teardown();
    expect(master.callsOf(scheduler.Call_Type.TEARDOWN)).toHaveLength(1);
    expect(client.state.kind).toBe("closed");
  });
});
