/**
 * The original README's "One-Off Executor": function tasks run by a custom executor program
 * (`one-off-executor-program.ts`, built on `@satyr/executor`'s `OneOffExecutor`) instead of `satyr-executor`.
 * The program is named in the task's ExecutorInfo command: this Node.js and the program's built file. Each task
 * gets an executor of its own, since a one-off executor runs one task and exits.
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  cpus,
  type FunctionInput,
  FunctionTask,
  isRemoteTaskError,
  mem,
  QueueScheduler,
  run,
  stateName,
} from "@satyr/core";
import { builtFile, check, type Log, runIfMain } from "./support/main.js";

/** Same value as the program's `EXECUTOR_LABEL` (not imported: importing the program would run it). */
const EXECUTOR_LABEL = "satyr.example.executor";

function oneOffTask<T>(name: string, fn: FunctionInput<T>, args: unknown[]): FunctionTask<T> {
  const program = fileURLToPath(builtFile("one-off-executor-program.js", import.meta.url));
  return new FunctionTask<T>({
    name,
    fn,
    args,
    resources: [cpus(0.1), mem(64)],
    executor: {
      // A fresh executor id per task: equal ids would send the second task to an executor that already ran one.
      id: `one-off-${randomUUID()}`,
      name: "one-off-executor",
      // shell: false runs the program directly; argv[0] comes first, as Mesos expects.
      command: { value: process.execPath, arguments: [process.execPath, program], shell: false },
      resources: [cpus(0.1), mem(64)],
    },
  });
}

export async function main(log: Log = console.log): Promise<string> {
  const scheduler = new QueueScheduler();
  await using _running = await run(scheduler, { name: "satyr-one-off-executor" });

  const ok = oneOffTask("one-off-sum", (xs: number[]) => xs.reduce((a, b) => a + b, 0), [[1, 2, 3, 4]]);
  const boom = oneOffTask("one-off-boom", () => {
    throw new Error("Booom!");
  }, []);
  const [sum, failure] = await Promise.all([
    scheduler.submit(ok),
    scheduler.submit(boom).then(
      () => undefined,
      (e: unknown) => e,
    ),
  ]);

  const labelOf = (task: FunctionTask<unknown>) =>
    task.status?.labels?.labels.find((l) => l.key === EXECUTOR_LABEL)?.value;
  log(
    `one-off-sum: ${stateName(ok.status?.state ?? 0)} with ${sum}, run by ${labelOf(ok)} (executor ${ok.executor().id})`,
  );
  check(sum === 10, `expected 10, got ${sum}`);
  check(labelOf(ok) === "one-off-executor-program", "the task was not run by the custom executor program");

  check(
    isRemoteTaskError(failure),
    `the throwing task should reject with a RemoteTaskError, got ${String(failure)}`,
  );
  log(
    `one-off-boom: ${stateName(boom.status?.state ?? 0)}, ${failure.remoteName}: ${failure.message}, run by ${labelOf(boom)}`,
  );
  check(labelOf(boom) === "one-off-executor-program", "the failing task was not run by the custom executor");

  return `custom executor program ran 2 tasks: FINISHED with ${sum}, FAILED with "${failure.message}"`;
}

runIfMain(import.meta.url, main);
