// The recorded scenarios (../shared/reference/mesos-captures/scenarios) and the rest of the master's and agents'
// semantics, through raw HTTP.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalCluster, NO_DOCKER_MESSAGE } from "../src/index.js";
import {
  commandTask,
  customTask,
  ECHO_EXECUTOR,
  FIXTURES,
  type Json,
  post,
  Scheduler,
  Subscription,
  scalars,
  sleep,
  teardownAll,
} from "./helpers.js";

let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await LocalCluster.start({
    resources: { cpus: 4, mem: 4096, disk: 4096, ports: [[31000, 32000]] },
    attributes: { rack: "r1" },
    allocationIntervalMs: 200,
  });
});
afterEach(() => teardownAll());
afterAll(() => cluster.stop());

test("01 executor reuse: tasks with the same ExecutorInfo share one executor; a different one is TASK_ERROR; KILL reaches it", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  let offer = (await s.sub.offers())[0];
  const agent = cluster.agents[0]!;
  await s.launch(offer, [customTask("reuse-1", "shared-exec", "sleep 60", "hang")], 0);
  await sleep(100);
  const ids = { framework_id: { value: s.frameworkId }, executor_id: { value: "shared-exec" } };
  const exec = await Subscription.open(`${agent.url}/api/v1/executor`, {
    ...ids,
    type: "SUBSCRIBE",
    subscribe: {},
  });
  const subscribed = await exec.next((e) => e.type === "SUBSCRIBED");
  expect(subscribed.subscribed.executor_info.framework_id.value).toBe(s.frameworkId);
  expect(subscribed.subscribed.framework_info.id.value).toBe(s.frameworkId);
  expect(subscribed.subscribed.agent_info.id.value).toBe(agent.id);
  const launch1 = await exec.next((e) => e.type === "LAUNCH");
  expect(launch1.launch.task.resources[0].allocation_info).toEqual({ role: "*" });
  offer = await s.sub
    .next((e) => e.type === "OFFERS" && e.offers.offers[0].executor_ids !== undefined)
    .then((e) => e.offers.offers[0]);
  expect(offer.executor_ids).toEqual([{ value: "shared-exec" }]);
  const mark = s.sub.events.length;
  await s.launch(offer, [customTask("reuse-2", "shared-exec", "sleep 60")], 0);
  await exec.next((e) => e.type === "LAUNCH" && e.launch.task.task_id.value === "reuse-2");
  expect(exec.events.filter((e) => e.type === "SUBSCRIBED")).toHaveLength(1);
  const offer3 = (await s.sub.offers(mark))[0];
  await s.launch(offer3, [customTask("reuse-conflict", "shared-exec", "true")], 0);
  const conflict = await s.sub.update("reuse-conflict", "TASK_ERROR");
  expect(conflict.reason).toBe("REASON_TASK_INVALID");
  expect(conflict.source).toBe("SOURCE_MASTER");
  expect(conflict.uuid).toBeUndefined();
  expect(conflict.message).toMatch(
    /^ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID\.\n-+\nExisting ExecutorInfo:\nexecutor_id \{\n {2}value: "shared-exec"\n\}/,
  );
  await s.call("KILL", { kill: { task_id: { value: "reuse-1" } } });
  const kill = await exec.next((e) => e.type === "KILL");
  expect(kill.kill.task_id.value).toBe("reuse-1");
  exec.close();
  await s.call("TEARDOWN");
});

test("03 invalid launches: too big, duplicate id, unknown offer, neither command nor executor", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  let offer = (await s.sub.offers())[0];
  let mark = s.sub.events.length;
  await s.launch(offer, [commandTask("too-big", "true", { cpus: 1000, mem: 32 })], 0);
  const tooBig = await s.sub.update("too-big", "TASK_ERROR");
  expect(tooBig).toMatchObject({ reason: "REASON_TASK_INVALID", source: "SOURCE_MASTER" });
  expect(tooBig.message).toBe(
    "Total resources cpus(allocated: *):1000; mem(allocated: *):32 required by task and its executor is more than available cpus(allocated: *):4; mem(allocated: *):4096; disk(allocated: *):4096; ports(allocated: *):[31000-32000]",
  );
  offer = (await s.sub.offers(mark))[0];
  mark = s.sub.events.length;
  await s.launch(offer, [commandTask("dup", "sleep 60"), commandTask("dup", "sleep 60")], 0);
  const dup = await s.sub.update("dup", "TASK_ERROR");
  expect(dup.message).toBe("Task has duplicate ID: dup");
  await s.until("dup", "TASK_RUNNING");
  const errorIndex = s.sub.events.findIndex(
    (e) => e.update?.status.state === "TASK_ERROR" && e.update.status.task_id.value === "dup",
  );
  const startIndex = s.sub.events.findIndex(
    (e) => e.update?.status.state === "TASK_STARTING" && e.update.status.task_id.value === "dup",
  );
  expect(errorIndex).toBeLessThan(startIndex);
  await s.launch({ id: { value: "no-such-offer" }, agent_id: offer.agent_id }, [
    commandTask("ghost", "true"),
  ]);
  const ghost = await s.sub.update("ghost", "TASK_LOST");
  expect(ghost).toMatchObject({
    reason: "REASON_INVALID_OFFERS",
    message: "Task launched with invalid offers: Offer no-such-offer is no longer valid",
  });
  offer = (await s.sub.offers(mark))[0];
  await s.launch(
    offer,
    [{ name: "x", task_id: { value: "no-command" }, resources: scalars({ cpus: 0.1 }) }],
    0,
  );
  const none = await s.sub.update("no-command", "TASK_ERROR");
  expect(none.message).toBe(
    "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present",
  );
  await s.call("TEARDOWN");
});

test("04 failover inside the timeout: same id back, task kept, reconciliation gives the latest state", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl, { failover_timeout: 30 });
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [commandTask("survivor", "sleep 60")]);
  await s.until("survivor", "TASK_RUNNING");
  const id = s.frameworkId;
  s.sub.close();
  await sleep(300);
  const again = await Scheduler.subscribe(cluster.masterUrl, { id: { value: id }, failover_timeout: 30 });
  expect(again.frameworkId).toBe(id);
  await again.call("RECONCILE", {
    reconcile: { tasks: [{ task_id: { value: "survivor" }, agent_id: offer.agent_id }] },
  });
  const explicit = await again.sub.update("survivor", "TASK_RUNNING");
  expect(explicit).toMatchObject({
    reason: "REASON_RECONCILIATION",
    source: "SOURCE_MASTER",
    message: "Reconciliation: Latest task state",
  });
  expect(explicit.uuid).toBeUndefined();
  const seen = again.sub.events.length;
  await again.call("RECONCILE", { reconcile: { tasks: [] } });
  await again.sub.next(
    (e) => e.type === "UPDATE" && e.update.status.task_id.value === "survivor",
    5000,
    seen,
  );
  await again.call("TEARDOWN");
});

test("05 failover timeout expired: 200 then a single ERROR 'Framework has been removed', its task killed", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl, { failover_timeout: 0.3 });
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [commandTask("orphan", "sleep 60")]);
  await s.until("orphan", "TASK_RUNNING");
  const id = s.frameworkId;
  s.sub.close();
  await sleep(800);
  const body = {
    framework_id: { value: id },
    type: "SUBSCRIBE",
    subscribe: { framework_info: { user: "root", name: "x", id: { value: id } } },
  };
  const sub = await Subscription.open(`${cluster.masterUrl}/api/v1/scheduler`, body);
  expect(sub.status).toBe(200);
  await sub.next(() => false, 2000).catch(() => undefined);
  expect(sub.ended).toBe(true);
  expect(sub.events).toEqual([{ type: "ERROR", error: { message: "Framework has been removed" } }]);
  const state = JSON.parse((await post(`${cluster.masterUrl}/master/state`, "", {}, "GET")).body);
  const removed = state.completed_frameworks.find((f: Json) => f.id === id);
  expect(removed.completed_tasks.map((t: Json) => [t.id, t.state])).toEqual([["orphan", "TASK_KILLED"]]);
});

test("06 offer cycle: refusals hold resources back, SUPPRESS stops offers, REVIVE brings them at once", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  const declinedAt = Date.now();
  const mark0 = s.sub.events.length;
  await s.call("DECLINE", { decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0.5 } } });
  await s.sub.offers(mark0);
  expect(Date.now() - declinedAt).toBeGreaterThanOrEqual(450);
  await s.call("SUPPRESS");
  const offers = s.sub.events.filter((e) => e.type === "OFFERS").flatMap((e) => e.offers.offers);
  for (const o of offers)
    await s.call("DECLINE", { decline: { offer_ids: [o.id], filters: { refuse_seconds: 0 } } });
  const mark = s.sub.events.length;
  await sleep(600);
  expect(s.sub.events.slice(mark).filter((e) => e.type === "OFFERS")).toEqual([]);
  const revivedAt = Date.now();
  await s.call("REVIVE");
  await s.sub.offers(mark);
  expect(Date.now() - revivedAt).toBeLessThan(100);
  // Offers neither used nor declined stay with the framework: no RESCIND without an offer timeout.
  await sleep(500);
  expect(s.sub.types()).not.toContain("RESCIND");
  await s.call("TEARDOWN");
});

test("UPDATE_FRAMEWORK answers 200 synchronously and applies suppressed roles", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl, { name: "before" });
  const offer = (await s.sub.offers())[0];
  await s.call("DECLINE", { decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0 } } });
  const info = { user: "root", name: "after", id: { value: s.frameworkId } };
  const r = await s.call("UPDATE_FRAMEWORK", {
    update_framework: { framework_info: info, suppressed_roles: ["*"] },
  });
  expect([r.status, r.body]).toEqual([200, ""]);
  const mark = s.sub.events.length;
  await sleep(500);
  expect(s.sub.events.slice(mark).filter((e) => e.type === "OFFERS")).toEqual([]);
  const state = JSON.parse((await post(`${cluster.masterUrl}/master/state`, "", {}, "GET")).body);
  expect(state.frameworks.find((f: Json) => f.id === s.frameworkId).name).toBe("after");
  const missing = await s.call("UPDATE_FRAMEWORK");
  expect([missing.status, missing.body]).toEqual([
    400,
    "Failed to validate scheduler::Call: Expecting 'update_framework' to be present",
  ]);
});

test("07 without ACKNOWLEDGE only TASK_STARTING arrives; the next update comes right after the ACK", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [commandTask("gated", "true")]);
  const starting = await s.sub.update("gated", "TASK_STARTING");
  await sleep(400);
  expect(s.sub.events.filter((e) => e.type === "UPDATE")).toHaveLength(1);
  const ackedAt = Date.now();
  await s.ack(starting);
  await s.sub.update("gated", "TASK_RUNNING");
  expect(Date.now() - ackedAt).toBeLessThan(100);
  await s.call("TEARDOWN");
});

test("a custom executor process gets Mesos's environment and runs its tasks", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl, { checkpoint: true });
  const offer = (await s.sub.offers())[0];
  const envFile = join(cluster.workDir, "echo-env.json");
  const command = `ECHO_EXECUTOR_ENV_FILE=${envFile} ${ECHO_EXECUTOR}`;
  await s.launch(offer, [customTask("echo-1", "echo-exec", command, "payload")]);
  const finished = await s.until("echo-1", "TASK_FINISHED");
  expect(Buffer.from(finished.data, "base64").toString()).toBe("payload");
  const env = JSON.parse(readFileSync(envFile, "utf8"));
  const agent = cluster.agents[0]!;
  expect(env).toMatchObject({
    MESOS_AGENT_ENDPOINT: agent.endpoint,
    MESOS_FRAMEWORK_ID: s.frameworkId,
    MESOS_EXECUTOR_ID: "echo-exec",
    MESOS_CHECKPOINT: "1",
    MESOS_SUBSCRIPTION_BACKOFF_MAX: "2secs",
    MESOS_RECOVERY_TIMEOUT: "15mins",
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs",
    MESOS_SLAVE_ID: agent.id,
    MESOS_HTTP_COMMAND_EXECUTOR: "0",
  });
  expect(env.MESOS_SANDBOX).toBe(env.MESOS_DIRECTORY);
  expect(env.MESOS_DIRECTORY).toContain(join("frameworks", s.frameworkId, "executors", "echo-exec", "runs"));
  await s.call("TEARDOWN");
});

test("command tasks run /bin/sh -c in a sandbox with stdout and stderr files; a failing one is TASK_FAILED", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [commandTask("out", "echo hello; echo oops >&2; pwd"), commandTask("bad", "exit 7")]);
  const finished = await s.until("out", "TASK_FINISHED");
  expect(finished.message).toBe("Command exited with status 0");
  const failed = await s.until("bad", "TASK_FAILED");
  expect(failed.message).toBe("Command exited with status 7");
  const state = JSON.parse((await post(`${cluster.masterUrl}/master/state`, "", {}, "GET")).body);
  const fw = state.frameworks.find((f: Json) => f.id === s.frameworkId);
  expect(fw.completed_tasks.map((t: Json) => t.state).sort()).toEqual(["TASK_FAILED", "TASK_FINISHED"]);
  await s.call("TEARDOWN");
});

test("a DOCKER container is refused with TASK_FAILED saying there is no Docker engine", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [
    { ...commandTask("docker", "true"), container: { type: "DOCKER", docker: { image: "alpine" } } },
  ]);
  const failed = await s.until("docker", "TASK_FAILED");
  expect(failed).toMatchObject({
    message: NO_DOCKER_MESSAGE,
    reason: "REASON_CONTAINER_LAUNCH_FAILED",
    source: "SOURCE_AGENT",
  });
  await s.call("TEARDOWN");
});

test("LAUNCH_GROUP runs a task group under the default executor", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  const executor = {
    type: "DEFAULT",
    executor_id: { value: "group-exec" },
    resources: scalars({ cpus: 0.1, mem: 32, disk: 10 }),
  };
  const tasks = ["g1", "g2"].map((id) => ({ ...commandTask(id, "true"), agent_id: offer.agent_id }));
  await s.call("ACCEPT", {
    accept: {
      offer_ids: [offer.id],
      operations: [{ type: "LAUNCH_GROUP", launch_group: { executor, task_group: { tasks } } }],
    },
  });
  for (const id of ["g1", "g2"]) {
    const done = await s.until(id, "TASK_FINISHED");
    expect(done.executor_id).toEqual({ value: "group-exec" });
  }
  await s.call("TEARDOWN");
});

test("TEARDOWN kills the framework's tasks and ends its stream", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [commandTask("long", "sleep 60")]);
  await s.until("long", "TASK_RUNNING");
  expect((await s.call("TEARDOWN")).status).toBe(202);
  await s.sub.next(() => false, 2000).catch(() => undefined);
  expect(s.sub.ended).toBe(true);
  const state = JSON.parse((await post(`${cluster.masterUrl}/master/state`, "", {}, "GET")).body);
  expect(state.frameworks.find((f: Json) => f.id === s.frameworkId)).toBeUndefined();
  expect(state.slaves[0].used_resources.cpus).toBe(0);
});

test("offers held past the offer timeout are rescinded", async () => {
  await using local = await LocalCluster.start({
    resources: { cpus: 1, mem: 256 },
    offerTimeoutMs: 200,
    allocationIntervalMs: 5000,
  });
  const s = await Scheduler.subscribe(local.masterUrl);
  const offer = (await s.sub.offers())[0];
  const rescind = await s.sub.next((e) => e.type === "RESCIND", 2000);
  expect(rescind.rescind.offer_id).toEqual(offer.id);
  await s.sub.next((e) => e.type === "OFFERS" && e.offers.offers[0].id.value !== offer.id.value, 2000);
});

test("removing an agent rescinds its offers, loses its tasks and sends FAILURE", async () => {
  await using local = await LocalCluster.start({
    agents: 2,
    resources: { cpus: 1, mem: 256 },
    allocationIntervalMs: 200,
  });
  const s = await Scheduler.subscribe(local.masterUrl);
  const offers = await s.sub.offers();
  const [first, second] = [offers[0], offers[1]];
  await s.launch(first, [commandTask("lost", "sleep 60")]);
  await s.until("lost", "TASK_RUNNING");
  await local.removeAgent(
    second.agent_id.value === first.agent_id.value ? offers[0].agent_id.value : second.agent_id.value,
  );
  await s.sub.next((e) => e.type === "RESCIND");
  await local.removeAgent(first.agent_id.value);
  const lost = await s.sub.update("lost", "TASK_LOST");
  expect(lost).toMatchObject({ reason: "REASON_AGENT_REMOVED", source: "SOURCE_MASTER" });
  const failure = await s.sub.next(
    (e) => e.type === "FAILURE" && e.failure.agent_id.value === first.agent_id.value,
  );
  expect(failure.failure.executor_id).toBeUndefined();
  expect(local.agents).toHaveLength(0);
});

test("restartAgent drops executor streams and takes them back on the same port", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl, { checkpoint: true });
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [customTask("held", "held-exec", "sleep 60")]);
  await sleep(100);
  const agent = cluster.agents[0]!;
  const ids = { framework_id: { value: s.frameworkId }, executor_id: { value: "held-exec" } };
  const exec = await Subscription.open(`${agent.url}/api/v1/executor`, {
    ...ids,
    type: "SUBSCRIBE",
    subscribe: {},
  });
  await exec.next((e) => e.type === "LAUNCH");
  const restarting = cluster.restartAgent(agent.id, { downMs: 200 });
  await exec.next(() => false, 2000).catch(() => undefined);
  expect(exec.ended).toBe(true);
  await restarting;
  expect(cluster.agents[0]!.url).toBe(agent.url);
  const back = await Subscription.open(`${agent.url}/api/v1/executor`, {
    ...ids,
    type: "SUBSCRIBE",
    subscribe: { unacknowledged_tasks: [exec.events.find((e) => e.type === "LAUNCH").launch.task] },
  });
  expect(back.status).toBe(200);
  await back.next((e) => e.type === "SUBSCRIBED");
  back.close();
  await s.call("TEARDOWN");
});

test("HTTP basic authentication: 401 with WWW-Authenticate on a wrong secret", async () => {
  await using local = await LocalCluster.start({
    credentials: [{ principal: "p", secret: "s" }],
    resources: { cpus: 1, mem: 256 },
  });
  const body = JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { user: "u", name: "n" } } });
  const wrong = await post(`${local.masterUrl}/api/v1/scheduler`, body, {
    "Content-Type": "application/json",
    Authorization: `Basic ${Buffer.from("p:nope").toString("base64")}`,
  });
  expect(wrong.status).toBe(401);
  expect(wrong.headers["www-authenticate"]).toBe('Basic realm="mesos-master-scheduler"');
  const sub = await Subscription.open(`${local.masterUrl}/api/v1/scheduler`, JSON.parse(body), {
    headers: { Authorization: `Basic ${Buffer.from("p:s").toString("base64")}` },
  });
  expect(sub.status).toBe(200);
  sub.close();
});

test("/master/state, /version and /health are shaped like Mesos's", async () => {
  const state = JSON.parse((await post(`${cluster.masterUrl}/master/state`, "", {}, "GET")).body);
  expect(state).toMatchObject({
    version: "1.12.0",
    activated_slaves: 1,
    leader_info: { port: Number(new URL(cluster.masterUrl).port) },
  });
  expect(state.slaves[0]).toMatchObject({
    id: cluster.agents[0]!.id,
    attributes: { rack: "r1" },
    resources: { cpus: 4, mem: 4096, ports: "[31000-32000]" },
  });
  const version = JSON.parse((await post(`${cluster.masterUrl}/version`, "", {}, "GET")).body);
  expect(Object.keys(version).sort()).toEqual(["build_date", "build_time", "build_user", "version"]);
  expect((await post(`${cluster.masterUrl}/health`, "", {}, "GET")).status).toBe(200);
  expect((await post(`${cluster.masterUrl}/no-such-endpoint`, "", {}, "GET")).status).toBe(404);
});

test("SHUTDOWN reaches the executor; one that outlives the grace period is killed and its tasks lost", async () => {
  await using local = await LocalCluster.start({
    resources: { cpus: 1, mem: 256 },
    allocationIntervalMs: 200,
    executorShutdownGracePeriodMs: 200,
  });
  const s = await Scheduler.subscribe(local.masterUrl);
  const offer = (await s.sub.offers())[0];
  await s.launch(offer, [customTask("stuck", "stuck-exec", "sleep 30")]);
  await sleep(100);
  const agent = local.agents[0]!;
  const ids = { framework_id: { value: s.frameworkId }, executor_id: { value: "stuck-exec" } };
  const exec = await Subscription.open(`${agent.url}/api/v1/executor`, {
    ...ids,
    type: "SUBSCRIBE",
    subscribe: {},
  });
  await exec.next((e) => e.type === "LAUNCH");
  const r = await s.call("SHUTDOWN", {
    shutdown: { executor_id: { value: "stuck-exec" }, agent_id: offer.agent_id },
  });
  expect(r.status).toBe(202);
  await exec.next((e) => e.type === "SHUTDOWN");
  const failure = await s.sub.next((e) => e.type === "FAILURE");
  expect(failure.failure.status).toBe(9);
  const lost = await s.sub.update("stuck", "TASK_LOST");
  expect(lost).toMatchObject({ reason: "REASON_EXECUTOR_TERMINATED", source: "SOURCE_AGENT" });
  exec.close();
});

test("CommandInfo.uris are fetched into the sandbox first; an unreachable one fails the launch", async () => {
  const s = await Scheduler.subscribe(cluster.masterUrl);
  const offer = (await s.sub.offers())[0];
  const script = join(FIXTURES, "hello.sh");
  const fetched = { ...commandTask("fetched", "./hello.sh > out.txt && grep -q fetched-ok out.txt") };
  fetched.command.uris = [{ value: script, executable: true }];
  const missing = { ...commandTask("unfetchable", "true") };
  missing.command.uris = [{ value: join(FIXTURES, "no-such-file") }];
  await s.launch(offer, [fetched, missing]);
  await s.until("fetched", "TASK_FINISHED");
  const failed = await s.until("unfetchable", "TASK_FAILED");
  expect(failed).toMatchObject({ reason: "REASON_CONTAINER_LAUNCH_FAILED", source: "SOURCE_AGENT" });
  expect(failed.message).toMatch(
    /^Failed to fetch all URIs for container '.+': Failed to fetch '.*no-such-file'/,
  );
});
