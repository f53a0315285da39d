/**
 * The original README's custom offer handling: a `Scheduler` written from scratch whose `onOffers` takes the
 * next queued task, compares its resources with each offer's (`task <= offer` in the original is
 * `task.resources.fits(offer.resources)` here), launches it on the first offer it fits, and declines the rest.
 */
import {
  CommandTask,
  cpus,
  mem,
  type Offer,
  run,
  Scheduler,
  type SchedulerClient,
  stateName,
  type Task,
} from "@satyr/core";
import type { TaskStatus } from "@satyr/proto";
import { check, type Log, runIfMain } from "./support/main.js";

class CustomScheduler extends Scheduler {
  readonly #queue: Task<unknown>[];
  readonly #total: number;
  readonly #log: Log;
  readonly #finished = new Map<string, string>();
  #allDone!: () => void;
  /** Resolves once every queued task reached a terminal state. */
  readonly allDone = new Promise<void>((resolve) => {
    this.#allDone = resolve;
  });

  constructor(tasks: Task<unknown>[], log: Log) {
    super();
    this.#queue = [...tasks];
    this.#total = tasks.length;
    this.#log = log;
  }

  get finished(): ReadonlyMap<string, string> {
    return this.#finished;
  }

  getNextTask(): Task<unknown> | undefined {
    return this.#queue[0];
  }

  override async onOffers(client: SchedulerClient, offers: Offer[]): Promise<void> {
    const unused: string[] = [];
    for (const offer of offers) {
      const task = this.getNextTask();
      // Resources compare across every dimension: fits() is "no dimension larger", compare() the partial order.
      if (task === undefined || !task.resources.fits(offer.resources)) {
        unused.push(offer.id);
        continue;
      }
      // Take the task's share out of the offer: it keeps the offer's role and allocation info.
      const allocation = offer.resources.allocate(task.resources);
      if (allocation === undefined) {
        unused.push(offer.id);
        continue;
      }
      this.#queue.shift();
      const info = task.toTaskInfo({ agentId: offer.agentId, resources: allocation.taken, ports: [] });
      this.#log(
        `launching ${task.name} (${task.resources}) on ${offer.hostname}: compare(task, offer) = ${task.resources.compare(offer.resources)}`,
      );
      await client.launch([offer.id], [info]);
    }
    // Offers that got no task are declined (held offers would keep resources from other frameworks).
    if (unused.length > 0) await client.decline(unused, { filters: { refuseSeconds: 1 } });
  }

  override onUpdate(_client: SchedulerClient, status: TaskStatus): void {
    const state = stateName(status.state);
    this.#log(`task ${status.taskId?.value}: ${state}`);
    if (["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST"].includes(state)) {
      this.#finished.set(status.taskId?.value ?? "", state);
      if (this.#queue.length === 0 && this.#finished.size === this.#total) this.#allDone();
    }
  }
}

export async function main(log: Log = console.log): Promise<string> {
  const tasks = [
    new CommandTask({ name: "first", command: "echo first", resources: [cpus(0.1), mem(32)] }),
    new CommandTask({ name: "second", command: "echo second", resources: [cpus(0.1), mem(32)] }),
  ];
  const scheduler = new CustomScheduler(tasks, log);
  await using _running = await run(scheduler, { name: "satyr-custom-offers" });

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the tasks did not finish within 30 s")), 30_000);
  });
  try {
    await Promise.race([scheduler.allDone, timeout]);
  } finally {
    clearTimeout(timer);
  }
  const states = tasks.map((t) => scheduler.finished.get(t.taskId));
  check(
    states.every((s) => s === "TASK_FINISHED"),
    `expected both tasks to finish, got ${states.join(", ")}`,
  );
  return `onOffers launched ${tasks.length} tasks on offers they fit; both TASK_FINISHED`;
}

runIfMain(import.meta.url, main);
