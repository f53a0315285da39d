import { type TaskInfo, TaskState, TaskStatus_Reason } from "@satyr/proto";
import {
  backoffDelay,
  Executor,
  FunctionExecutor,
  isAgentConnectionError,
  OneOffExecutor,
  runExecutor,
  uuidText,
} from "../src/index.js";
import { FakeAgent, isUuidV4 } from "./helpers/fake-agent.js";
import { startHarness } from "./helpers/harness.js";
import { functionTask } from "./helpers/tasks.js";

const CHECKPOINTING = {
  MESOS_CHECKPOINT: "1",
  MESOS_SUBSCRIPTION_BACKOFF_MAX: "200ms",
  MESOS_RECOVERY_TIMEOUT: "15mins",
};

describe("backoffDelay", () => {
  test("grows exponentially from the initial wait and never exceeds the cap", () => {
    const highest = (attempt: number) => backoffDelay(attempt, 100, 2000, () => 1);
    const lowest = (attempt: number) => backoffDelay(attempt, 100, 2000, () => 0);
    expect([0, 1, 2, 3, 4, 5, 50].map(highest)).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect([0, 1, 5, 50].map(lowest)).toEqual([50, 100, 1000, 1000]);
    for (let attempt = 0; attempt < 100; attempt++)
      expect(backoffDelay(attempt, 100, 2000)).toBeLessThanOrEqual(2000);
  });
});

describe("reliability", () => {
  test("every update carries a fresh v4 UUID and SOURCE_EXECUTOR; the agent refuses none", async () => {
    const harness = await startHarness();
    const { agent } = harness;
    try {
      for (let i = 0; i < 20; i++) agent.launch(functionTask(`t${i}`, (x: number) => x, [[i]]));
      await agent.waitFor(() => agent.updates.length === 40, "40 updates");
      expect(agent.rejected).toEqual([]);
      expect(agent.updates.every((status) => isUuidV4(status.uuid) && status.source === 2)).toBe(true);
      expect(new Set(agent.updates.map((status) => uuidText(status.uuid))).size).toBe(40);
      expect(agent.updates.every((status) => status.executorId?.value === agent.executorId)).toBe(true);
      expect(agent.updates.every((status) => status.agentId?.value === "fake-agent-S0")).toBe(true);
      for (let i = 0; i < 20; i++) {
        expect(agent.updatesOf(`t${i}`).map((s) => s.state)).toEqual([
          TaskState.TASK_RUNNING,
          TaskState.TASK_FINISHED,
        ]);
      }
    } finally {
      await harness.close();
    }
  });

  test("unacknowledged tasks and updates are resent, same uuids, when it resubscribes", async () => {
    const harness = await startHarness({ agent: { autoAcknowledge: false }, env: CHECKPOINTING });
    const { agent } = harness;
    try {
      agent.launch(functionTask("unacked", () => 7));
      await agent.terminal("unacked");
      agent.autoAcknowledge = true;
      agent.dropStream();
      await agent.waitFor(() => agent.subscribes.length === 2 && agent.subscribed, "a second SUBSCRIBE");
      const subscribe = agent.subscribes[1]!.subscribe!;
      expect(subscribe.unacknowledgedTasks.map((task) => task.taskId?.value)).toEqual(["unacked"]);
      expect(subscribe.unacknowledgedUpdates.map((update) => uuidText(update.status!.uuid))).toEqual(
        agent.updatesOf("unacked").map((status) => uuidText(status.uuid)),
      );
      expect(subscribe.unacknowledgedUpdates.map((update) => update.status!.state)).toEqual([
        TaskState.TASK_RUNNING,
        TaskState.TASK_FINISHED,
      ]);
      // Acknowledged (by the resubscription) now: nothing left to resend.
      agent.dropStream();
      await agent.waitFor(() => agent.subscribes.length === 3 && agent.subscribed, "a third SUBSCRIBE");
      expect(agent.subscribes[2]!.subscribe!.unacknowledgedUpdates).toEqual([]);
      expect(agent.subscribes[2]!.subscribe!.unacknowledgedTasks).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  test("agent restart: resubscribes within the backoff cap and delivers what finished while it was down", async () => {
    const harness = await startHarness({ env: CHECKPOINTING, initialBackoffMs: 50 });
    const { agent } = harness;
    try {
      agent.launch(
        functionTask("slow", () => new Promise((resolve) => setTimeout(() => resolve("late"), 300))),
      );
      await agent.waitFor(() => agent.updatesOf("slow").length === 1, "slow RUNNING");
      await agent.restart(1500);
      await agent.waitFor(() => agent.subscribes.length === 2 && agent.subscribed, "the resubscription");
      // It kept trying while the agent was down, attempts about MESOS_SUBSCRIPTION_BACKOFF_MAX (200 ms) apart at
      // most (the bound is loose for busy machines; backoffDelay's own test checks the cap exactly).
      const attempts = agent.attemptsWhileDown;
      const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
      expect(attempts.length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...gaps)).toBeLessThan(1000);
      const resent = agent.resent
        .filter((status) => status.taskId?.value === "slow")
        .map((status) => status.state);
      expect(resent).toContain(TaskState.TASK_FINISHED);
    } finally {
      await harness.close();
    }
  });

  test("it gives up after MESOS_RECOVERY_TIMEOUT", async () => {
    const harness = await startHarness({
      env: { ...CHECKPOINTING, MESOS_SUBSCRIPTION_BACKOFF_MAX: "100ms", MESOS_RECOVERY_TIMEOUT: "1secs" },
    });
    // A finished task proves the executor got SUBSCRIBED (before that, the registration timeout applies).
    harness.agent.launch(functionTask("before", () => 1));
    await harness.agent.terminal("before");
    const lost = Date.now();
    await harness.agent.stop();
    const exit = await harness.run;
    const waited = Date.now() - lost;
    expect(exit.reason).toBe("agent-lost");
    expect(isAgentConnectionError(exit.error)).toBe(true);
    expect(exit.error?.message).toContain("could not subscribe within 1000 ms");
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(5000);
    await harness.close();
  });

  test("without checkpointing it exits as soon as the agent is lost", async () => {
    const harness = await startHarness({ env: { MESOS_CHECKPOINT: "0" } });
    harness.agent.dropStream();
    const exit = await harness.run;
    expect(exit.reason).toBe("agent-lost");
    expect(exit.error?.message).toContain("the framework does not checkpoint");
    expect(harness.agent.subscribes).toHaveLength(1);
    await harness.close();
  });

  test("an agent that never answers ends the run after the registration timeout", async () => {
    const agent = await FakeAgent.start();
    const env = agent.env();
    await agent.stop();
    const exit = await runExecutor(new FunctionExecutor(), {
      env,
      registrationTimeoutMs: 300,
      initialBackoffMs: 20,
    });
    expect(exit.reason).toBe("agent-lost");
    expect(exit.error?.message).toMatch(/ECONNREFUSED.*could not subscribe within 300 ms/);
  });

  test("an ERROR event makes it resubscribe", async () => {
    const harness = await startHarness({ env: CHECKPOINTING });
    const errors: string[] = [];
    try {
      harness.agent.send({ type: 6, error: { message: "something is off" } });
      await harness.agent.waitFor(() => harness.agent.subscribes.length === 2, "a resubscription");
      errors.push(...harness.agent.rejected.map((r) => r.body));
      expect(errors).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  test("it stays alive until its terminal update is acknowledged", async () => {
    const harness = await startHarness({ agent: { autoAcknowledge: false }, executor: new OneOffExecutor() });
    const { agent } = harness;
    let exited = false;
    void harness.run.then(() => {
      exited = true;
    });
    agent.launch(functionTask("once", () => "done"));
    expect((await agent.terminal("once")).state).toBe(TaskState.TASK_FINISHED);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exited).toBe(false);
    agent.acknowledgeAll();
    await expect(harness.run).resolves.toEqual({ reason: "stopped", unacknowledgedUpdates: 0 });
    await harness.close();
  });

  test("a launch that arrives while the executor is stopping is answered TASK_LOST", async () => {
    class StopAfterFirst extends Executor {
      override async onLaunch(task: TaskInfo): Promise<void> {
        await this.update({ taskId: task.taskId!.value, state: TaskState.TASK_FINISHED });
        void this.stop();
      }
    }
    const harness = await startHarness({ agent: { autoAcknowledge: false }, executor: new StopAfterFirst() });
    const { agent } = harness;
    agent.launch(functionTask("first", () => 1));
    await agent.terminal("first");
    agent.launch(functionTask("second", () => 2));
    const lost = await agent.terminal("second");
    expect(lost.state).toBe(TaskState.TASK_LOST);
    expect(lost.reason).toBe(TaskStatus_Reason.EXECUTOR_TERMINATED);
    agent.acknowledgeAll();
    await expect(harness.run).resolves.toMatchObject({ reason: "stopped" });
    await harness.close();
  });

  test("the idle timeout ends a FunctionExecutor that has had no task for that long", async () => {
    const harness = await startHarness({ env: { SATYR_EXECUTOR_IDLE_TIMEOUT: "300ms" } });
    harness.agent.launch(functionTask("only", () => 1));
    await harness.agent.terminal("only");
    const idleSince = Date.now();
    await expect(harness.run).resolves.toEqual({ reason: "stopped", unacknowledgedUpdates: 0 });
    expect(Date.now() - idleSince).toBeGreaterThanOrEqual(250);
    await harness.close();
  });
});
