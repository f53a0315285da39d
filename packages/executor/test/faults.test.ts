import { encodeTaskPayload, TaskState, TaskStatus_Reason } from "@satyr/proto";
import { startHarness } from "./helpers/harness.js";
import { functionTask, rawTask, resultOf } from "./helpers/tasks.js";

// What goes wrong inside tasks stays inside that task: the executor keeps serving the others.
describe("faults", () => {
  test("KILL terminates a CPU-bound task's worker (TASK_KILLED) while other tasks keep running", async () => {
    const harness = await startHarness({ agent: { executorCpus: 2 } });
    const { agent } = harness;
    try {
      agent.launch(
        functionTask("spin", () => {
          for (;;) {}
        }),
      );
      await agent.waitFor(() => agent.updatesOf("spin").length > 0, "spin RUNNING");
      // The spinning worker blocks neither the executor's event loop nor the second worker.
      agent.launch(functionTask("meanwhile", (x: number) => x + 1, [[1]]));
      expect(resultOf(await agent.terminal("meanwhile")).outcomes).toEqual([{ ok: true, value: 2 }]);
      agent.kill("spin");
      const killed = await agent.terminal("spin");
      expect(killed.state).toBe(TaskState.TASK_KILLED);
      expect(killed.message).toBe("killed on request");
      // The killed worker was replaced: tasks still run.
      agent.launch(functionTask("after-kill", () => "still here"));
      expect(resultOf(await agent.terminal("after-kill")).outcomes).toEqual([
        { ok: true, value: "still here" },
      ]);
    } finally {
      await harness.close();
    }
  });

  test("a queued task is not reported RUNNING; KILL of it answers TASK_KILLED without running it", async () => {
    const harness = await startHarness({ agent: { executorCpus: 0.5 } });
    const { agent } = harness;
    try {
      agent.launch(
        functionTask("busy", () => new Promise((resolve) => setTimeout(() => resolve("done"), 300))),
      );
      agent.launch(functionTask("queued", () => "ran"));
      await agent.waitFor(() => agent.updatesOf("busy").length > 0, "busy RUNNING");
      // One worker (under one cpu in all): "queued" waits behind "busy", so it must not claim to run.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(agent.updatesOf("queued")).toHaveLength(0);
      agent.kill("queued");
      expect((await agent.terminal("queued")).state).toBe(TaskState.TASK_KILLED);
      expect(agent.updatesOf("queued").map((u) => u.state)).toEqual([TaskState.TASK_KILLED]);
      expect((await agent.terminal("busy")).state).toBe(TaskState.TASK_FINISHED);
    } finally {
      await harness.close();
    }
  });

  test("SHUTDOWN kills every task, sends their TASK_KILLED and ends the run within the grace period", async () => {
    const harness = await startHarness({
      agent: { executorCpus: 2 },
      env: { MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs" },
    });
    const { agent } = harness;
    agent.launch(
      functionTask("spin-1", () => {
        for (;;) {}
      }),
    );
    agent.launch(functionTask("sleep-2", () => new Promise(() => {})));
    agent.launch(functionTask("queued-3", () => 1));
    await agent.waitFor(
      () => agent.updatesOf("spin-1").length > 0 && agent.updatesOf("sleep-2").length > 0,
      "RUNNING of the two tasks that have workers",
    );
    const started = Date.now();
    agent.shutdown();
    const exit = await harness.run;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exit).toEqual({ reason: "shutdown", unacknowledgedUpdates: 0 });
    for (const id of ["spin-1", "sleep-2", "queued-3"]) {
      const terminal = await agent.terminal(id);
      expect(terminal.state).toBe(TaskState.TASK_KILLED);
      expect(terminal.message).toBe("the executor was shut down");
    }
    await harness.close();
  });

  test("a worker crash fails only that task, with a message saying so", async () => {
    const harness = await startHarness();
    const { agent } = harness;
    try {
      agent.launch(functionTask("exit", () => process.exit(3)));
      const exited = await agent.terminal("exit");
      expect(exited.state).toBe(TaskState.TASK_FAILED);
      expect(exited.message).toBe(
        "the worker thread running the task exited with code 3 (process.exit() in the task?)",
      );
      agent.launch(
        functionTask(
          "uncaught",
          () =>
            new Promise(() => {
              setTimeout(() => {
                throw new Error("thrown from a timer");
              }, 1);
            }),
        ),
      );
      const crashed = await agent.terminal("uncaught");
      expect(crashed.state).toBe(TaskState.TASK_FAILED);
      expect(crashed.message).toBe("the worker thread running the task crashed: Error: thrown from a timer");
      agent.launch(functionTask("survivor", () => "fine"));
      expect(resultOf(await agent.terminal("survivor")).outcomes).toEqual([{ ok: true, value: "fine" }]);
    } finally {
      await harness.close();
    }
  });

  test("a result over SATYR_MAX_RESULT_BYTES fails the task with a clear error; the executor goes on", async () => {
    const harness = await startHarness({ env: { SATYR_MAX_RESULT_BYTES: "1024" } });
    const { agent } = harness;
    try {
      agent.launch(functionTask("big", () => "x".repeat(5000)));
      const big = await agent.terminal("big");
      expect(big.state).toBe(TaskState.TASK_FAILED);
      expect(big.data.length).toBe(0);
      expect(big.message).toMatch(/^the task's result is too large: .*over the 1024-byte limit/);
      agent.launch(functionTask("small", () => "x"));
      expect((await agent.terminal("small")).state).toBe(TaskState.TASK_FINISHED);
    } finally {
      await harness.close();
    }
  });

  test("a value that cannot travel fails that call only", async () => {
    const harness = await startHarness();
    const { agent } = harness;
    try {
      agent.launch(functionTask("unserializable", (x: number) => (x === 1 ? () => x : x), [[0], [1]]));
      const done = await agent.terminal("unserializable");
      expect(done.state).toBe(TaskState.TASK_FAILED);
      const [good, bad] = resultOf(done).outcomes;
      expect(good).toEqual({ ok: true, value: 0 });
      expect(bad).toMatchObject({ ok: false, error: { name: "TypeError" } });
      expect(bad?.ok === false && bad.error.message).toMatch(
        /^call 1 returned a value that cannot be sent back/,
      );
    } finally {
      await harness.close();
    }
  });

  test("bad payloads (another version, garbage, none) fail their task with a clear message; others still run", async () => {
    const harness = await startHarness();
    const { agent } = harness;
    try {
      const otherVersion = encodeTaskPayload({ fn: { kind: "source", source: "() => 1" }, calls: [[]] });
      otherVersion[4] = 99;
      agent.launch(rawTask("version", otherVersion));
      agent.launch(rawTask("garbage", new TextEncoder().encode("definitely not a payload")));
      agent.launch(rawTask("empty", new Uint8Array(0)));
      agent.launch(functionTask("good", () => "ok"));
      const version = await agent.terminal("version");
      expect(version.state).toBe(TaskState.TASK_FAILED);
      expect(version.reason).toBe(TaskStatus_Reason.TASK_INVALID);
      expect(version.message).toMatch(/^cannot read the task's payload: .*format version 99/);
      const garbage = await agent.terminal("garbage");
      expect(garbage.reason).toBe(TaskStatus_Reason.TASK_INVALID);
      expect(garbage.message).toMatch(/^cannot read the task's payload: not a satyr task payload/);
      const empty = await agent.terminal("empty");
      expect(empty.message).toBe(
        "the task has no payload: TaskInfo.data must hold a satyr task payload (encodeTaskPayload)",
      );
      expect((await agent.terminal("good")).state).toBe(TaskState.TASK_FINISHED);
    } finally {
      await harness.close();
    }
  });
});
