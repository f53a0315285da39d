import type { LocalCluster } from "@satyr/local";
import type { TaskStatus } from "@satyr/proto";
import { BehaviorSubject, lastValueFrom } from "rxjs";
import {
  CommandTask,
  connect,
  cpus,
  declineRest,
  FunctionTask,
  isCancelledError,
  type LaunchOutcome,
  launchOn,
  mem,
  packWith,
  QueueScheduler,
  run,
  Scheduler,
  type SchedulerClient,
  stateName,
  type Task,
  taskStatuses,
} from "../../src/index.js";
import { silent, startCluster } from "../helpers/cluster.js";
import { until } from "../helpers/fake-client.js";

let cluster: LocalCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

describe("a custom offer pipeline built from the operators", () => {
  it("packs, launches, declines and follows results end to end", async () => {
    await using client = connect({ master: cluster.masterUrl, framework: { name: "custom-pipeline" } });
    const tasks: Task<unknown>[] = [
      new FunctionTask({
        fn: (a: number, b: number) => a * b,
        args: [6, 7],
        resources: [cpus(0.1), mem(64)],
      }),
      new FunctionTask({
        fn: (s: string) => s.split("").reverse().join(""),
        args: ["satyr"],
        resources: [cpus(0.1), mem(64)],
      }),
      new CommandTask({ command: "echo pipeline", resources: [cpus(0.1), mem(16)] }),
    ];
    const pending$ = new BehaviorSubject<readonly Task<unknown>[]>(tasks);
    const outcomes: LaunchOutcome[] = [];
    const pipeline = client.offers$
      .pipe(
        packWith(pending$, { heuristic: "bfd", holdMs: 100, rescinds$: client.rescinds$ }),
        launchOn(client),
        declineRest(client, { refuseSeconds: 5 }),
      )
      .subscribe((o) => outcomes.push(o));
    try {
      // Follow each task's statuses to its terminal one and let the task decide what it means.
      const values = await Promise.all(
        tasks.map(async (task) => {
          const last: TaskStatus = await lastValueFrom(client.updates$.pipe(taskStatuses(task.taskId)));
          const settlement = task.settle(last, false);
          return settlement.kind === "resolve" ? settlement.value : settlement;
        }),
      );
      expect(values[0]).toBe(42);
      expect(values[1]).toBe("rytas");
      expect(stateName((values[2] as TaskStatus).state)).toBe("TASK_FINISHED");
      const launched = outcomes.filter((o) => o.launched);
      expect(launched.reduce((n, o) => n + o.tasks.length, 0)).toBe(3);
      // Batching: far fewer ACCEPTs than tasks when they arrive together.
      expect(launched.length).toBeLessThanOrEqual(2);
    } finally {
      pipeline.unsubscribe();
      await client.teardown();
    }
  });
});

describe("run()", () => {
  const savedMaster = process.env.MESOS_MASTER;
  afterEach(() => {
    if (savedMaster === undefined) delete process.env.MESOS_MASTER;
    else process.env.MESOS_MASTER = savedMaster;
  });

  it("reads MESOS_MASTER when no master is given", async () => {
    process.env.MESOS_MASTER = cluster.masterUrl;
    const scheduler = new QueueScheduler({ logger: silent });
    await using running = await run(scheduler, { name: "env-master" });
    expect(running.master).toBe(cluster.masterUrl);
    expect(running.cluster).toBeUndefined();
    expect(running.frameworkId).toBeDefined();
  });

  it("starts an embedded LocalCluster without a master, and drains pending tasks on exit", async () => {
    delete process.env.MESOS_MASTER;
    const scheduler = new QueueScheduler({ logger: silent });
    let result: Promise<unknown> | undefined;
    {
      await using running = await run(scheduler, {
        name: "embedded",
        local: { agents: 1, resources: { cpus: 2, mem: 1024, disk: 1024 }, allocationIntervalMs: 50 },
      });
      expect(running.cluster).toBeDefined();
      expect(running.master).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      result = scheduler.submit(
        new FunctionTask({
          fn: async () => {
            await new Promise((r) => setTimeout(r, 300));
            return "drained";
          },
          resources: [cpus(0.1), mem(64)],
        }),
      );
    }
    // Leaving the block waited for the task.
    await expect(Promise.race([result, Promise.resolve("not yet")])).resolves.toBe("drained");
  });

  it("{ drain: false } kills what is still running", async () => {
    const scheduler = new QueueScheduler({ logger: silent });
    const running = await run(scheduler, { name: "no-drain", master: cluster.masterUrl });
    const task = new CommandTask({ command: "sleep 30", resources: [cpus(0.1), mem(16)] });
    const result = scheduler.submit(task);
    await until(() => task.state === "running", 15_000, "the task to run");
    await running.stop({ drain: false });
    expect(isCancelledError(await result.catch((e: unknown) => e))).toBe(true);
  });

  it("a restarted scheduler fails over to the framework and keeps its running tasks", async () => {
    const first = new QueueScheduler({ logger: silent });
    const running1 = await run(first, {
      name: "failover",
      master: cluster.masterUrl,
      failoverTimeoutSeconds: 60,
    });
    const frameworkId = running1.frameworkId;
    const task = new CommandTask({ command: "sleep 1", resources: [cpus(0.1), mem(16)] });
    void first.submit(task).catch(() => undefined);
    await until(() => task.state === "running", 15_000, "the task to run");
    // Leave without TEARDOWN: the master keeps the framework and its task for the failover timeout.
    await running1.stop({ drain: false, teardown: false });

    class Watcher extends Scheduler {
      readonly states: string[] = [];
      override onUpdate(_client: SchedulerClient, status: TaskStatus): void {
        if (status.taskId?.value === task.taskId) this.states.push(stateName(status.state));
      }
    }
    const watcher = new Watcher({ logger: silent });
    await using _running2 = await run(watcher, {
      name: "failover",
      master: cluster.masterUrl,
      framework: frameworkId === undefined ? {} : { id: frameworkId },
    });
    await until(() => watcher.states.includes("TASK_FINISHED"), 15_000, "the task to finish after failover");
  });
});
