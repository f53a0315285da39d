/**
 * The original README's "Work Queue Scheduler": a `QueueScheduler` running a function task (`sum(range(10))`),
 * plus what the original got wrong: a task that throws rejects only its own promise, and the framework keeps
 * serving the others.
 */
import { cpus, disk, FunctionTask, isRemoteTaskError, mem, QueueScheduler, run } from "@satyr/core";
import { check, type Log, runIfMain } from "./support/main.js";

export async function main(log: Log = console.log): Promise<string> {
  const scheduler = new QueueScheduler();
  const task = new FunctionTask({
    name: "satyr-task",
    fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
    args: [Array.from({ length: 10 }, (_, i) => i)],
    resources: [cpus(0.1), mem(128), disk(512)],
  });

  await using running = await run(scheduler, { name: "satyr-scheduler" });
  log(`subscribed to ${running.master} as framework ${running.frameworkId}`);

  const result = await scheduler.submit(task);
  log(`sum(range(10)) = ${result} (task ${task.taskId} on agent ${task.agentId})`);
  check(result === 45, `expected 45, got ${result}`);

  const failing = new FunctionTask({
    name: "failing-task",
    fn: () => {
      throw new RangeError("no such page");
    },
  });
  const next = new FunctionTask({
    name: "next-task",
    fn: (s: string) => s.toUpperCase(),
    args: ["still here"],
  });
  const [failed, after] = await Promise.allSettled([scheduler.submit(failing), scheduler.submit(next)]);
  check(failed.status === "rejected" && isRemoteTaskError(failed.reason), "the failing task did not reject");
  log(`a throwing task rejects alone: ${failed.reason.remoteName}: ${failed.reason.message}`);
  check(after.status === "fulfilled" && after.value === "STILL HERE", "the next task did not complete");
  log(`and the framework goes on: ${after.value}`);

  return `sum(range(10)) = ${result}; a failing task rejected alone, the next one returned "${after.value}"`;
}

runIfMain(import.meta.url, main);
