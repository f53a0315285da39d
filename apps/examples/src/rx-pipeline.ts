/**
 * A custom offer pipeline from core's RxJS operators, without a `QueueScheduler`: offers are bin-packed with the
 * pending tasks (`packWith`), launched with one ACCEPT per offer (`launchOn`), and the offers left over are
 * declined (`declineRest`). Each task's statuses are followed on `updates$` and settled by the task itself.
 */
import {
  CommandTask,
  connect,
  cpus,
  declineRest,
  FunctionTask,
  type LaunchOutcome,
  launchOn,
  mem,
  packWith,
  stateName,
  type Task,
  taskStatuses,
} from "@satyr/core";
import type { TaskStatus } from "@satyr/proto";
import { BehaviorSubject, lastValueFrom } from "rxjs";
import { check, type Log, runIfMain } from "./support/main.js";
import { useMaster } from "./support/master.js";

export async function main(log: Log = console.log): Promise<string> {
  await using master = await useMaster();
  await using client = connect({ master: master.url, framework: { name: "satyr-rx-pipeline" } });

  const tasks: Task<unknown>[] = [
    new FunctionTask({
      name: "multiply",
      fn: (a: number, b: number) => a * b,
      args: [6, 7],
      resources: [cpus(0.1), mem(64)],
    }),
    new FunctionTask({
      name: "reverse",
      fn: (s: string) => [...s].reverse().join(""),
      args: ["satyr"],
      resources: [cpus(0.1), mem(64)],
    }),
    new CommandTask({ name: "echo", command: "echo pipeline", resources: [cpus(0.1), mem(16)] }),
  ];

  // Follow every task before anything launches: updates$ is hot, a late subscriber would miss updates.
  const results = tasks.map(async (task) => {
    const last: TaskStatus = await lastValueFrom(client.updates$.pipe(taskStatuses(task.taskId)));
    const settlement = task.settle(last, false);
    if (settlement.kind !== "resolve")
      throw new Error(`${task.name}: ${stateName(last.state)} ${last.message}`);
    return settlement.value;
  });

  const pending$ = new BehaviorSubject<readonly Task<unknown>[]>(tasks);
  const outcomes: LaunchOutcome[] = [];
  const pipeline = client.offers$
    .pipe(
      packWith(pending$, { heuristic: "bfd", holdMs: 200, rescinds$: client.rescinds$ }),
      launchOn(client),
      declineRest(client, { refuseSeconds: 5 }),
    )
    .subscribe((outcome) => {
      outcomes.push(outcome);
      if (outcome.launched) {
        log(
          `offer ${outcome.offer.id} on ${outcome.offer.hostname}: launched ${outcome.tasks.map((t) => t.task.name).join(", ")}`,
        );
      } else {
        log(
          `offer ${outcome.offer.id}: ${outcome.error ? `launch failed: ${outcome.error.message}` : "declined (no task)"}`,
        );
      }
    });

  try {
    const [product, reversed, echo] = await withTimeout(Promise.all(results), 30_000);
    log(
      `multiply(6, 7) = ${String(product)}, reverse("satyr") = ${String(reversed)}, echo: ${stateName((echo as TaskStatus).state)}`,
    );
    check(
      product === 42 && reversed === "rytas",
      `unexpected results ${String(product)}, ${String(reversed)}`,
    );
    check(stateName((echo as TaskStatus).state) === "TASK_FINISHED", "the command task did not finish");
    const accepts = outcomes.filter((o) => o.launched);
    const launched = accepts.reduce((n, o) => n + o.tasks.length, 0);
    check(launched === tasks.length, `expected ${tasks.length} launched tasks, got ${launched}`);
    return `packWith → launchOn → declineRest: ${launched} tasks in ${accepts.length} ACCEPT(s); 42, "rytas", echo finished`;
  } finally {
    pipeline.unsubscribe();
    await client.teardown();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

runIfMain(import.meta.url, main);
