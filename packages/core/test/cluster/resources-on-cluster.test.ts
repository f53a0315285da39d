import type { LocalCluster } from "@satyr/local";
import {
  CommandTask,
  cpus,
  isUnschedulableTaskError,
  mem,
  ports,
  QueueScheduler,
  type Running,
  registerScalarKind,
  run,
  scalar,
  type TaskInfoContext,
  type TaskInfoParts,
} from "../../src/index.js";
import { silent, startCluster } from "../helpers/cluster.js";

// Ports assigned from offers and a custom scalar resource, on a LocalCluster whose agents offer both.
registerScalarKind({ name: "fpgas" });

let cluster: LocalCluster;
let running: Running;
const scheduler = new QueueScheduler({ logger: silent, offerHoldMs: 200, unschedulableAfterMs: 500 });

beforeAll(async () => {
  cluster = await startCluster({
    resources: { cpus: 2, mem: 1024, disk: 1024, ports: [[31000, 31009]], fpgas: 1 },
  });
  running = await run(scheduler, { name: "satyr-resources", master: cluster.masterUrl });
});
afterAll(async () => {
  await running?.stop({ drain: false });
  await cluster?.stop();
});

/** A custom task that learns its ports when it is placed and passes them to its command. */
class ServerTask extends CommandTask {
  assigned: readonly number[] = [];
  protected override buildTaskInfo(context: TaskInfoContext): TaskInfoParts {
    this.assigned = context.ports;
    const parts = super.buildTaskInfo(context);
    if (parts.command !== undefined) parts.command.value = `test "${context.ports.join(",")}" != ""`;
    return parts;
  }
}

describe("resources on a LocalCluster", () => {
  it("assigns ports from the offer's ranges", async () => {
    const task = new ServerTask({ command: "placeholder", resources: [cpus(0.1), mem(16), ports(2)] });
    await scheduler.submit(task);
    expect(task.assigned).toHaveLength(2);
    expect(new Set(task.assigned).size).toBe(2);
    for (const port of task.assigned) {
      expect(port).toBeGreaterThanOrEqual(31000);
      expect(port).toBeLessThanOrEqual(31009);
    }
  });

  it("places tasks needing a custom scalar on agents that offer it, one per agent", async () => {
    const tasks = [0, 1].map(
      () => new CommandTask({ command: "sleep 0.3", resources: [cpus(0.1), mem(16), scalar("fpgas", 1)] }),
    );
    await Promise.all(tasks.map((t) => scheduler.submit(t)));
    expect(new Set(tasks.map((t) => t.agentId)).size).toBe(2);
  });

  it("fails a task asking for more of the custom scalar than any agent has", async () => {
    const task = new CommandTask({ command: "true", resources: [cpus(0.1), scalar("fpgas", 2)] });
    const error = await scheduler.submit(task).catch((e: unknown) => e);
    expect(isUnschedulableTaskError(error)).toBe(true);
  });
});
