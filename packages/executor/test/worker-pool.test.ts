import { decodeTaskResult, encodeTaskPayload } from "@satyr/proto";
import { type PoolOutcome, WorkerPool } from "../src/index.js";

const CONFIG = {
  moduleRoot: undefined,
  sandbox: process.cwd(),
  maxResultBytes: 1 << 20,
  maxErrorBytes: 1 << 16,
};

function payload(fn: (...args: never[]) => unknown, calls: unknown[][] = [[]]): Uint8Array {
  return encodeTaskPayload({ fn: { kind: "source", source: fn.toString() }, calls });
}

/** The source of a function, for payloads built one by one. */
function sourceOf(fn: (...args: never[]) => unknown): string {
  return fn.toString();
}

function firstValue(outcome: PoolOutcome): unknown {
  if (outcome.kind !== "result") throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  const first = decodeTaskResult(outcome.result).outcomes[0];
  return first?.ok ? first.value : first?.error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const slow = (ms: number) =>
  payload((delay: number) => new Promise((resolve) => setTimeout(() => resolve("slow"), delay)), [[ms]]);
const spin = payload(() => {
  for (;;) {}
});

// The pool hands workers several jobs at once; these pin down that it still behaves like one job per worker.
describe("WorkerPool", () => {
  let pool: WorkerPool;
  afterEach(async () => {
    await pool.close();
  });

  test("many jobs given in one turn all run, each answered with its own result and started once", async () => {
    pool = new WorkerPool({ size: 2, config: CONFIG });
    const starts = new Map<number, number>();
    const runs = Array.from({ length: 40 }, (_, i) =>
      pool.run(
        `job-${i}`,
        payload((x: number) => x * 2, [[i]]),
        () => starts.set(i, (starts.get(i) ?? 0) + 1),
      ),
    );
    const outcomes = await Promise.all(runs);
    expect(outcomes.map(firstValue)).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    expect([...starts.values()].every((count) => count === 1)).toBe(true);
    expect(starts.size).toBe(40);
    expect(pool.workers).toBeLessThanOrEqual(2);
  });

  test("a job waiting behind another in the same worker starts only when that one ends", async () => {
    pool = new WorkerPool({ size: 1, config: CONFIG });
    let secondStarted = false;
    let secondStartedWhenFirstEnded: boolean | undefined;
    const first = pool.run("first", slow(200)).then((outcome) => {
      secondStartedWhenFirstEnded = secondStarted;
      return outcome;
    });
    const second = pool.run(
      "second",
      payload(() => "second"),
      () => {
        secondStarted = true;
      },
    );
    await sleep(100);
    expect(secondStarted).toBe(false);
    expect(firstValue(await first)).toBe("slow");
    expect(secondStartedWhenFirstEnded).toBe(true);
    expect(firstValue(await second)).toBe("second");
  });

  test("killing a job a worker holds but has not started takes it back: it never starts, the worker stays", async () => {
    pool = new WorkerPool({ size: 1, config: CONFIG });
    let started = false;
    const busy = pool.run("busy", slow(300));
    const waiting = pool.run(
      "waiting",
      payload(() => "ran"),
      () => {
        started = true;
      },
    );
    await sleep(50);
    expect(pool.queued).toBe(0); // handed to the busy worker already
    expect(pool.kill("waiting")).toBe(true);
    expect(await waiting).toEqual({ kind: "killed" });
    // The worker was not terminated: the task it runs finishes.
    expect(firstValue(await busy)).toBe("slow");
    expect(started).toBe(false);
    expect(pool.kill("waiting")).toBe(false);
  });

  test("killing a running job ends its worker; the jobs waiting behind it run on a fresh one", async () => {
    pool = new WorkerPool({ size: 1, config: CONFIG });
    const spinning = pool.run("spin", spin);
    const behind = [
      pool.run(
        "behind-1",
        payload(() => 1),
      ),
      pool.run(
        "behind-2",
        payload(() => 2),
      ),
    ];
    await sleep(100);
    expect(pool.kill("spin")).toBe(true);
    expect(await spinning).toEqual({ kind: "killed" });
    expect((await Promise.all(behind)).map(firstValue)).toEqual([1, 2]);
  });

  test("a worker that dies fails only the job it ran; those waiting in it run on a fresh worker", async () => {
    pool = new WorkerPool({ size: 1, config: CONFIG });
    const dying = pool.run(
      "exit",
      payload(() => process.exit(3)),
    );
    const behind = [
      pool.run(
        "after-1",
        payload(() => "a"),
      ),
      pool.run(
        "after-2",
        payload(() => "b"),
      ),
    ];
    const outcome = await dying;
    expect(outcome.kind).toBe("crashed");
    expect(outcome.kind === "crashed" && outcome.message).toContain("exited with code 3");
    expect((await Promise.all(behind)).map(firstValue)).toEqual(["a", "b"]);
  });

  test("a worker out of work takes over jobs waiting behind a long one in another worker", async () => {
    pool = new WorkerPool({ size: 2, config: CONFIG });
    const order: string[] = [];
    const track = (name: string, promise: Promise<PoolOutcome>) =>
      promise.then((outcome) => {
        order.push(name);
        return outcome;
      });
    // In one turn: "long" to the first worker, "short" to a second, "next" behind "long" in the first.
    const long = track("long", pool.run("long", slow(800)));
    const short = track(
      "short",
      pool.run(
        "short",
        payload(() => "short"),
      ),
    );
    const next = track(
      "next",
      pool.run(
        "next",
        payload(() => "next"),
      ),
    );
    expect(firstValue(await next)).toBe("next");
    expect(order).toEqual(["short", "next"]);
    expect(firstValue(await short)).toBe("short");
    expect(firstValue(await long)).toBe("slow");
  });

  test("killAll kills held, running and queued jobs without starting any of them", async () => {
    pool = new WorkerPool({ size: 1, config: CONFIG });
    const started: string[] = [];
    const runs = ["a", "b", "c"].map((key) => pool.run(key, spin, () => started.push(key)));
    await sleep(100);
    pool.killAll();
    expect(await Promise.all(runs)).toEqual([{ kind: "killed" }, { kind: "killed" }, { kind: "killed" }]);
    expect(started).toEqual(["a"]);
  });

  test("under random kills every job settles once, killed exactly when kill() said so, else with its own result", async () => {
    pool = new WorkerPool({ size: 2, config: CONFIG });
    const source = sourceOf((i: number, ms: number) =>
      ms === 0 ? i : new Promise((resolve) => setTimeout(() => resolve(i), ms)),
    );
    const starts = new Map<string, number>();
    const runs: Promise<[number, PoolOutcome]>[] = [];
    // A fixed pseudo-random sequence, so a failure can be replayed.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const killed = new Set<number>();
    for (let round = 0; round < 10; round++) {
      for (let i = round * 30; i < (round + 1) * 30; i++) {
        const ms = random() < 0.7 ? 0 : Math.floor(random() * 20);
        const data = encodeTaskPayload({ fn: { kind: "source", source }, calls: [[i, ms]] });
        runs.push(
          pool
            .run(`job-${i}`, data, () => starts.set(`job-${i}`, (starts.get(`job-${i}`) ?? 0) + 1))
            .then((outcome) => [i, outcome]),
        );
      }
      await sleep(random() * 5);
      for (let k = 0; k < 8; k++) {
        const target = Math.floor(random() * (round + 1) * 30);
        if (pool.kill(`job-${target}`)) killed.add(target);
      }
    }
    const outcomes = await Promise.all(runs);
    for (const [i, outcome] of outcomes) {
      expect(outcome.kind === "killed").toBe(killed.has(i));
      if (outcome.kind !== "killed") expect(firstValue(outcome)).toBe(i);
    }
    expect([...starts.values()].every((count) => count === 1)).toBe(true);
    expect(killed.size).toBeGreaterThan(0);
    expect(outcomes.filter(([, outcome]) => outcome.kind === "result").length).toBeGreaterThan(150);
  });
});
