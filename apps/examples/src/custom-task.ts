/**
 * The original README's "Custom Task": a `Task` subclass with its own methods and an `onUpdate` hook. Its kind is
 * registered, so a TaskInfo it produced decodes back into the same class (the original's protobuf proxies).
 */
import { create } from "@bufbuild/protobuf";
import {
  cpus,
  decodeTask,
  mem,
  type PlainTaskOptions,
  QueueScheduler,
  Resources,
  registerTaskKind,
  run,
  stateName,
  Task,
} from "@satyr/core";
import { CommandInfoSchema, type TaskInfo, type TaskStatus } from "@satyr/proto";
import { check, type Log, runIfMain } from "./support/main.js";

class CustomTask extends Task {
  static override readonly kind = "custom";
  readonly updates: string[] = [];
  #log: Log = () => {};

  constructor(options: PlainTaskOptions) {
    super(options);
  }

  /** How `decodeTask` rebuilds this class from a TaskInfo labelled with its kind. */
  static fromTaskInfo(info: TaskInfo): CustomTask {
    return new CustomTask({
      name: info.name,
      ...(info.command === undefined ? {} : { command: info.command }),
    });
  }

  logTo(log: Log): this {
    this.#log = log;
    return this;
  }

  uppercaseTaskName(): string {
    return this.name.toUpperCase();
  }

  override onUpdate(status: TaskStatus): void {
    this.updates.push(stateName(status.state));
    this.#log(`Custom task has received a status update: ${stateName(status.state)}`);
  }

  customMethod(): string {
    return "Arbitrary stuff";
  }
}

export async function main(log: Log = console.log): Promise<string> {
  const unregister = registerTaskKind(CustomTask);
  try {
    const scheduler = new QueueScheduler();
    await using _running = await run(scheduler, { name: "satyr-custom-task" });

    const task = new CustomTask({
      name: "custom-task",
      command: create(CommandInfoSchema, { value: "echo custom" }),
      resources: [cpus(0.1), mem(32)],
    }).logTo(log);
    const status = await scheduler.submit(task);
    check(stateName(status.state) === "TASK_FINISHED", `the custom task ended ${stateName(status.state)}`);
    check(task.updates.at(-1) === "TASK_FINISHED", `onUpdate saw ${task.updates.join(", ")}`);
    log(`uppercaseTaskName() = ${task.uppercaseTaskName()}`);

    const decoded = decodeTask(
      task.toTaskInfo({ agentId: "agent", resources: Resources.of(cpus(0.1)), ports: [] }),
    );
    check(decoded instanceof CustomTask, "the TaskInfo did not decode into CustomTask");
    log(
      `its TaskInfo decodes back into ${decoded.constructor.name}: customMethod() = ${decoded.customMethod()}`,
    );

    return `onUpdate saw ${task.updates.join(" → ")}; decodes back into CustomTask`;
  } finally {
    unregister();
  }
}

runIfMain(import.meta.url, main);
