import type { LocalCluster } from "@satyr/local";
import {
  attributeEquals,
  CommandTask,
  cpus,
  FunctionTask,
  isUnschedulableTaskError,
  mem,
  QueueScheduler,
  type Running,
  run,
  unique,
} from "../../src/index.js";
import { silent, startCluster } from "../helpers/cluster.js";
import { until } from "../helpers/fake-client.js";

// Constraints, retries after an agent is removed, and tasks no agent can run, on a 2-agent LocalCluster.
let cluster: LocalCluster;
let running: Running;
const scheduler = new QueueScheduler({ logger: silent, offerHoldMs: 200, unschedulableAfterMs: 500 });

beforeAll(async () => {
  cluster = await startCluster({
    attributes: [
      { zone: "a", os: "linux" },
      { zone: "b", os: "linux" },
    ],
  });
  running = await run(scheduler, { name: "satyr-placement", master: cluster.masterUrl });
});
afterAll(async () => {
  await running?.stop({ drain: false });
  await cluster?.stop();
});

const agentOfZone = (zone: string) => cluster.agents[zone === "a" ? 0 : 1]?.id;

describe("constraints on agent attributes", () => {
  it("places a task only where the attribute matches", async () => {
    const tasks = [0, 1, 2].map(
      () =>
        new CommandTask({
          command: "true",
          resources: [cpus(0.1), mem(16)],
          constraints: [attributeEquals("zone", "b")],
        }),
    );
    await Promise.all(tasks.map((t) => scheduler.submit(t)));
    for (const t of tasks) expect(t.agentId).toBe(agentOfZone("b"));
  });

  it('unique("zone") keeps a group\'s tasks on distinct agents', async () => {
    // Long enough that both run at the same time.
    const tasks = [0, 1].map(
      () =>
        new CommandTask({
          name: "replica",
          command: "sleep 0.5",
          resources: [cpus(0.1), mem(16)],
          constraints: [unique("zone")],
        }),
    );
    await Promise.all(tasks.map((t) => scheduler.submit(t)));
    expect(new Set(tasks.map((t) => t.agentId)).size).toBe(2);
  });
});

describe("failures", () => {
  it("a task larger than every agent ends in UnschedulableTaskError", async () => {
    const huge = new FunctionTask({ fn: () => 1, resources: [cpus(64), mem(64)] });
    const error = await scheduler.submit(huge).catch((e: unknown) => e);
    expect(isUnschedulableTaskError(error)).toBe(true);
    expect((error as Error).message).toMatch(/fits none of the 2 agent/);
  });

  it("retries on another agent with a fresh task id when the agent is removed", async () => {
    const task = new FunctionTask({
      fn: async (x: number) => {
        await new Promise((r) => setTimeout(r, 1500));
        return x * 2;
      },
      args: [21],
      resources: [cpus(0.1), mem(64)],
    });
    const result = scheduler.submit(task);
    await until(() => task.state === "running", 15_000, "the task to run");
    const firstAgent = task.agentId;
    const firstId = task.taskId;
    expect(firstAgent).toBeDefined();
    await cluster.removeAgent(firstAgent ?? "");
    await expect(result).resolves.toBe(42);
    expect(task.attempts).toBe(2);
    expect(task.taskId).not.toBe(firstId);
    expect(task.agentId).not.toBe(firstAgent);
  });
});
