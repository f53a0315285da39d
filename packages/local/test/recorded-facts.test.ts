// One test per fact listed in ../shared/reference/mesos-captures/README.md, through raw HTTP.
import { create } from "@bufbuild/protobuf";
import { scheduler, schedulerCodecs } from "@satyr/proto";
import { LocalCluster } from "../src/index.js";
import {
  commandTask,
  customTask,
  type Json,
  post,
  Scheduler,
  Subscription,
  sleep,
  teardownAll,
} from "./helpers.js";

let cluster: LocalCluster;
let api: string;
const JSON_HEADERS = { "Content-Type": "application/json" };

beforeAll(async () => {
  cluster = await LocalCluster.start({
    resources: { cpus: 4, mem: 4096, disk: 4096 },
    allocationIntervalMs: 200,
  });
  api = `${cluster.masterUrl}/api/v1/scheduler`;
});
afterEach(() => teardownAll());
afterAll(() => cluster.stop());

async function drainOffers(s: Scheduler): Promise<Json> {
  const [offer] = await s.sub.offers();
  return offer;
}

describe("error answers", () => {
  let s: Scheduler;
  beforeEach(async () => {
    s = await Scheduler.subscribe(cluster.masterUrl);
  });
  const revive = () => JSON.stringify({ framework_id: { value: s.frameworkId }, type: "REVIVE" });

  test("400 without Mesos-Stream-Id, as text/plain", async () => {
    const r = await post(api, revive(), JSON_HEADERS);
    expect(r.status).toBe(400);
    expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(r.body).toBe("All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  });
  test("400 with a wrong Mesos-Stream-Id", async () => {
    const wrong = "00000000-0000-0000-0000-000000000000";
    const r = await post(api, revive(), { ...JSON_HEADERS, "Mesos-Stream-Id": wrong });
    expect(r.status).toBe(400);
    expect(r.body).toBe(
      `The stream ID '${wrong}' included in this request didn't match the stream ID currently associated with framework ID ${s.frameworkId}`,
    );
  });
  test("400 on SUBSCRIBE with a Mesos-Stream-Id", async () => {
    const body = JSON.stringify({
      type: "SUBSCRIBE",
      subscribe: { framework_info: { user: "u", name: "n" } },
    });
    const r = await post(api, body, { ...JSON_HEADERS, "Mesos-Stream-Id": s.sub.streamId });
    expect(r.status).toBe(400);
    expect(r.body).toBe("Subscribe calls should not include the 'Mesos-Stream-Id' header");
  });
  test("400 for an unknown framework id", async () => {
    const body = JSON.stringify({ framework_id: { value: "no-such-framework" }, type: "REVIVE" });
    const r = await post(api, body, { ...JSON_HEADERS, "Mesos-Stream-Id": s.sub.streamId });
    expect([r.status, r.body]).toEqual([400, "Framework cannot be found"]);
  });
  test("400 for malformed JSON", async () => {
    const r = await post(api, "this is not json", JSON_HEADERS);
    expect([r.status, r.body]).toEqual([
      400,
      "Failed to parse body into JSON: syntax error at line 1 near: ",
    ]);
  });
  test("415 for application/json; charset=utf-8 and text/plain (exact match)", async () => {
    for (const type of ["application/json; charset=utf-8", "text/plain"]) {
      const r = await post(api, revive(), { "Content-Type": type, "Mesos-Stream-Id": s.sub.streamId });
      expect([r.status, r.body]).toEqual([
        415,
        "Expecting 'Content-Type' of application/json or application/x-protobuf",
      ]);
    }
  });
  test("406 for an Accept it cannot serve", async () => {
    const body = JSON.stringify({
      type: "SUBSCRIBE",
      subscribe: { framework_info: { user: "u", name: "n" } },
    });
    const r = await post(api, body, { ...JSON_HEADERS, Accept: "text/html" });
    expect([r.status, r.body]).toEqual([
      406,
      "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'",
    ]);
  });
  test("400 naming missing required fields, as Mesos's JSON parser does", async () => {
    const body = JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { name: "n" } } });
    const r = await post(api, body, JSON_HEADERS);
    expect([r.status, r.body]).toEqual([
      400,
      "Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user",
    ]);
  });
  test("405 with Allow: POST for GET", async () => {
    const r = await post(api, "", {}, "GET");
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("POST");
    expect(r.body).toBe("405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.");
  });
  test("202 with an empty body for a good call", async () => {
    const r = await s.call("REVIVE");
    expect([r.status, r.body, r.headers["content-length"]]).toEqual([202, "", "0"]);
  });
});

describe("SUBSCRIBE", () => {
  test.each(["json", "protobuf"] as const)(
    "200, chunked, Mesos-Stream-Id, exact Content-Type (%s)",
    async (codec) => {
      const call = create(scheduler.CallSchema, {
        type: scheduler.Call_Type.SUBSCRIBE,
        subscribe: { frameworkInfo: { user: "root", name: `sub-${codec}` } },
      });
      const body =
        codec === "json"
          ? JSON.parse(Buffer.from(schedulerCodecs("json").call.encode(call)).toString())
          : schedulerCodecs("protobuf").call.encode(call);
      const sub = await Subscription.open(api, body, { codec });
      expect(sub.status).toBe(200);
      expect(sub.headers["transfer-encoding"]).toBe("chunked");
      expect(sub.headers["content-type"]).toBe(
        codec === "json" ? "application/json" : "application/x-protobuf",
      );
      expect(sub.streamId).toMatch(/^[0-9a-f-]{36}$/);
      await sub.next((e) =>
        codec === "json" ? e.type === "OFFERS" : e.type === scheduler.Event_Type.OFFERS,
      );
      const [first, second] = sub.events;
      if (codec === "json") {
        expect(first.type).toBe("SUBSCRIBED");
        expect(first.subscribed.heartbeat_interval_seconds).toBe(15);
        const address = first.subscribed.master_info.address;
        expect(`http://${address.ip}:${address.port}`).toBe(cluster.masterUrl);
        expect(first.subscribed.master_info.ip).toBe(16777343);
        expect(first.subscribed.master_info.capabilities).toEqual([
          { type: "AGENT_UPDATE" },
          { type: "AGENT_DRAINING" },
        ]);
        expect(second.type).toBe("HEARTBEAT");
      } else {
        expect(first.type).toBe(scheduler.Event_Type.SUBSCRIBED);
        expect(second.type).toBe(scheduler.Event_Type.HEARTBEAT);
      }
      sub.close();
    },
  );

  test("the first OFFERS follows SUBSCRIBED within milliseconds", async () => {
    const started = Date.now();
    const s = await Scheduler.subscribe(cluster.masterUrl);
    await s.sub.offers();
    expect(Date.now() - started).toBeLessThan(150);
    await s.call("TEARDOWN");
  });
});

test("/master/redirect answers 307 with a protocol-relative Location and no path", async () => {
  const r = await post(`${cluster.masterUrl}/master/redirect`, "", {}, "GET");
  expect(r.status).toBe(307);
  expect(r.headers.location).toBe(`//${cluster.masterUrl.slice("http://".length)}`);
  expect(r.headers["content-length"]).toBe("0");
});

test("offer resources carry allocation_info role * for MULTI_ROLE frameworks, and none otherwise", async () => {
  const multi = await Scheduler.subscribe(cluster.masterUrl, {
    capabilities: [{ type: "MULTI_ROLE" }],
    roles: ["*"],
  });
  const offer = await drainOffers(multi);
  for (const r of offer.resources) expect(r.allocation_info).toEqual({ role: "*" });
  expect(offer.allocation_info).toEqual({ role: "*" });
  await multi.call("TEARDOWN");
  const plain = await Scheduler.subscribe(cluster.masterUrl);
  const plainOffer = await drainOffers(plain);
  for (const r of plainOffer.resources) {
    expect(r.allocation_info).toBeUndefined();
    expect(r.role).toBe("*");
  }
  expect(plainOffer.resources.map((r: Json) => r.name)[0]).toBe("ports");
  await plain.call("TEARDOWN");
});

test("updates of a task are delivered one at a time until acknowledged", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = await drainOffers(s);
  await s.launch(offer, [commandTask("unacked", "sleep 30")]);
  const starting = await s.sub.update("unacked", "TASK_STARTING");
  expect(starting.uuid).toBeDefined();
  await sleep(500);
  expect(s.sub.events.filter((e) => e.type === "UPDATE").map((e) => e.update.status.state)).toEqual([
    "TASK_STARTING",
  ]);
  await s.ack(starting);
  const running = await s.sub.update("unacked", "TASK_RUNNING", 2000);
  expect(running.source).toBe("SOURCE_EXECUTOR");
  await s.call("TEARDOWN");
});

describe("executor UPDATE uuids", () => {
  test("must be present and a valid RFC 4122 UUID", async () => {
    const s = await Scheduler.subscribe(cluster.masterUrl);
    const offer = await drainOffers(s);
    // The executor command never subscribes; the test subscribes in its place.
    await s.launch(offer, [customTask("uuid-task", "uuid-exec", "sleep 30")]);
    await sleep(100);
    const agent = cluster.agents[0]!;
    const ids = { framework_id: { value: s.frameworkId }, executor_id: { value: "uuid-exec" } };
    const exec = await Subscription.open(`${agent.url}/api/v1/executor`, {
      ...ids,
      type: "SUBSCRIBE",
      subscribe: {},
    });
    expect(exec.status).toBe(200);
    await exec.next((e) => e.type === "LAUNCH");
    const send = (status: Json) =>
      post(
        `${agent.url}/api/v1/executor`,
        JSON.stringify({ ...ids, type: "UPDATE", update: { status } }),
        JSON_HEADERS,
      );
    const base = { task_id: { value: "uuid-task" }, state: "TASK_RUNNING", source: "SOURCE_EXECUTOR" };
    expect(await send(base)).toMatchObject({
      status: 400,
      body: "Failed to validate Executor::Call: Expecting 'uuid' to be present",
    });
    const zero = Buffer.alloc(16).toString("base64");
    expect(await send({ ...base, uuid: zero })).toMatchObject({
      status: 400,
      body: "Failed to validate Executor::Call: Not a valid UUID",
    });
    const v4 = Buffer.from(crypto.randomUUID().replaceAll("-", ""), "hex").toString("base64");
    expect(await send({ ...base, uuid: v4 })).toMatchObject({ status: 202, body: "" });
    const acked = await exec.next((e) => e.type === "ACKNOWLEDGED");
    expect(acked.acknowledged.uuid).toBe(v4);
    const running = await s.sub.update("uuid-task", "TASK_RUNNING");
    expect(running.uuid).toBe(v4);
    exec.close();
    await s.call("TEARDOWN");
  });
});

test("a custom executor that exits gives FAILURE with the wait status and fails its task", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = await drainOffers(s);
  await s.launch(offer, [customTask("victim", "dying-exec", "exit 3")]);
  const failure = await s.sub.next((e) => e.type === "FAILURE");
  expect(failure.failure).toEqual({
    agent_id: offer.agent_id,
    executor_id: { value: "dying-exec" },
    status: 768,
  });
  const failed = await s.sub.update("victim", "TASK_FAILED");
  expect(failed).toMatchObject({
    reason: "REASON_EXECUTOR_TERMINATED",
    source: "SOURCE_AGENT",
    message: "Executor terminated",
    executor_id: { value: "dying-exec" },
  });
  expect(failed.uuid).toBeDefined();
  expect(s.sub.types().indexOf("FAILURE")).toBeLessThan(
    s.sub.events.findIndex((e) => e.update?.status.state === "TASK_FAILED"),
  );
  await s.call("TEARDOWN");
});

test("KILL of a command task gives TASK_KILLED 'Command terminated with signal Terminated'", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = await drainOffers(s);
  await s.launch(offer, [commandTask("sleeper", "sleep 60")]);
  await s.until("sleeper", "TASK_RUNNING");
  expect((await s.call("KILL", { kill: { task_id: { value: "sleeper" } } })).status).toBe(202);
  const killed = await s.until("sleeper", "TASK_KILLED");
  expect(killed).toMatchObject({
    message: "Command terminated with signal Terminated",
    source: "SOURCE_EXECUTOR",
  });
  await s.call("TEARDOWN");
});

test("reconciling a finished-and-acknowledged or unknown task answers TASK_LOST 'Task is unknown' without uuid", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = await drainOffers(s);
  await s.launch(offer, [commandTask("done", "true")]);
  await s.until("done", "TASK_FINISHED");
  await sleep(50);
  const r = await s.call("RECONCILE", {
    reconcile: { tasks: [{ task_id: { value: "done" } }, { task_id: { value: "never-existed" } }] },
  });
  expect(r.status).toBe(202);
  for (const id of ["done", "never-existed"]) {
    const status = await s.sub.update(id, "TASK_LOST");
    expect(status).toMatchObject({
      reason: "REASON_RECONCILIATION",
      source: "SOURCE_MASTER",
      message: "Reconciliation: Task is unknown",
    });
    expect(status.uuid).toBeUndefined();
  }
  await s.call("TEARDOWN");
});

test("a second SUBSCRIBE with the same framework id takes over: the first stream gets ERROR and closes", async () => {
  const first = await Scheduler.subscribe(cluster.masterUrl, { failover_timeout: 60 });
  const id = first.frameworkId;
  const second = await Scheduler.subscribe(cluster.masterUrl, { id: { value: id }, failover_timeout: 60 });
  expect(second.frameworkId).toBe(id);
  const error = await first.sub.next((e) => e.type === "ERROR");
  expect(error.error.message).toBe("Framework failed over");
  await first.sub.next(() => false, 2000).catch(() => undefined);
  expect(first.sub.ended).toBe(true);
  await second.call("TEARDOWN");
});

test("ACCEPT of an offer id that does not exist, with no operations, is 202 and nothing happens", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  await drainOffers(s);
  const before = s.sub.events.length;
  const r = await s.call("ACCEPT", { accept: { offer_ids: [{ value: "no-such-offer" }], operations: [] } });
  expect([r.status, r.body]).toEqual([202, ""]);
  await sleep(300);
  expect(s.sub.events.slice(before).filter((e) => e.type !== "OFFERS" && e.type !== "HEARTBEAT")).toEqual([]);
  await s.call("TEARDOWN");
});

test("JSON input: int64 and doubles as numbers or strings, unknown (camelCase) keys ignored", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = await drainOffers(s);
  const task = {
    ...commandTask("grace", "sleep 60"),
    kill_policy: { grace_period: { nanoseconds: "1000000000" } },
  };
  const r = await s.call("ACCEPT", {
    accept: {
      offer_ids: [offer.id],
      operations: [{ type: "LAUNCH", launch: { task_infos: [{ ...task, agent_id: offer.agent_id }] } }],
      filters: { refuse_seconds: "0.5" },
    },
  });
  expect(r.status).toBe(202);
  await s.until("grace", "TASK_RUNNING");
  const camel = await post(api, JSON.stringify({ frameworkId: { value: s.frameworkId }, type: "REVIVE" }), {
    ...JSON_HEADERS,
    "Mesos-Stream-Id": s.sub.streamId,
  });
  expect([camel.status, camel.body]).toEqual([
    400,
    "Failed to validate scheduler::Call: Expecting 'framework_id' to be present",
  ]);
  const numeric = await s.call("KILL", {
    kill: { task_id: { value: "grace" }, kill_policy: { grace_period: { nanoseconds: 500000000 } } },
  });
  expect(numeric.status).toBe(202);
  await s.until("grace", "TASK_KILLED");
  await s.call("TEARDOWN");
});
