import { create } from "@bufbuild/protobuf";
import { type KillPolicy, TaskGroupInfoSchema, type TaskInfo, TaskState } from "@satyr/proto";
import {
  Executor,
  ExecutorStateError,
  isAgentConnectionError,
  isExecutorStateError,
  isInvalidUpdateError,
  OneOffExecutor,
  runExecutor,
  type SubscribedInfo,
} from "../src/index.js";
import { startHarness } from "./helpers/harness.js";
import { functionTask, resultOf } from "./helpers/tasks.js";

class RecordingExecutor extends Executor {
  readonly calls: string[] = [];
  readonly errors: Error[] = [];
  override onSubscribed(info: SubscribedInfo): void {
    this.calls.push(`subscribed:${info.agentInfo.id?.value}:${info.resubscribed}`);
  }
  override async onLaunch(task: TaskInfo): Promise<void> {
    const taskId = task.taskId!.value;
    this.calls.push(`launch:${taskId}`);
    await this.update({ taskId, state: TaskState.TASK_RUNNING, labels: { step: "1" } });
    if (taskId === "throws") throw new Error("hook failed");
  }
  override onMessage(data: Uint8Array): Promise<void> {
    this.calls.push(`message:${new TextDecoder().decode(data)}`);
    return this.message(new TextEncoder().encode("pong"));
  }
  override onKill(taskId: string, killPolicy: KillPolicy | undefined): Promise<void> {
    this.calls.push(`kill:${taskId}`);
    return super.onKill(taskId, killPolicy);
  }
  override onAcknowledged(taskId: string): void {
    this.calls.push(`ack:${taskId}`);
  }
  override onError(error: Error): void {
    this.errors.push(error);
  }
}

describe("the Executor base class", () => {
  test("hooks see events in order; update() and message() reach the agent", async () => {
    const executor = new RecordingExecutor();
    const harness = await startHarness({ executor });
    const { agent } = harness;
    try {
      agent.launch(functionTask("a", () => 1));
      await agent.waitFor(() => executor.calls.includes("ack:a"), "the acknowledgement");
      agent.send({ type: 5, message: { data: new TextEncoder().encode("ping") } });
      await agent.waitFor(() => agent.messages.length === 1, "a MESSAGE call");
      expect(new TextDecoder().decode(agent.messages[0])).toBe("pong");
      agent.kill("a");
      expect((await agent.terminal("a")).state).toBe(TaskState.TASK_KILLED);
      expect(agent.updatesOf("a")[0]?.labels?.labels).toMatchObject([{ key: "step", value: "1" }]);
      expect(executor.calls.slice(0, 4)).toEqual([
        "subscribed:fake-agent-S0:false",
        "launch:a",
        "ack:a",
        "message:ping",
      ]);
      expect(executor.calls).toContain("kill:a");
    } finally {
      await harness.close();
    }
  });

  test("a throwing hook is reported to onError and the executor keeps going", async () => {
    const executor = new RecordingExecutor();
    const harness = await startHarness({ executor });
    try {
      harness.agent.launch(functionTask("throws", () => 1));
      await harness.agent.waitFor(() => executor.errors.length === 1, "onError");
      expect(executor.errors[0]?.message).toBe("hook failed");
      harness.agent.launch(functionTask("next", () => 1));
      await harness.agent.waitFor(() => harness.agent.updatesOf("next").length === 1, "the next task");
    } finally {
      await harness.close();
    }
  });

  test("LAUNCH_GROUP launches every task of the group through onLaunch", async () => {
    const executor = new RecordingExecutor();
    const harness = await startHarness({ executor });
    try {
      const group = create(TaskGroupInfoSchema, {
        tasks: [functionTask("g1", () => 1), functionTask("g2", () => 2)],
      });
      harness.agent.send({ type: 8, launchGroup: { taskGroup: group } });
      await harness.agent.waitFor(() => harness.agent.updates.length === 2, "two updates");
      expect(executor.calls).toEqual(expect.arrayContaining(["launch:g1", "launch:g2"]));
    } finally {
      await harness.close();
    }
  });

  test("SHUTDOWN sends TASK_KILLED for tasks the executor left running", async () => {
    const executor = new RecordingExecutor();
    const harness = await startHarness({ executor });
    harness.agent.launch(functionTask("left", () => 1));
    await harness.agent.waitFor(() => executor.calls.includes("ack:left"), "the RUNNING ack");
    harness.agent.shutdown();
    await expect(harness.run).resolves.toEqual({ reason: "shutdown", unacknowledgedUpdates: 0 });
    expect((await harness.agent.terminal("left")).message).toBe("the executor was shut down");
    await harness.close();
  });

  test("misuse is a typed error: updates before running, invalid updates, a second run", async () => {
    const idle = new Executor();
    await expect(idle.update({ taskId: "x", state: TaskState.TASK_RUNNING })).rejects.toThrow(
      ExecutorStateError,
    );
    const executor = new RecordingExecutor();
    const harness = await startHarness({ executor });
    try {
      const staging = await executor
        .update({ taskId: "x", state: TaskState.TASK_STAGING })
        .catch((e: unknown) => e);
      expect(isInvalidUpdateError(staging)).toBe(true);
      const noId = await executor
        .update({ taskId: "", state: TaskState.TASK_RUNNING })
        .catch((e: unknown) => e);
      expect(isInvalidUpdateError(noId)).toBe(true);
      const second = await runExecutor(executor, { env: harness.agent.env() }).catch((e: unknown) => e);
      expect(isExecutorStateError(second)).toBe(true);
    } finally {
      await harness.close();
    }
    const after = await executor.message(new Uint8Array()).catch((e: unknown) => e);
    expect(isExecutorStateError(after)).toBe(true);
  });

  test("message() while the agent is away says so", async () => {
    const executor = new RecordingExecutor();
    const harness = await startHarness({
      executor,
      env: {
        MESOS_CHECKPOINT: "1",
        MESOS_RECOVERY_TIMEOUT: "5secs",
        MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "500ms",
      },
    });
    try {
      await harness.agent.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const error = await executor.message(new Uint8Array([1])).catch((e: unknown) => e);
      expect(isAgentConnectionError(error)).toBe(true);
    } finally {
      await harness.close();
    }
    await expect(harness.run).resolves.toMatchObject({ reason: "aborted" });
  });
});

describe("OneOffExecutor", () => {
  test("runs one function: RUNNING, then FAILED with the error; then it exits", async () => {
    const harness = await startHarness({ executor: new OneOffExecutor() });
    const { agent } = harness;
    agent.launch(
      functionTask("boom", () => {
        throw new Error("Booom!");
      }),
    );
    const failed = await agent.terminal("boom");
    expect(agent.updatesOf("boom").map((s) => s.state)).toEqual([
      TaskState.TASK_RUNNING,
      TaskState.TASK_FAILED,
    ]);
    expect(failed.message).toBe("Error: Booom!");
    expect(resultOf(failed).outcomes[0]).toMatchObject({
      ok: false,
      error: { name: "Error", message: "Booom!" },
    });
    await expect(harness.run).resolves.toEqual({ reason: "stopped", unacknowledgedUpdates: 0 });
    await harness.close();
  });

  test("FINISHED with the result; a second launch is refused", async () => {
    const harness = await startHarness({ executor: new OneOffExecutor(), agent: { autoAcknowledge: false } });
    const { agent } = harness;
    agent.launch(functionTask("once", (xs: number[]) => xs.reduce((a, b) => a + b, 0), [[[0, 1, 2, 3]]]));
    agent.launch(functionTask("twice", () => 1));
    expect(resultOf(await agent.terminal("once")).outcomes).toEqual([{ ok: true, value: 6 }]);
    const refused = await agent.terminal("twice");
    expect(refused.state).toBe(TaskState.TASK_FAILED);
    expect(refused.message).toContain('already ran task "once"');
    agent.acknowledgeAll();
    await expect(harness.run).resolves.toMatchObject({ reason: "stopped" });
    await harness.close();
  });
});
