import type { LocalCluster } from "@satyr/local";
import {
  cpus,
  disk,
  FunctionTask,
  isRemoteTaskError,
  mem,
  QueueScheduler,
  type Running,
  run,
} from "../../src/index.js";
import { silent, startCluster } from "../helpers/cluster.js";

// The README's "Work Queue Scheduler" example, in TypeScript, on the embedded cluster.
describe("QueueScheduler on a LocalCluster", () => {
  let cluster: LocalCluster;
  let running: Running;
  const scheduler = new QueueScheduler({ logger: silent, offerHoldMs: 500 });

  beforeAll(async () => {
    cluster = await startCluster();
    running = await run(scheduler, { name: "satyr-scheduler", master: cluster.masterUrl });
  });
  afterAll(async () => {
    await running?.stop();
    await cluster?.stop();
  });

  it("runs a function task and resolves with its value", async () => {
    const task = new FunctionTask({
      name: "satyr-task",
      fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
      args: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      resources: [cpus(0.1), mem(128), disk(512)],
    });
    await expect(scheduler.submit(task)).resolves.toBe(45);
    expect(task.state).toBe("finished");
    expect(task.attempts).toBe(1);
  });

  it("runs tasks in parallel and in order of results", async () => {
    const add = (a: number, b: number) => a + b;
    const results = await Promise.all(
      [1, 2, 3].map((i) =>
        scheduler.submit(new FunctionTask({ fn: add, args: [10, i], resources: [cpus(0.1), mem(64)] })),
      ),
    );
    expect(results).toEqual([11, 12, 13]);
  });

  it("runs 40 tasks submitted together, batched into a few ACCEPTs", async () => {
    const square = (x: number) => x * x;
    const tasks = Array.from(
      { length: 40 },
      (_, i) => new FunctionTask({ fn: square, args: [i], resources: [cpus(0.1), mem(32)] }),
    );
    const results = await Promise.all(tasks.map((t) => scheduler.submit(t)));
    expect(results).toEqual(tasks.map((_, i) => i * i));
    expect(tasks.every((t) => t.attempts === 1)).toBe(true);
  });

  it("rejects only the failing task with a RemoteTaskError", async () => {
    const failing = scheduler.submit(
      new FunctionTask({
        fn: () => {
          throw new RangeError("Booom!");
        },
        resources: [cpus(0.1), mem(64)],
      }),
    );
    const fine = scheduler.submit(new FunctionTask({ fn: () => "ok", resources: [cpus(0.1), mem(64)] }));
    const error = await failing.catch((e: unknown) => e);
    expect(isRemoteTaskError(error)).toBe(true);
    if (isRemoteTaskError(error)) {
      expect(error.remoteName).toBe("RangeError");
      expect(error.message).toBe("Booom!");
      expect(error.agentId).toBeDefined();
    }
    await expect(fine).resolves.toBe("ok");
  });
});
