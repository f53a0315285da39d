import {
  cpus,
  isCancelledError,
  isPoolArgumentError,
  isPoolClosedError,
  isPoolStateError,
  isRemoteTaskError,
  isTimeoutError,
  type MapProgress,
  mem,
  type RemoteTaskError,
} from "@satyr/core";
import type { LocalCluster } from "@satyr/local";
import { lastValueFrom, toArray } from "rxjs";
import { AsyncResult, Pool } from "../src/index.js";
import { peakOverlap, recordingBackend, sleep, startCluster, timedSleep } from "./support/cluster.js";

// A whole cpu per task: the executor runs one worker thread per cpu, so sleeping tasks overlap.
const resources = [cpus(1), mem(32)];
let cluster: LocalCluster;
let pool: Pool;

beforeAll(async () => {
  cluster = await startCluster();
  pool = new Pool({ name: "mp-test", master: cluster.masterUrl, processes: 4, resources });
});

afterAll(async () => {
  await pool?.terminate();
  await cluster?.stop();
});

const sleepFor = (ms: number) => new Promise((resolve) => setTimeout(() => resolve(ms), ms));
const square = (x: number) => x * x;
const failOn = (x: number) => {
  if (x === 5) throw new RangeError(`five: ${x}`);
  return x;
};
const grab = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
};

describe("apply and applyAsync", () => {
  it("apply resolves with the value; ints and strings round-trip", async () => {
    expect(await pool.apply((a: number, b: number) => a + b, [1, 2])).toBe(3);
    expect(await pool.apply((s: string) => s.toUpperCase(), ["satyr"])).toBe("SATYR");
  });

  it("applyAsync returns an AsyncResult: get, wait, ready, successful", async () => {
    const r = pool.applyAsync(sleepFor, [200]);
    expect(r).toBeInstanceOf(AsyncResult);
    expect(r.ready()).toBe(false);
    expect(isPoolStateError(grab(() => r.successful()))).toBe(true);
    const error = await r.get(20).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    await r.wait(20);
    expect(r.ready()).toBe(false);
    await r.wait();
    expect(r.ready()).toBe(true);
    expect(r.successful()).toBe(true);
    expect(await r.get()).toBe(200);
  });

  it("calls callback with the value and errorCallback with the error, before get() resolves", async () => {
    const seen: unknown[] = [];
    const ok = pool.applyAsync((x: number) => x + 1, [1], { callback: (v) => seen.push(v) });
    expect(await ok.get()).toBe(2);
    expect(seen).toEqual([2]);
    const bad = pool.applyAsync(failOn, [5], { errorCallback: (e) => seen.push(e.message) });
    await bad.wait();
    expect(seen).toEqual([2, "five: 5"]);
    expect(bad.successful()).toBe(false);
    const error = (await bad.get().catch((e: unknown) => e)) as RemoteTaskError;
    expect(isRemoteTaskError(error)).toBe(true);
    expect(error.remoteName).toBe("RangeError");
    expect(error.remoteStack).toContain("five");
  });

  it("runs several applyAsync calls concurrently, bounded by processes", async () => {
    const results = Array.from({ length: 8 }, () => pool.applyAsync(timedSleep, [500]));
    const spans = await Promise.all(results.map((r) => r.get()));
    const peak = peakOverlap(spans);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(pool.processes);
  });
});

describe("map family", () => {
  it("map returns the values in order; an empty input gives []", async () => {
    expect(await pool.map(square, [1, 2, 3, 4, 5])).toEqual([1, 4, 9, 16, 25]);
    expect(await pool.map(square, [])).toEqual([]);
  });

  it("mapAsync gives one AsyncResult for the whole list, with progress", async () => {
    const snapshots: MapProgress[] = [];
    // Calls outlast the executor's running delay, so their tasks report RUNNING (short ones go straight to done).
    const slowSquare = (x: number) => new Promise((resolve) => setTimeout(() => resolve(x * x), 100));
    const r = pool.mapAsync(slowSquare, [1, 2, 3, 4, 5, 6], {
      chunksize: 2,
      onProgress: (p) => snapshots.push(p),
    });
    expect(await r.get()).toEqual([1, 4, 9, 16, 25, 36]);
    expect(r.successful()).toBe(true);
    expect(r.progress).toEqual({ submitted: 6, running: 0, done: 6, failed: 0, cancelled: 0, total: 6 });
    expect(snapshots.at(-1)).toEqual(r.progress);
    expect(snapshots.some((p) => p.running > 0)).toBe(true);
  });

  it("map rejects with the first failure; mapAsync calls errorCallback", async () => {
    const error = await pool.map(failOn, [1, 5, 7], { chunksize: 1 }).catch((e: unknown) => e);
    expect(isRemoteTaskError(error)).toBe(true);
    const errors: Error[] = [];
    const r = pool.mapAsync(failOn, [4, 5, 6], { errorCallback: (e) => errors.push(e) });
    await r.wait();
    expect(r.successful()).toBe(false);
    expect(errors.map((e) => e.message)).toEqual(["five: 5"]);
  });

  it("starmap and starmapAsync unpack argument lists", async () => {
    const mul = (a: number, b: number) => a * b;
    expect(
      await pool.starmap(mul, [
        [1, 2],
        [3, 4],
      ]),
    ).toEqual([2, 12]);
    expect(await pool.starmapAsync(mul, [[5, 6]]).get()).toEqual([30]);
    expect(isPoolArgumentError(await pool.starmap(mul, [3] as never).catch((e: unknown) => e))).toBe(true);
  });

  it("imap yields lazily in order; imapUnordered in completion order", async () => {
    const ordered: number[] = [];
    for await (const v of pool.imap(sleepFor, [300, 10, 100])) ordered.push(v as number);
    expect(ordered).toEqual([300, 10, 100]);
    const unordered: number[] = [];
    for await (const v of pool.imapUnordered(sleepFor, [2000, 10, 700])) unordered.push(v as number);
    expect(unordered).toEqual([10, 700, 2000]);
  });

  it("imap reads lazily within buffersize and reports progress$ until every task settled", async () => {
    let read = 0;
    function* input() {
      for (let i = 0; i < 9; i++) {
        read++;
        yield i;
      }
    }
    const run = pool.imap(square, input(), { chunksize: 3, buffersize: 1 });
    const snapshots = lastValueFrom(run.progress$.pipe(toArray()));
    await sleep(100);
    expect(read).toBeLessThanOrEqual(6);
    const values: number[] = [];
    for await (const v of run) values.push(v);
    expect(values).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64]);
    expect((await snapshots).at(-1)).toEqual({
      submitted: 9,
      running: 0,
      done: 9,
      failed: 0,
      cancelled: 0,
      total: 9,
    });
  });

  it("cancels a whole map through its signal", async () => {
    const controller = new AbortController();
    const r = pool.mapAsync(sleepFor, [10_000, 10_000, 10], { chunksize: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(isCancelledError(await r.get(5000).catch((e: unknown) => e))).toBe(true);
  });

  it("imap raises a failing item's error at its position", async () => {
    const seen: number[] = [];
    const error = await (async () => {
      for await (const v of pool.imap(failOn, [3, 4, 5, 6])) seen.push(v);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([3, 4]);
    expect((error as RemoteTaskError).remoteName).toBe("RangeError");
  });

  it("honours chunksize: one cluster task per chunk; map's default is Python's", async () => {
    const backend = recordingBackend(cluster.masterUrl, "mp-chunks");
    const p = new Pool({ name: "mp-chunks", backend, processes: 2, resources });
    try {
      const xs = Array.from({ length: 17 }, (_, i) => i);
      expect(await p.map(square, xs, { chunksize: 5 })).toEqual(xs.map(square));
      expect(backend.chunks).toEqual([5, 5, 5, 2]);
      backend.chunks.length = 0;
      expect(await p.map(square, xs)).toEqual(xs.map(square));
      expect(backend.chunks).toEqual([3, 3, 3, 3, 3, 2]); // ceil(17 / (4 × 2)) = 3
      backend.chunks.length = 0;
      const out: number[] = [];
      for await (const v of p.imap(square, xs.slice(0, 4))) out.push(v);
      expect(backend.chunks).toEqual([1, 1, 1, 1]); // imap's default chunksize is 1
      backend.chunks.length = 0;
      const un: number[] = [];
      for await (const v of p.imapUnordered(square, xs, { chunksize: 9 })) un.push(v);
      expect(un.sort((a, b) => a - b)).toEqual(xs.map(square));
      expect(backend.chunks).toEqual([9, 8]);
    } finally {
      await p.terminate();
    }
  });

  it("runs module-reference functions", async () => {
    const module = new URL("../../futures/test/fixtures/tasks.mjs", import.meta.url).href;
    expect(await pool.map({ module }, [1, 2, 3])).toEqual([3, 6, 9]);
  });
});

describe("close, join, terminate", () => {
  it("join before close is an error; close then join waits for the work", async () => {
    const p = new Pool({ name: "mp-join", master: cluster.masterUrl, processes: 2, resources });
    const r = p.applyAsync(sleepFor, [200]);
    const it = p.imap(square, [1, 2, 3]);
    expect(isPoolStateError(await p.join().catch((e: unknown) => e))).toBe(true);
    p.close();
    const values: number[] = [];
    for await (const v of it) values.push(v);
    await p.join();
    expect(r.ready()).toBe(true);
    expect(await r.get()).toBe(200);
    expect(values).toEqual([1, 4, 9]);
  });

  it("refuses work after close and after terminate", async () => {
    const p = new Pool({ name: "mp-closed", master: cluster.masterUrl, resources });
    p.close();
    expect(isPoolClosedError(grab(() => p.applyAsync(square, [1])))).toBe(true);
    expect(isPoolClosedError(grab(() => p.imap(square, [1])))).toBe(true);
    await expect(p.map(square, [1])).rejects.toThrow(/not running/);
    await p.join();
    const q = new Pool({ name: "mp-terminated", master: cluster.masterUrl, resources });
    await q.terminate();
    expect(isPoolClosedError(grab(() => q.applyAsync(square, [1])))).toBe(true);
    await q.join();
  });

  it("terminate kills running work: its results reject with CancelledError", async () => {
    const p = new Pool({ name: "mp-terminate", master: cluster.masterUrl, processes: 2, resources });
    const running = p.applyAsync(sleepFor, [10_000]);
    const queued = p.mapAsync(sleepFor, [10_000, 10_000, 10_000], { chunksize: 1 });
    const deadline = Date.now() + 5000;
    while ((queued.progress?.running ?? 0) === 0 && Date.now() < deadline) await sleep(10);
    const started = Date.now();
    await p.terminate();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isCancelledError(await running.get().catch((e: unknown) => e))).toBe(true);
    expect(isCancelledError(await queued.get().catch((e: unknown) => e))).toBe(true);
    await p.join();
  });

  it("await using terminates the pool, as Python's with block does", async () => {
    let r: AsyncResult<unknown> | undefined;
    {
      await using p = new Pool({ name: "mp-using", master: cluster.masterUrl, resources });
      expect(await p.apply(square, [3])).toBe(9);
      r = p.applyAsync(sleepFor, [10_000]);
    }
    expect(isCancelledError(await r.get(5000).catch((e: unknown) => e))).toBe(true);
  });

  it("validates its options", async () => {
    expect(grab(() => new Pool({ processes: 0 }))).toMatchObject({
      name: "PoolArgumentError",
      argument: "processes",
    });
    expect(isPoolArgumentError(await pool.map(square, 5 as never).catch((e: unknown) => e))).toBe(true);
    expect(isPoolArgumentError(grab(() => pool.mapAsync(square, [1], { chunksize: 0 })))).toBe(true);
    const r = pool.applyAsync(square, [2]);
    expect(isPoolArgumentError(await r.get(-5).catch((e: unknown) => e))).toBe(true);
    expect(await r.get()).toBe(4);
  });
});
