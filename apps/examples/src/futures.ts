/**
 * The original README's "Futures Interface": `MesosPoolExecutor.submit` and `map`, plus what the original could
 * not do: cancelling a call that is already running on the cluster (its task is killed).
 */
import { cpus, isCancelledError, mem } from "@satyr/core";
import { MesosPoolExecutor } from "@satyr/futures";
import { check, type Log, runIfMain } from "./support/main.js";

export async function main(log: Log = console.log): Promise<string> {
  await using executor = new MesosPoolExecutor({ name: "futures-pool", maxWorkers: 4 });

  // Functions travel as source text: self-contained, like a lambda, no captured variables.
  const mul = (a: number, b: number) => a * b;

  const future = executor.submit(mul, [3, 5]);
  const product = await future.result(30_000);
  log(`submit(mul, [3, 5]).result() = ${product}`);
  // The original asserted 3 here; 3 × 5 is 15.
  check(product === 15, `expected 15, got ${product}`);

  const xs = Array.from({ length: 10 }, (_, i) => i);
  const squares: number[] = [];
  for await (const value of executor.map(mul, [xs, xs], {
    timeout: 30_000,
    resources: [cpus(0.1), mem(128)],
  })) {
    squares.push(value);
  }
  log(`map(mul, range(10), range(10)) = [${squares.join(", ")}]`);
  check(
    squares.every((v, i) => v === i * i) && squares.length === 10,
    `expected the squares of 0..9, got ${squares}`,
  );

  // A running call can be cancelled: the task is killed on the cluster and the future settles as cancelled.
  const slow = executor.submit(
    async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return "too late";
    },
    [60_000],
  );
  const started = Date.now();
  while (!slow.running() && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
  check(slow.running(), "the slow call never started running");
  const cancelled = slow.cancel();
  const outcome = await slow.result().then(
    (value) => `resolved with ${String(value)}`,
    (error: unknown) => (isCancelledError(error) ? "CancelledError" : String(error)),
  );
  log(`cancel() on a running call: ${cancelled}, cancelled() = ${slow.cancelled()}, result() → ${outcome}`);
  check(cancelled && slow.cancelled() && outcome === "CancelledError", "the running call was not cancelled");

  return `submit → ${product}, map → ${squares.length} squares in order, a running call cancelled`;
}

runIfMain(import.meta.url, main);
