/**
 * The original README's PythonTask, as a `FunctionTask`: a function and its arguments run on an agent by
 * `satyr-executor`. Shown: a function value (shipped as its source text), a lambda, a module reference for code
 * with imports, and the limit of the first form: a captured variable is a clear remote `ReferenceError`.
 */
import { createHash } from "node:crypto";
import { cpus, FunctionTask, isRemoteTaskError, mem, QueueScheduler, run } from "@satyr/core";
import { builtFile, check, type Log, runIfMain } from "./support/main.js";

export async function main(log: Log = console.log): Promise<string> {
  const scheduler = new QueueScheduler();
  await using _running = await run(scheduler, { name: "satyr-function-task" });

  // Python's `PythonTask(name='python-task', fn=sum, args=[range(5)])`.
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const total = await scheduler.submit(
    new FunctionTask({
      name: "python-task",
      fn: sum,
      args: [[0, 1, 2, 3, 4]],
      resources: [cpus(0.1), mem(128)],
    }),
  );
  log(`sum(range(5)) = ${total}`);
  check(total === 10, `expected 10, got ${total}`);

  // Async functions work too; arguments and results travel as msgpack, so Dates, Maps and bigints round-trip.
  const summary = await scheduler.submit(
    new FunctionTask({
      name: "lambda-task",
      fn: async (since: Date, counts: Map<string, bigint>) => ({
        days: Math.round((Date.UTC(2026, 0, 1) - since.getTime()) / 86_400_000),
        total: [...counts.values()].reduce((a, b) => a + b, 0n),
      }),
      args: [
        new Date(Date.UTC(2025, 0, 1)),
        new Map([
          ["a", 2n ** 60n],
          ["b", 1n],
        ]),
      ],
    }),
  );
  log(
    `an async lambda with a Date and a Map of bigints → ${JSON.stringify(summary, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`,
  );
  check(summary.days === 365 && summary.total === 2n ** 60n + 1n, "the lambda's result did not round-trip");

  // Real code with imports goes by module reference: the executor imports the module and calls the export.
  const digest = await scheduler.submit(
    new FunctionTask<string>({
      name: "module-task",
      fn: { module: builtFile("task-modules/digest.js", import.meta.url), export: "sha256" },
      args: ["satyr"],
    }),
  );
  log(`{ module: task-modules/digest.js, export: "sha256" }("satyr") = ${digest.slice(0, 16)}…`);
  check(
    digest === createHash("sha256").update("satyr").digest("hex"),
    "the module function's digest differs",
  );

  // The limit of shipping source text: a captured variable does not exist on the executor.
  const factor = 3;
  const error = await scheduler
    .submit(
      new FunctionTask({ name: "closure-task", fn: (x: number) => x * factor, args: [2], maxAttempts: 1 }),
    )
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  check(isRemoteTaskError(error), `a captured variable should fail remotely, got ${String(error)}`);
  log(`a function capturing a variable fails clearly: ${error.remoteName}: ${error.message}`);
  check(error.remoteName === "ReferenceError", `expected a ReferenceError, got ${error.remoteName}`);

  return `sum → ${total}; async lambda with Date/Map/bigint; module export sha256; captured variable → ReferenceError`;
}

runIfMain(import.meta.url, main);
