import { firstValueFrom, lastValueFrom, toArray } from "rxjs";
import { isCancelledError, isTimeoutError } from "../../src/errors/index.js";
import { FunctionPool, isPoolArgumentError, type MapProgress } from "../../src/pool/index.js";
import { FakeRunner, fakeBackend, hang, sleep, until } from "./fake-runner.js";

function makePool(maxConcurrency = 2) {
  const runner = new FakeRunner();
  const pool = new FunctionPool({ backend: fakeBackend(runner), maxConcurrency, name: "map" });
  return { pool, runner };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => [i] as const);

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe("MapRun", () => {
  it("yields results in input order with the chunk size given, one task per chunk", async () => {
    const { pool, runner } = makePool(3);
    const run = pool.map<number>((x: number) => x * x, items(10), { chunksize: 3 });
    expect(await drain(run)).toEqual(items(10).map(([x]) => x * x));
    expect(runner.runs.map((r) => r.request.calls.length)).toEqual([3, 3, 3, 1]);
  });

  it("defaults the chunk size like Python's Pool.map for arrays, and to 1 for other iterables", async () => {
    const { pool, runner } = makePool(2);
    const run = pool.map<number>((x: number) => x, items(100));
    expect(run.chunksize).toBe(13); // ceil(100 / (4 × 2))
    expect(await drain(run)).toHaveLength(100);
    expect(runner.runs).toHaveLength(8);
    function* gen() {
      yield [1];
      yield [2];
    }
    const lazy = pool.map<number>((x: number) => x, gen());
    expect(lazy.chunksize).toBe(1);
    expect(await drain(lazy)).toEqual([1, 2]);
  });

  it("yields in completion order when unordered", async () => {
    const { pool } = makePool(4);
    // The fake cluster runs functions in this process, so the test decides the order in which calls complete.
    const opens: ((value: number) => void)[] = [];
    const gates = Array.from({ length: 4 }, (_, i) => new Promise<number>((resolve) => (opens[i] = resolve)));
    const run = pool.map<number>((i: number) => gates[i], items(4), { chunksize: 1, ordered: false });
    const seen: number[] = [];
    const consumed = (async () => {
      for await (const v of run) seen.push(v);
    })();
    // Each call is let finish only once the previous one was yielded, so a busy machine cannot reorder them.
    for (const [k, i] of [2, 0, 3, 1].entries()) {
      opens[i]!(i);
      await until(() => seen.length === k + 1);
    }
    await consumed;
    expect(seen).toEqual([2, 0, 3, 1]);
  });

  it("yields the items before a failing one, then throws its error and cancels the rest", async () => {
    const { pool, runner } = makePool(1);
    const run = pool.map<number>(
      async (x: number) => {
        if (x === 2) throw new RangeError(`bad ${x}`);
        return x;
      },
      items(8),
      { chunksize: 3 },
    );
    const seen: number[] = [];
    const error = await (async () => {
      for await (const v of run) seen.push(v);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([0, 1]);
    expect(error).toMatchObject({ name: "RangeError", message: "bad 2" });
    await run.ended();
    expect(run.progress).toMatchObject({ submitted: 8, done: 2, failed: 1, cancelled: 5 });
    // The one-slot cluster got at most the next chunk, which was killed; the rest never left the queue.
    expect(runner.runs.length).toBeLessThanOrEqual(2);
    expect(runner.runs.slice(1).every((r) => r.killed)).toBe(true);
  });

  it("cancels outstanding tasks, killing running ones, when the consumer breaks", async () => {
    const { pool, runner } = makePool(2);
    const run = pool.map<number>(
      async (x: number) => {
        if (x > 0) await hang();
        return x;
      },
      items(6),
      { chunksize: 1 },
    );
    for await (const v of run) {
      expect(v).toBe(0);
      break;
    }
    await run.ended();
    await pool.idle();
    expect(runner.runs.some((r) => r.killed)).toBe(true);
    expect(run.progress).toMatchObject({ done: 1, cancelled: 5, running: 0 });
  });

  it("reads input lazily within buffersize tasks ahead of the consumer", async () => {
    const { pool } = makePool(8);
    let read = 0;
    function* input() {
      for (let i = 0; i < 20; i++) {
        read++;
        yield [i];
      }
    }
    const run = pool.map<number>((x: number) => x, input(), { chunksize: 2, buffersize: 3 });
    await until(() => run.progress.submitted === 6);
    await sleep(20);
    // 3 chunks of 2 submitted, plus the 4th chunk assembled and waiting for room; nothing more.
    expect(run.progress.submitted).toBe(6);
    expect(read).toBe(8);
    expect(run.progress.submitted).toBe(6);
    const values = await drain(run);
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(read).toBe(20);
  });

  it("raises a TimeoutError when the map's deadline passes and cancels what is left", async () => {
    const { pool } = makePool(2);
    const run = pool.map<number>(
      async (x: number) => {
        if (x === 1) await hang();
        return x;
      },
      items(3),
      { chunksize: 1, timeoutMs: 50 },
    );
    const seen: number[] = [];
    const error = await (async () => {
      for await (const v of run) seen.push(v);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([0]);
    expect(isTimeoutError(error)).toBe(true);
  });

  it("cancels through its signal and through cancel()", async () => {
    const { pool } = makePool(2);
    const controller = new AbortController();
    const run = pool.map(hang, items(4), { chunksize: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    expect(isCancelledError(await drain(run).catch((e: unknown) => e))).toBe(true);
    const other = pool.map(hang, items(2), { chunksize: 1 });
    other.cancel();
    expect(isCancelledError(await other.collect().catch((e: unknown) => e))).toBe(true);
    await pool.idle();
  });

  it("collects in input order and fails fast on the first error in completion order", async () => {
    const { pool } = makePool(4);
    const ok = pool.map<number>((x: number) => x + 1, items(9), { chunksize: 2, ordered: false });
    expect(await ok.collect()).toEqual(items(9).map(([x]) => x + 1));
    const started = Date.now();
    const bad = pool.map(
      async (x: number) => {
        if (x === 0) await hang();
        if (x === 3) throw new Error("three");
        return x;
      },
      items(4),
      { chunksize: 1 },
    );
    await expect(bad.collect()).rejects.toThrow("three");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("accepts async iterables and reports an input error as the map's error", async () => {
    const { pool } = makePool(2);
    async function* input() {
      yield [1];
      await sleep(1);
      yield [2];
    }
    expect(await drain(pool.map<number>((x: number) => x * 10, input()))).toEqual([10, 20]);
    function* broken() {
      yield [1];
      throw new Error("input broke");
    }
    await expect(drain(pool.map((x: number) => x, broken()))).rejects.toThrow("input broke");
    function* notArrays() {
      yield 5 as never;
    }
    const error = await drain(pool.map((x: number) => x, notArrays())).catch((e: unknown) => e);
    expect(isPoolArgumentError(error)).toBe(true);
  });

  it("counts progress per item and completes progress$ when every task settled", async () => {
    const { pool } = makePool(2);
    const snapshots: MapProgress[] = [];
    const run = pool.map<number>(
      (x: number) => {
        if (x === 4) throw new Error("four");
        return x;
      },
      items(6),
      { chunksize: 2, onProgress: (p) => snapshots.push(p) },
    );
    const first = await firstValueFrom(run.progress$);
    expect(first.total).toBe(6);
    const all = lastValueFrom(run.progress$.pipe(toArray()));
    await run.collect().catch(() => undefined);
    await run.ended();
    const last = snapshots.at(-1)!;
    expect(last.submitted).toBe(6);
    expect(last.done + last.failed + last.cancelled).toBe(6);
    expect(last.failed).toBeGreaterThanOrEqual(1);
    expect(last.running).toBe(0);
    expect(snapshots.some((p) => p.running > 0)).toBe(true);
    expect((await all).at(-1)).toEqual(last);
  });

  it("keeps feeding a map started before shutdown; shutdown with cancellation truncates it", async () => {
    const { pool } = makePool(1);
    async function* input() {
      for (let i = 0; i < 4; i++) {
        await sleep(2);
        yield [i];
      }
    }
    const run = pool.map<number>((x: number) => x, input());
    const stopped = pool.shutdown({ wait: true });
    expect(await drain(run)).toEqual([0, 1, 2, 3]);
    await stopped;

    const second = makePool(1);
    const truncated = second.pool.map<number>(async (x: number) => {
      await sleep(10);
      return x;
    }, input());
    await sleep(8);
    await second.pool.shutdown({ cancel: "queued", wait: false });
    const error = await drain(truncated).catch((e: unknown) => e);
    expect(isCancelledError(error)).toBe(true);
  });

  it("validates its options", () => {
    const { pool } = makePool();
    expect(() => pool.map((x: number) => x, items(2), { chunksize: 0 })).toThrow(/chunksize/);
    expect(() => pool.map((x: number) => x, items(2), { buffersize: 1.5 })).toThrow(/buffersize/);
    expect(() => pool.map((x: number) => x, 3 as never)).toThrow(/iterable/);
    const run = pool.map((x: number) => x, items(1));
    void run.collect();
    expect(() => run[Symbol.asyncIterator]()).toThrow(/consumed once/);
  });
});
