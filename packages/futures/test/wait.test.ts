import { cpus, isPoolArgumentError, isTimeoutError, mem } from "@satyr/core";
import type { LocalCluster } from "@satyr/local";
import {
  ALL_COMPLETED,
  asCompleted,
  type CompletedFuture,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  MesosPoolExecutor,
  wait,
} from "../src/index.js";
import { startCluster } from "./support/cluster.js";

let cluster: LocalCluster;
let executor: MesosPoolExecutor;

beforeAll(async () => {
  cluster = await startCluster();
  executor = new MesosPoolExecutor({
    name: "futures-wait",
    master: cluster.masterUrl,
    maxWorkers: 6,
    resources: [cpus(1), mem(32)],
  });
  // Warm up: the first task of a framework also starts its executor.
  await executor.submit(() => 0);
});

afterAll(async () => {
  await executor?.shutdown();
  await cluster?.stop();
});

const sleepFor = (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms));
const failAfter = (ms: number) =>
  new Promise((_, reject) => setTimeout(() => reject(new Error(`failed after ${ms}`)), ms));

describe("wait", () => {
  it("FIRST_COMPLETED returns once one future is done", async () => {
    const quick = executor.submit(sleepFor, [20]);
    const slow = executor.submit(sleepFor, [1500]);
    const { done, notDone } = await wait([quick, slow], { returnWhen: FIRST_COMPLETED });
    expect([...done]).toEqual([quick]);
    expect([...notDone]).toEqual([slow]);
    slow.cancel();
  });

  it("FIRST_EXCEPTION returns at the first exception, and waits for all when none raises", async () => {
    const ok = executor.submit(sleepFor, [10]);
    const bad = executor.submit(failAfter, [50]);
    const slow = executor.submit(sleepFor, [2000]);
    const first = await wait([ok, bad, slow], { returnWhen: FIRST_EXCEPTION });
    expect(first.done.has(bad)).toBe(true);
    expect(first.notDone.has(slow)).toBe(true);
    slow.cancel();
    const fine = [executor.submit(sleepFor, [10]), executor.submit(sleepFor, [60])];
    const all = await wait(fine, { returnWhen: FIRST_EXCEPTION });
    expect(all.done.size).toBe(2);
    expect(all.notDone.size).toBe(0);
  });

  it("ALL_COMPLETED (the default) waits for every future; cancelled ones count as done", async () => {
    const fs = [
      executor.submit(sleepFor, [10]),
      executor.submit(failAfter, [20]),
      executor.submit(sleepFor, [5000]),
    ];
    fs[2]!.cancel();
    const { done, notDone } = await wait(fs);
    expect(done.size).toBe(3);
    expect(notDone.size).toBe(0);
    expect(fs[2]!.cancelled()).toBe(true);
  });

  it("returns at the timeout with what is not done in notDone", async () => {
    const slow = executor.submit(sleepFor, [3000]);
    const quick = executor.submit(sleepFor, [1]);
    await quick;
    const started = Date.now();
    const { done, notDone } = await wait([slow, quick], { timeout: 100, returnWhen: ALL_COMPLETED });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(done.has(quick)).toBe(true);
    expect(notDone.has(slow)).toBe(true);
    slow.cancel();
  });

  it("returns at once when the condition already holds, counting duplicates once", async () => {
    const f = executor.submit(() => 1);
    await f;
    const { done } = await wait([f, f, f], { returnWhen: FIRST_COMPLETED, timeout: 0 });
    expect(done.size).toBe(1);
    expect(
      isPoolArgumentError(await wait([f], { returnWhen: "SOMETIMES" as never }).catch((e: unknown) => e)),
    ).toBe(true);
  });
});

describe("asCompleted", () => {
  it("yields already-done futures first, then the others as they complete, each once", async () => {
    const done = executor.submit(() => "done");
    await done;
    const slow = executor.submit(sleepFor, [2000]);
    const quick = executor.submit(sleepFor, [50]);
    const order: CompletedFuture<unknown>[] = [];
    for await (const f of asCompleted([slow, done, quick, slow])) order.push(f);
    expect(order).toEqual([done, quick, slow]);
  });

  it("raises a TimeoutError if not all complete within timeout", async () => {
    const slow = executor.submit(sleepFor, [6000]);
    const quick = executor.submit(sleepFor, [10]);
    const seen: CompletedFuture<unknown>[] = [];
    const error = await (async () => {
      for await (const f of asCompleted([slow, quick], { timeout: 2000 })) seen.push(f);
    })().catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(seen).toEqual([quick]);
    slow.cancel();
  });
});
