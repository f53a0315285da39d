/**
 * The original README's "Command" task: `echo 100` run by Mesos with `/bin/sh -c`, as a `CommandTask` and in
 * the original's raw form (a plain `Task` with a `CommandInfo`), plus a non-zero exit, which fails only its task.
 */
import { create } from "@bufbuild/protobuf";
import { CommandTask, cpus, isTaskFailedError, mem, QueueScheduler, run, stateName, Task } from "@satyr/core";
import { CommandInfoSchema } from "@satyr/proto";
import { check, type Log, runIfMain } from "./support/main.js";

export async function main(log: Log = console.log): Promise<string> {
  const scheduler = new QueueScheduler();
  await using _running = await run(scheduler, { name: "satyr-command-task" });

  const task = new CommandTask({
    name: "command-task",
    command: "echo 100",
    resources: [cpus(0.1), mem(32)],
  });
  const status = await scheduler.submit(task);
  log(`CommandTask "echo 100": ${stateName(status.state)} on agent ${status.agentId?.value}`);
  check(stateName(status.state) === "TASK_FINISHED", `echo 100 ended ${stateName(status.state)}`);

  // The original built a TaskInfo with a CommandInfo; a plain Task takes the raw protobuf parts the same way.
  const raw = new Task({
    name: "command-task",
    command: create(CommandInfoSchema, {
      value: 'test "$GREETING" = hello',
      environment: { variables: [{ name: "GREETING", value: "hello" }] },
    }),
    resources: [cpus(0.1), mem(32)],
  });
  const rawStatus = await scheduler.submit(raw);
  log(`Task with a raw CommandInfo (and an environment): ${stateName(rawStatus.state)}`);
  check(stateName(rawStatus.state) === "TASK_FINISHED", "the raw command task did not finish");

  const exit3 = new CommandTask({ name: "exit-3", command: "exit 3", resources: [cpus(0.1), mem(32)] });
  const error = await scheduler.submit(exit3).then(
    () => undefined,
    (e: unknown) => e,
  );
  check(isTaskFailedError(error), `exit 3 should reject with a TaskFailedError, got ${String(error)}`);
  log(`"exit 3" rejects with ${error.name}: ${error.message} (attempts: ${exit3.attempts})`);
  check(exit3.attempts === 1, "a task's own failure must not be retried");

  return `echo 100 finished; raw CommandInfo finished; exit 3 → ${error.name} after 1 attempt`;
}

runIfMain(import.meta.url, main);
