import { create } from "@bufbuild/protobuf";
import { type LocalCluster, NO_DOCKER_MESSAGE } from "@satyr/local";
import { CommandInfoSchema, type TaskInfo, type TaskStatus } from "@satyr/proto";
import {
  CommandTask,
  cpus,
  decodeTask,
  disk,
  FunctionTask,
  isTaskFailedError,
  mem,
  type Offer,
  Placer,
  QueueScheduler,
  Resources,
  type Running,
  registerTaskKind,
  run,
  Scheduler,
  type SchedulerClient,
  stateName,
  Task,
  type TaskUpdate,
} from "../../src/index.js";
import { silent, startCluster } from "../helpers/cluster.js";
import { until } from "../helpers/fake-client.js";

// Every QueueScheduler, custom-scheduler, custom-offer-handling, command-task, function-task and custom-task
// example of the satyr 0.2.1 README, in TypeScript, on one LocalCluster.
let cluster: LocalCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

describe("README: Custom Scheduler (subclassing QueueScheduler)", () => {
  class CustomScheduler extends QueueScheduler {
    readonly log: string[] = [];
    override async onUpdate(client: SchedulerClient, status: TaskStatus, update: TaskUpdate): Promise<void> {
      this.log.push(`Status update received for task ${status.taskId?.value}: ${stateName(status.state)}`);
      await super.onUpdate(client, status, update);
    }
  }

  it("hooks into updates and still gets the result", async () => {
    const scheduler = new CustomScheduler({ logger: silent });
    const task = new FunctionTask({
      name: "satyr-task",
      fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
      args: [[0, 1, 2, 3, 4, 5, 6, 7, 8]],
      resources: [cpus(0.1), mem(128), disk(512)],
    });
    {
      await using _running = await run(scheduler, {
        name: "satyr-custom-scheduler",
        master: cluster.masterUrl,
      });
      await expect(scheduler.submit(task)).resolves.toBe(36);
    }
    expect(scheduler.log).toEqual([
      `Status update received for task ${task.id}: TASK_RUNNING`,
      `Status update received for task ${task.id}: TASK_FINISHED`,
    ]);
  });
});

describe("README: custom offer handling (subclassing Scheduler)", () => {
  class CustomScheduler extends Scheduler {
    readonly queue: Task<unknown>[] = [];
    readonly placer = new Placer();
    readonly finished: string[] = [];

    getNextTask(): Task<unknown> | undefined {
      return this.queue[0];
    }

    override async onOffers(client: SchedulerClient, offers: Offer[]): Promise<void> {
      const used: string[] = [];
      for (const offer of offers) {
        const task = this.getNextTask();
        // Offers and tasks are comparable: a task "fits" an offer when no dimension is larger.
        if (task === undefined || !task.resources.fits(offer.resources)) continue;
        const placement = this.placer.place([task], [offer]).placements[0];
        const infos: TaskInfo[] = placement?.tasks.map((p) => p.taskInfo) ?? [];
        if (infos.length === 0) continue;
        this.queue.shift();
        used.push(offer.id);
        await client.launch([offer.id], infos);
      }
      // Decline unused offers.
      const unused = offers.map((o) => o.id).filter((id) => !used.includes(id));
      if (unused.length > 0) await client.decline(unused, { filters: { refuseSeconds: 1 } });
    }

    override onUpdate(_client: SchedulerClient, status: TaskStatus): void {
      if (stateName(status.state) === "TASK_FINISHED") this.finished.push(status.taskId?.value ?? "");
    }
  }

  it("launches the next task on an offer it fits and declines the rest", async () => {
    const scheduler = new CustomScheduler({ logger: silent });
    const a = new CommandTask({ name: "a", command: "true", resources: [cpus(0.1), mem(32)] });
    const b = new CommandTask({ name: "b", command: "true", resources: [cpus(0.1), mem(32)] });
    scheduler.queue.push(a, b);
    await using _running = await run(scheduler, { name: "satyr-offers", master: cluster.masterUrl });
    await until(() => scheduler.finished.length === 2, 20_000, "two finished tasks");
    expect(new Set(scheduler.finished)).toEqual(new Set([a.taskId, b.taskId]));
  });
});

describe("README: Command task", () => {
  const scheduler = new QueueScheduler({ logger: silent, offerHoldMs: 200 });
  let running: Running;
  beforeAll(async () => {
    running = await run(scheduler, { name: "satyr-commands", master: cluster.masterUrl });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("runs `echo 100` with /bin/sh -c and finishes", async () => {
    const task = new CommandTask({
      name: "command-task",
      command: "echo 100",
      resources: [cpus(0.1), mem(32)],
    });
    const status = await scheduler.submit(task);
    expect(stateName(status.state)).toBe("TASK_FINISHED");
  });

  it("runs the original's TaskInfo(command=CommandInfo(...)) form as a plain Task", async () => {
    const task = new Task({
      name: "command-task",
      command: create(CommandInfoSchema, {
        value: 'test "$GREETING" = hi',
        environment: { variables: [{ name: "GREETING", value: "hi" }] },
      }),
      resources: [cpus(0.1), mem(32)],
    });
    const status = await scheduler.submit(task);
    expect(stateName(status.state)).toBe("TASK_FINISHED");
  });

  it("a non-zero exit fails the task without retries", async () => {
    const task = new CommandTask({ name: "exit-3", command: "exit 3", resources: [cpus(0.1), mem(32)] });
    const error = await scheduler.submit(task).catch((e: unknown) => e);
    expect(isTaskFailedError(error)).toBe(true);
    expect(task.attempts).toBe(1);
  });

  it("a Docker command task is encoded for Mesos; the local cluster refuses Docker", async () => {
    const task = new CommandTask({
      name: "docker-task",
      command: "echo 100",
      container: { docker: { image: "lensacom/satyr:latest" } },
      resources: [cpus(0.1), mem(32)],
      maxAttempts: 2,
    });
    const error = await scheduler.submit(task).catch((e: unknown) => e);
    expect(isTaskFailedError(error)).toBe(true);
    if (isTaskFailedError(error)) {
      expect(error.message).toContain(NO_DOCKER_MESSAGE);
      expect(error.reason).toBe("REASON_CONTAINER_LAUNCH_FAILED");
      // A container launch failure is an infrastructure failure (like a failed image pull): retried.
      expect(error.attempts).toBe(2);
    }
  });
});

describe("README: function task (the original's PythonTask)", () => {
  const scheduler = new QueueScheduler({ logger: silent, offerHoldMs: 200 });
  let running: Running;
  beforeAll(async () => {
    running = await run(scheduler, { name: "satyr-functions", master: cluster.masterUrl });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("runs a function with arguments (sum of range(5))", async () => {
    const task = new FunctionTask({
      name: "python-task",
      fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
      args: [[0, 1, 2, 3, 4]],
    });
    await expect(scheduler.submit(task)).resolves.toBe(10);
  });

  it("runs a lambda and an async function, one after the other", async () => {
    await expect(
      scheduler.submit(new FunctionTask({ fn: (a: number, b: number) => a + b, args: [1, 2] })),
    ).resolves.toBe(3);
    const later = async (x: string) => {
      await new Promise((r) => setTimeout(r, 10));
      return x.toUpperCase();
    };
    await expect(scheduler.submit(new FunctionTask({ fn: later, args: ["satyr"] }))).resolves.toBe("SATYR");
  });

  it("runs a module export", async () => {
    const task = new FunctionTask({ fn: { module: "node:path", export: "join" }, args: ["a", "b"] });
    await expect(scheduler.submit(task)).resolves.toBe("a/b");
  });

  it("runs a chunk and reports each call", async () => {
    const task = FunctionTask.chunk({
      fn: (x: number) => {
        if (x === 0) throw new RangeError("zero");
        return 10 / x;
      },
      calls: [[1], [0], [5]],
    });
    const results = await scheduler.submit(task);
    expect(results.map((r) => (r.ok ? r.value : `${r.error.remoteName}: ${r.error.message}`))).toEqual([
      10,
      "RangeError: zero",
      2,
    ]);
  });
});

describe("README: Custom Task (subclassing Task)", () => {
  class CustomTask extends Task {
    static override readonly kind = "custom";
    readonly updates: string[] = [];

    uppercaseTaskName(): string {
      return this.name.toUpperCase();
    }

    override onUpdate(status: TaskStatus): void {
      this.updates.push(`Custom task has received a status update: ${stateName(status.state)}`);
    }

    customMethod(): string {
      return "Arbitrary stuff";
    }
  }

  it("runs, gets its updates, and decodes back into its class", async () => {
    const unregister = registerTaskKind(CustomTask, {
      decode: (info) =>
        new CustomTask({ name: info.name, ...(info.command ? { command: info.command } : {}) }),
    });
    const scheduler = new QueueScheduler({ logger: silent });
    try {
      const task = new CustomTask({
        name: "custom-task",
        command: create(CommandInfoSchema, { value: "echo custom" }),
        resources: [cpus(0.1), mem(32)],
      });
      await using _running = await run(scheduler, { name: "satyr-custom-task", master: cluster.masterUrl });
      await scheduler.submit(task);
      // The command executor reports STARTING before RUNNING.
      expect(task.updates).toEqual([
        "Custom task has received a status update: TASK_STARTING",
        "Custom task has received a status update: TASK_RUNNING",
        "Custom task has received a status update: TASK_FINISHED",
      ]);
      expect(task.uppercaseTaskName()).toBe("CUSTOM-TASK");
      const decoded = decodeTask(
        task.toTaskInfo({ agentId: "a", resources: Resources.of(cpus(0.1)), ports: [] }),
      );
      expect(decoded).toBeInstanceOf(CustomTask);
      expect((decoded as CustomTask).customMethod()).toBe("Arbitrary stuff");
    } finally {
      unregister();
    }
  });
});
