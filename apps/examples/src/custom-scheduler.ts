/**
 * The original README's "Custom Scheduler": a `QueueScheduler` subclass hooking `onUpdate` to log every status
 * update, then handing it on to the queue with `super`.
 */
import {
  cpus,
  disk,
  FunctionTask,
  mem,
  QueueScheduler,
  run,
  type SchedulerClient,
  stateName,
  type TaskUpdate,
} from "@satyr/core";
import type { TaskStatus } from "@satyr/proto";
import { check, type Log, runIfMain } from "./support/main.js";

class CustomScheduler extends QueueScheduler {
  readonly seen: string[] = [];
  readonly #log: Log;

  constructor(log: Log) {
    super();
    this.#log = log;
  }

  /** Called with every status update; the hook may be async and never aborts the framework if it throws. */
  override async onUpdate(client: SchedulerClient, status: TaskStatus, update: TaskUpdate): Promise<void> {
    const line = `Status update received for task ${status.taskId?.value}: ${stateName(status.state)}`;
    this.seen.push(stateName(status.state));
    this.#log(line);
    await super.onUpdate(client, status, update);
  }
}

export async function main(log: Log = console.log): Promise<string> {
  const scheduler = new CustomScheduler(log);
  const task = new FunctionTask({
    name: "satyr-task",
    fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
    args: [Array.from({ length: 9 }, (_, i) => i)],
    resources: [cpus(0.1), mem(128), disk(512)],
  });

  await using _running = await run(scheduler, { name: "satyr-custom-scheduler" });
  const result = await scheduler.submit(task);
  log(`sum(range(9)) = ${result}`);
  check(result === 36, `expected 36, got ${result}`);
  check(scheduler.seen.at(-1) === "TASK_FINISHED", `the hook saw ${scheduler.seen.join(", ")}`);
  return `onUpdate saw ${scheduler.seen.join(" → ")}; sum(range(9)) = ${result}`;
}

runIfMain(import.meta.url, main);
