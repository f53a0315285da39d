import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { TaskState } from "@satyr/proto";
import { executorCommand } from "../src/index.js";
import { FakeAgent } from "./helpers/fake-agent.js";
import { functionTask, resultOf } from "./helpers/tasks.js";

/** Starts satyr-executor as an agent would: executorCommand(), the agent's environment. */
function startProgram(
  env: Record<string, string>,
  extraArgs: string[] = [],
): ChildProcess & { output: () => string } {
  const command = executorCommand();
  const child = spawn(command.value, [...command.arguments.slice(1), ...extraArgs], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return Object.assign(child, { output: () => output });
}

describe("the satyr-executor program", () => {
  test("runs tasks for the agent and exits 0 on SHUTDOWN", async () => {
    const agent = await FakeAgent.start();
    try {
      const child = startProgram(agent.env());
      const exited = once(child, "exit");
      await agent.waitFor(() => agent.subscribed, "the program to subscribe");
      agent.launch(functionTask("program", (a: number, b: number) => a * b, [[3, 5]]));
      expect(resultOf(await agent.terminal("program")).outcomes).toEqual([{ ok: true, value: 15 }]);
      agent.shutdown();
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      await agent.stop();
    }
  });

  test("SIGTERM kills running tasks, flushes their updates and exits 0", async () => {
    const agent = await FakeAgent.start();
    try {
      const child = startProgram(agent.env());
      const exited = once(child, "exit");
      await agent.waitFor(() => agent.subscribed, "the program to subscribe");
      agent.launch(functionTask("forever", () => new Promise(() => {})));
      await agent.waitFor(() => agent.updatesOf("forever").length === 1, "RUNNING");
      child.kill("SIGTERM");
      const [code] = await exited;
      expect(code).toBe(0);
      expect((await agent.terminal("forever")).state).toBe(TaskState.TASK_KILLED);
    } finally {
      await agent.stop();
    }
  });

  test("--one-off exits by itself after its task is acknowledged", async () => {
    const agent = await FakeAgent.start();
    try {
      const child = startProgram(agent.env(), ["--one-off"]);
      const exited = once(child, "exit");
      await agent.waitFor(() => agent.subscribed, "the program to subscribe");
      agent.launch(functionTask("one", () => "once"));
      const [code] = await exited;
      expect(code).toBe(0);
      expect(resultOf(await agent.terminal("one")).outcomes).toEqual([{ ok: true, value: "once" }]);
    } finally {
      await agent.stop();
    }
  });

  test("exits 1 when the agent is lost without checkpointing", async () => {
    const agent = await FakeAgent.start();
    const child = startProgram(agent.env({ MESOS_CHECKPOINT: "0" }));
    const exited = once(child, "exit");
    await agent.waitFor(() => agent.subscribed, "the program to subscribe");
    // A finished task proves the program got SUBSCRIBED (before that, the registration timeout applies).
    agent.launch(functionTask("before", () => 1));
    await agent.terminal("before");
    await agent.stop();
    const [code] = await exited;
    expect(code).toBe(1);
    expect(child.output()).toContain("lost the agent");
  });

  test("exits 2 with a message naming the variable when the environment is incomplete", async () => {
    const child = startProgram({ MESOS_AGENT_ENDPOINT: "127.0.0.1:1" });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(child.output()).toContain("MESOS_FRAMEWORK_ID is not set");
  });
});
