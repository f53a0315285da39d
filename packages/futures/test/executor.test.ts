import { createHash } from "node:crypto";
import {
  cpus,
  FunctionTask,
  isBrokenPoolError,
  isCancelledError,
  isInvalidTaskError,
  isPoolArgumentError,
  isPoolClosedError,
  isRemoteTaskError,
  isTimeoutError,
  type MapProgress,
  mem,
  QueueScheduler,
  type RemoteTaskError,
  run,
} from "@satyr/core";
import type { LocalCluster } from "@satyr/local";
import { lastValueFrom, toArray } from "rxjs";
import { type Future, MesosPoolExecutor } from "../src/index.js";
import { peakOverlap, recordingBackend, sleep, startCluster, timedSleep } from "./support/cluster.js";

// A whole cpu per task: the executor runs one worker thread per cpu, so sleeping tasks overlap.
const small = [cpus(1), mem(32)];
let cluster: LocalCluster;
let executor: MesosPoolExecutor;

beforeAll(async () => {
  cluster = await startCluster();
  executor = new MesosPoolExecutor({
    name: "futures-test",
    master: cluster.masterUrl,
    maxWorkers: 4,
    resources: small,
  });
});

afterAll(async () => {
  await executor?.shutdown();
  await cluster?.stop();
});

const sleepFor = (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms));

describe("MesosPoolExecutor.submit and Future", () => {
  it("returns a Future whose result is the call's value; awaiting it gives the same", async () => {
    const future = executor.submit((a: number, b: number) => a * b, [3, 5]);
    expect(await future.result()).toBe(15);
    expect(await future).toBe(15);
    expect(future.done()).toBe(true);
    expect(future.running()).toBe(false);
    expect(future.cancelled()).toBe(false);
    expect(await future.exception()).toBeUndefined();
  });

  it("round-trips structured values (Map, Date, bigint) through the cluster", async () => {
    const value = await executor.submit(
      (m: Map<string, number>, d: Date, n: bigint) => ({
        keys: [...m.keys()],
        year: d.getUTCFullYear(),
        n: n * 2n,
      }),
      [new Map([["a", 1]]), new Date(Date.UTC(2020, 0, 1)), 21n],
    );
    expect(value).toEqual({ keys: ["a"], year: 2020, n: 42n });
  });

  it("re-throws a task's exception as a RemoteTaskError with the remote name, stack and properties", async () => {
    const future = executor.submit(() => {
      throw Object.assign(new TypeError("bad input"), { code: "E_BAD" });
    });
    const error = (await future.exception()) as RemoteTaskError;
    expect(isRemoteTaskError(error)).toBe(true);
    expect(error.remoteName).toBe("TypeError");
    expect(error.message).toBe("bad input");
    expect(error.props).toMatchObject({ code: "E_BAD" });
    expect(error.remoteStack).toContain("bad input");
    expect(error.taskId).toBeDefined();
    await expect(future.result()).rejects.toBe(error);
    expect(future.done()).toBe(true);
  });

  it("reports running() while the task runs, then done()", async () => {
    const future = executor.submit(sleepFor, [400]);
    const deadline = Date.now() + 5000;
    while (!future.running() && Date.now() < deadline) await sleep(10);
    expect(future.running()).toBe(true);
    expect(future.done()).toBe(false);
    expect(await future.result()).toBe(400);
    expect(future.running()).toBe(false);
    expect(future.done()).toBe(true);
  });

  it("result(timeout) rejects with a TimeoutError and leaves the call running", async () => {
    const future = executor.submit(sleepFor, [500]);
    const error = await future.result(50).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(future.cancelled()).toBe(false);
    expect(await future.result(10_000)).toBe(500);
    expect(
      isTimeoutError(
        await executor
          .submit(sleepFor, [500])
          .exception(50)
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
  });

  it("timeoutMs fails a call that runs too long with a TimeoutError and kills it", async () => {
    const future = executor.submit(sleepFor, [10_000], { timeoutMs: 200 });
    const error = await future.result().catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(future.done()).toBe(true);
    expect(future.cancelled()).toBe(false);
  });

  it("cancels a pending call (it never runs) and a running one (it is killed)", async () => {
    const one = new MesosPoolExecutor({
      name: "futures-cancel",
      master: cluster.masterUrl,
      maxWorkers: 1,
      resources: small,
    });
    try {
      const running = one.submit(sleepFor, [10_000]);
      const pending = one.submit((x: number) => x, [1]);
      expect(pending.cancel()).toBe(true);
      expect(pending.cancelled()).toBe(true);
      expect(pending.done()).toBe(true);
      expect(isCancelledError(await pending.result().catch((e: unknown) => e))).toBe(true);
      expect(isCancelledError(await pending.exception().catch((e: unknown) => e))).toBe(true);

      const deadline = Date.now() + 5000;
      while (!running.running() && Date.now() < deadline) await sleep(10);
      expect(running.running()).toBe(true);
      const started = Date.now();
      expect(running.cancel()).toBe(true);
      expect(isCancelledError(await running.result().catch((e: unknown) => e))).toBe(true);
      expect(running.cancelled()).toBe(true);
      // The slot is free again: the kill reached the cluster long before the 10 s sleep would have ended.
      expect(await one.submit((x: number) => x + 1, [1]).result(5000)).toBe(2);
      expect(Date.now() - started).toBeLessThan(5000);

      const finished = one.submit(() => "done");
      await finished;
      expect(finished.cancel()).toBe(false);
      expect(finished.cancelled()).toBe(false);
    } finally {
      await one.shutdown();
    }
  });

  it("cancels through an AbortSignal", async () => {
    const controller = new AbortController();
    const future = executor.submit(sleepFor, [10_000], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(isCancelledError(await future.result().catch((e: unknown) => e))).toBe(true);
    expect(future.cancelled()).toBe(true);
  });

  it("calls done callbacks on completion, at once when already done, and on cancellation", async () => {
    const seen: string[] = [];
    const future = executor.submit((x: number) => x, [1]);
    future.addDoneCallback((f: Future<number>) => seen.push(`first:${f.done()}`));
    await future;
    future.addDoneCallback(() => seen.push("late"));
    const one = new MesosPoolExecutor({
      name: "futures-cb",
      master: cluster.masterUrl,
      maxWorkers: 1,
      resources: small,
    });
    try {
      const blocker = one.submit(sleepFor, [300]);
      const cancelled = one.submit((x: number) => x, [2]);
      cancelled.addDoneCallback((f) => seen.push(`cancelled:${f.cancelled()}`));
      cancelled.cancel();
      await blocker;
    } finally {
      await one.shutdown();
    }
    await sleep(10);
    expect(seen).toEqual(["first:true", "late", "cancelled:true"]);
  });

  it("runs module-reference functions, with imports, alongside self-contained ones", async () => {
    const module = new URL("./fixtures/tasks.mjs", import.meta.url).href;
    expect(await executor.submit({ module, export: "sha256" }, ["satyr"])).toBe(
      createHash("sha256").update("satyr").digest("hex"),
    );
    expect(await executor.submit({ module }, [7])).toBe(21);
  });

  it("starts its executor as the executor option says (command environment here)", async () => {
    await using custom = new MesosPoolExecutor({
      name: "futures-executor-option",
      master: cluster.masterUrl,
      maxWorkers: 1,
      resources: small,
      executor: { environment: { SATYR_TEST_MARK: "from-the-pool-option" } },
    });
    expect(await custom.submit(() => process.env.SATYR_TEST_MARK, [])).toBe("from-the-pool-option");
    // The default executor does not carry it: the option made a distinct ExecutorInfo.
    expect(await executor.submit(() => process.env.SATYR_TEST_MARK ?? "unset", [])).toBe("unset");
  });

  it("takes resources per call", async () => {
    const future = executor.submit(() => "fits", [], { resources: [cpus(0.5), mem(64)] });
    expect(await future.result(10_000)).toBe("fits");
  });

  it("never runs more than maxWorkers tasks at once", async () => {
    const two = new MesosPoolExecutor({
      name: "futures-bound",
      master: cluster.masterUrl,
      maxWorkers: 2,
      resources: small,
    });
    try {
      const spans = await Promise.all(Array.from({ length: 6 }, () => two.submit(timedSleep, [400])));
      expect(peakOverlap(spans)).toBe(2);
    } finally {
      await two.shutdown();
    }
  });

  it("fails a call whose arguments cannot travel with a typed error, and goes on", async () => {
    const error = await executor.submit((f: unknown) => typeof f, [() => 1]).exception();
    expect(isInvalidTaskError(error)).toBe(true);
    expect(error?.message).toMatch(/function|serializ/i);
    expect(await executor.submit((x: number) => x, [1])).toBe(1);
  });

  it("rejects a bad function or arguments with a typed error", () => {
    expect(isPoolArgumentError(catching(() => executor.submit(42 as never)))).toBe(true);
    expect(isPoolArgumentError(catching(() => executor.submit((x: number) => x, 1 as never)))).toBe(true);
    expect(catching(() => new MesosPoolExecutor({ maxWorkers: 0 }))).toMatchObject({
      name: "PoolArgumentError",
      argument: "maxWorkers",
    });
  });
});

describe("MesosPoolExecutor.map", () => {
  it("yields results in input order, zipping several iterables to the shortest", async () => {
    const values: number[] = [];
    for await (const v of executor.map(
      (a: number, b: number) => a * b,
      [
        [1, 2, 3, 4],
        [10, 20, 30],
      ],
    ))
      values.push(v);
    expect(values).toEqual([10, 40, 90]);
    const none: unknown[] = [];
    for await (const v of executor.map((a: number) => a, [[]])) none.push(v);
    expect(none).toEqual([]);
  });

  it("runs tasks concurrently: order follows input, not completion", async () => {
    const input = [800, 300, 500, 200];
    const values: [number, number][] = [];
    for await (const v of executor.map(timedSleep, [input], { chunksize: 1 })) values.push(v);
    // Each result sits at its input's position (its span lasted that input's sleep), and the calls overlapped.
    values.forEach(([start, end], i) => {
      expect(end - start).toBeGreaterThanOrEqual(input[i]! - 5);
      expect(end - start).toBeLessThan(input[i]! + 1000);
    });
    expect(peakOverlap(values)).toBeGreaterThan(1);
  });

  it("honours chunksize (one cluster task per chunk) and defaults it like Python's Pool.map", async () => {
    const backend = recordingBackend(cluster.masterUrl, "futures-chunks");
    const chunked = new MesosPoolExecutor({
      name: "futures-chunks",
      backend,
      maxWorkers: 2,
      resources: small,
    });
    try {
      const xs = Array.from({ length: 20 }, (_, i) => i);
      const out: number[] = [];
      for await (const v of chunked.map((x: number) => x + 1, [xs], { chunksize: 6 })) out.push(v);
      expect(out).toEqual(xs.map((x) => x + 1));
      expect(backend.chunks).toEqual([6, 6, 6, 2]);
      backend.chunks.length = 0;
      const all: number[] = [];
      for await (const v of chunked.map((x: number) => x, [xs])) all.push(v);
      expect(all).toEqual(xs);
      expect(backend.chunks).toEqual([3, 3, 3, 3, 3, 3, 2]); // ceil(20 / (4 × 2)) = 3
    } finally {
      await chunked.shutdown();
    }
  });

  it("raises a call's exception where its item comes and cancels the rest", async () => {
    const run = executor.map(
      (x: number) => {
        if (x === 2) throw new RangeError(`no ${x}`);
        return x;
      },
      [[0, 1, 2, 3, 4, 5]],
      { chunksize: 1 },
    );
    const seen: number[] = [];
    const error = await (async () => {
      for await (const v of run) seen.push(v);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([0, 1]);
    expect(isRemoteTaskError(error)).toBe(true);
    expect((error as RemoteTaskError).remoteName).toBe("RangeError");
    await run.ended();
    const p = run.progress;
    expect(p.done + p.failed + p.cancelled).toBe(6);
  });

  it("raises a TimeoutError when results are not ready within timeout", async () => {
    const error = await (async () => {
      for await (const _ of executor.map(sleepFor, [[10, 10_000]], { timeout: 600, chunksize: 1 })) {
        // consume
      }
    })().catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
  });

  it("reads input lazily within buffersize and reports progress", async () => {
    let read = 0;
    function* input() {
      for (let i = 0; i < 12; i++) {
        read++;
        yield i;
      }
    }
    const snapshots: MapProgress[] = [];
    const run = executor.map((x: number) => x * 2, [input()], {
      buffersize: 2,
      chunksize: 2,
      onProgress: (p) => snapshots.push(p),
    });
    const all = lastValueFrom(run.progress$.pipe(toArray()));
    await sleep(100);
    expect(read).toBeLessThanOrEqual(6);
    const values: number[] = [];
    for await (const v of run) values.push(v);
    expect(values).toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
    const last = snapshots.at(-1)!;
    expect(last).toEqual({ submitted: 12, running: 0, done: 12, failed: 0, cancelled: 0, total: 12 });
    expect((await all).at(-1)).toEqual(last);
  });

  it("cancels what is outstanding when the consumer stops early", async () => {
    const run = executor.map(sleepFor, [[10, 10_000, 10_000]], { chunksize: 1 });
    for await (const v of run) {
      expect(v).toBe(10);
      break;
    }
    await run.ended();
    expect(run.progress).toMatchObject({ done: 1, cancelled: 2, running: 0 });
  });
});

describe("MesosPoolExecutor.shutdown", () => {
  it("waits for pending calls, then refuses new ones", async () => {
    const ex = new MesosPoolExecutor({
      name: "futures-shutdown",
      master: cluster.masterUrl,
      maxWorkers: 1,
      resources: small,
    });
    const a = ex.submit(sleepFor, [100]);
    const b = ex.submit(sleepFor, [50]);
    await ex.shutdown({ wait: true });
    expect(a.done() && b.done()).toBe(true);
    expect(await b).toBe(50);
    expect(isPoolClosedError(catching(() => ex.submit(() => 1)))).toBe(true);
    await ex.shutdown(); // idempotent
  });

  it("cancelFutures cancels the calls not yet running; running ones complete", async () => {
    const ex = new MesosPoolExecutor({
      name: "futures-cancelf",
      master: cluster.masterUrl,
      maxWorkers: 1,
      resources: small,
    });
    const running = ex.submit(sleepFor, [300]);
    const queued = [ex.submit(sleepFor, [10]), ex.submit(sleepFor, [10])];
    const deadline = Date.now() + 5000;
    while (!running.running() && Date.now() < deadline) await sleep(10);
    await ex.shutdown({ wait: true, cancelFutures: true });
    expect(await running).toBe(300);
    expect(queued.every((f) => f.cancelled())).toBe(true);
  });

  it("shutdown without wait returns at once; await using waits", async () => {
    let future: Future<unknown> | undefined;
    {
      await using ex = new MesosPoolExecutor({
        name: "futures-using",
        master: cluster.masterUrl,
        resources: small,
      });
      future = ex.submit(sleepFor, [100]);
    }
    expect(future.done()).toBe(true);
    const ex = new MesosPoolExecutor({ name: "futures-nowait", master: cluster.masterUrl, resources: small });
    const f = ex.submit(sleepFor, [200]);
    await ex.shutdown({ wait: false });
    expect(f.done()).toBe(false);
    expect(await f).toBe(200);
  });

  it("submits to a scheduler it is given and leaves that framework running on shutdown", async () => {
    const scheduler = new QueueScheduler();
    const running = await run(scheduler, { name: "futures-shared", master: cluster.masterUrl });
    try {
      const ex = new MesosPoolExecutor({ scheduler, resources: small });
      expect(await ex.submit((x: number) => x * 2, [21])).toBe(42);
      await ex.shutdown();
      const task = new FunctionTask({ fn: () => "still running", resources: small });
      expect(await scheduler.submit(task)).toBe("still running");
    } finally {
      await running.stop();
    }
  });

  it("fails every call with a BrokenPoolError when the master cannot be reached", async () => {
    const ex = new MesosPoolExecutor({
      name: "futures-broken",
      master: "http://127.0.0.1:1",
      run: { timeoutMs: 300 },
    });
    const error = await ex
      .submit(() => 1)
      .result()
      .catch((e: unknown) => e);
    expect(isBrokenPoolError(error)).toBe(true);
    expect(isBrokenPoolError(catching(() => ex.submit(() => 2)))).toBe(true);
    await ex.shutdown();
  });
});

function catching(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
