import { LocalCluster } from "@satyr/local";
import { encodeTaskPayload, TaskState, TaskStatus_Reason, TaskStatus_Source } from "@satyr/proto";
import { clusterTask, RawScheduler, satyrExecutorInfo } from "./helpers/raw-scheduler.js";
import { resultOf } from "./helpers/tasks.js";

// satyr-executor as a real child process of a LocalCluster agent, driven by raw scheduler calls.
describe("satyr-executor on a LocalCluster", () => {
  let cluster: LocalCluster;
  let framework: RawScheduler;

  beforeEach(async () => {
    cluster = await LocalCluster.start({
      agents: 1,
      allocationIntervalMs: 50,
      resources: { cpus: 4, mem: 4096, disk: 4096 },
    });
  });
  afterEach(async () => {
    await framework?.teardown();
    await cluster.stop();
  });

  test("a function task end to end, then more tasks on the same executor", async () => {
    framework = await RawScheduler.subscribe(cluster.masterUrl);
    // RUNNING at once, so the first task's updates are exactly RUNNING, FINISHED (the default skips RUNNING for
    // tasks ending within 20 ms, which depends on timing).
    const executor = satyrExecutorInfo(framework.frameworkId, "satyr-e2e", {
      SATYR_EXECUTOR_RUNNING_DELAY: "0",
    });
    let offer = await framework.offer();
    await framework.launch(offer, [
      clusterTask("sum", offer, executor, (xs: number[]) => xs.reduce((a, b) => a + b, 0), [[[0, 1, 2, 3]]]),
    ]);
    const finished = await framework.terminal("sum");
    expect(finished.state).toBe(TaskState.TASK_FINISHED);
    expect(finished.source).toBe(TaskStatus_Source.EXECUTOR);
    expect(resultOf(finished).outcomes).toEqual([{ ok: true, value: 6 }]);
    expect(framework.updatesOf("sum").map((s) => s.state)).toEqual([
      TaskState.TASK_RUNNING,
      TaskState.TASK_FINISHED,
    ]);

    offer = await framework.offer();
    await framework.launch(
      offer,
      [1, 2, 3].map((i) =>
        clusterTask(`mul-${i}`, offer, executor, (a: number, b: number) => a * b, [[i, 10]]),
      ),
    );
    for (const i of [1, 2, 3]) {
      expect(resultOf(await framework.terminal(`mul-${i}`)).outcomes).toEqual([{ ok: true, value: i * 10 }]);
    }
    // One executor ran them all: no executor failure, a single process.
    expect(framework.failures).toEqual([]);
  });

  test("KILL stops a running task (TASK_KILLED); a worker crash fails only its task; bad payloads fail clearly", async () => {
    framework = await RawScheduler.subscribe(cluster.masterUrl);
    const executor = satyrExecutorInfo(framework.frameworkId, "satyr-faults");
    const offer = await framework.offer();
    const otherVersion = encodeTaskPayload({ fn: { kind: "source", source: "() => 1" }, calls: [[]] });
    otherVersion[4] = 7;
    await framework.launch(offer, [
      clusterTask("spin", offer, executor, () => {
        for (;;) {}
      }),
      clusterTask("crash", offer, executor, () => process.exit(9)),
      clusterTask("version", offer, executor, otherVersion),
      clusterTask("garbage", offer, executor, new Uint8Array([1, 2, 3, 4, 5, 6])),
      clusterTask("no-export", offer, executor, { kind: "module", module: "node:path", export: "nope" }),
      clusterTask("fine", offer, executor, () => "fine"),
    ]);
    await framework.waitFor(() => framework.updatesOf("spin").length > 0, "spin RUNNING");
    await framework.kill("spin", offer.agentId!.value);
    expect((await framework.terminal("spin")).state).toBe(TaskState.TASK_KILLED);
    const crash = await framework.terminal("crash");
    expect(crash.state).toBe(TaskState.TASK_FAILED);
    expect(crash.message).toContain("exited with code 9");
    const version = await framework.terminal("version");
    expect(version.reason).toBe(TaskStatus_Reason.TASK_INVALID);
    expect(version.message).toContain("format version 7");
    expect((await framework.terminal("garbage")).message).toContain("not a satyr task payload");
    expect((await framework.terminal("no-export")).message).toContain('has no export "nope"');
    expect(resultOf(await framework.terminal("fine")).outcomes).toEqual([{ ok: true, value: "fine" }]);
    expect(framework.failures).toEqual([]);
  });

  test("SHUTDOWN of the executor kills its tasks and the executor exits", async () => {
    framework = await RawScheduler.subscribe(cluster.masterUrl);
    const executor = satyrExecutorInfo(framework.frameworkId, "satyr-shutdown");
    const offer = await framework.offer();
    await framework.launch(offer, [clusterTask("sleeper", offer, executor, () => new Promise(() => {}))]);
    await framework.waitFor(() => framework.updatesOf("sleeper").length > 0, "sleeper RUNNING");
    await framework.shutdown("satyr-shutdown", offer.agentId!.value);
    const killed = await framework.terminal("sleeper");
    expect(killed.state).toBe(TaskState.TASK_KILLED);
    expect(killed.source).toBe(TaskStatus_Source.EXECUTOR);
    expect(killed.message).toBe("the executor was shut down");
    await framework.waitFor(() => framework.failures.length > 0, "the executor's exit");
    expect(framework.failures[0]?.executorId?.value).toBe("satyr-shutdown");
  });

  test("agent restart: a checkpointing executor resubscribes and its updates arrive", async () => {
    framework = await RawScheduler.subscribe(cluster.masterUrl, { checkpoint: true });
    const executor = satyrExecutorInfo(framework.frameworkId, "satyr-restart");
    const offer = await framework.offer();
    await framework.launch(offer, [
      clusterTask(
        "across",
        offer,
        executor,
        () => new Promise((resolve) => setTimeout(() => resolve("done"), 600)),
      ),
    ]);
    await framework.waitFor(() => framework.updatesOf("across").length > 0, "across RUNNING");
    // The task finishes while the agent is down: its update waits in the executor and is resent.
    await cluster.restartAgent(cluster.agents[0]!.id, { downMs: 1000 });
    const finished = await framework.terminal("across");
    expect(finished.state).toBe(TaskState.TASK_FINISHED);
    expect(resultOf(finished).outcomes).toEqual([{ ok: true, value: "done" }]);
    // The same executor process carries on.
    const next = await framework.offer();
    await framework.launch(next, [clusterTask("after", next, executor, () => "after")]);
    expect(resultOf(await framework.terminal("after")).outcomes).toEqual([{ ok: true, value: "after" }]);
    expect(framework.failures).toEqual([]);
  });
});
