import { isCancelledError, isTimeoutError } from "../../src/errors/index.js";
import {
  FunctionPool,
  isBrokenPoolError,
  isPoolArgumentError,
  isPoolClosedError,
} from "../../src/pool/index.js";
import { FakeRunner, fakeBackend, hang, sleep, until } from "./fake-runner.js";

function makePool(maxConcurrency = 2, runner = new FakeRunner()) {
  const backend = fakeBackend(runner);
  const pool = new FunctionPool({ backend, maxConcurrency, name: "test" });
  return { pool, runner, backend };
}

describe("FunctionPool", () => {
  it("runs a call and resolves with its value; a throwing call fails only itself", async () => {
    const { pool } = makePool();
    const ok = pool.call<number>((a: number, b: number) => a * b, [3, 5]);
    const bad = pool.call<number>(() => {
      throw new RangeError("boom");
    }, []);
    expect(await ok.result()).toBe(15);
    await expect(bad.result()).rejects.toThrow("boom");
    expect(ok.state).toBe("finished");
    expect(bad.state).toBe("failed");
    expect(bad.settlement).toEqual({ ok: false, error: expect.objectContaining({ name: "RangeError" }) });
  });

  it("names tasks after the pool and the function", async () => {
    const { pool, runner } = makePool();
    await pool
      .call(
        function double(x: number) {
          return 2 * x;
        },
        [1],
      )
      .result();
    expect(runner.runs[0]?.request.name).toBe("test:double");
  });

  it("never has more than maxConcurrency tasks on the cluster and starts them in FIFO order", async () => {
    const { pool, runner } = makePool(3);
    runner.launchMs = 5;
    const calls = Array.from({ length: 12 }, (_, i) => pool.call<number>(async (x: number) => x, [i]));
    const values = await Promise.all(calls.map((c) => c.result()));
    expect(values).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(runner.maxActive).toBe(3);
    expect(runner.runs.map((r) => r.request.calls[0]?.[0])).toEqual(values);
  });

  it("cancels a queued call without running it, and a running one by killing it", async () => {
    const { pool, runner } = makePool(1);
    const running = pool.call(hang, []);
    const queued = pool.call((x: number) => x, [1]);
    expect(queued.state).toBe("pending");
    expect(queued.cancel()).toBe(true);
    expect(queued.state).toBe("cancelled");
    await until(() => running.state === "running");
    expect(running.cancel()).toBe(true);
    const settlement = await running.settled;
    expect(settlement.ok).toBe(false);
    expect(isCancelledError(!settlement.ok && settlement.error)).toBe(true);
    await pool.idle();
    expect(runner.runs).toHaveLength(1);
    expect(runner.runs[0]?.killed).toBe(true);
    // A finished call cannot be cancelled.
    const done = pool.call((x: number) => x, [2]);
    await done.result();
    expect(done.cancel()).toBe(false);
    expect(done.state).toBe("finished");
  });

  it("times a task out from the moment it runs and kills it", async () => {
    const { pool, runner } = makePool();
    // Launching takes longer than the timeout: were the clock started at submission, it would fail before running.
    runner.launchMs = 60;
    const slow = pool.call(hang, [], { timeoutMs: 30 });
    const phases: string[] = [];
    slow.task.onPhase((t) => phases.push(t.phase));
    const error = await slow.result().catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(phases).toEqual(["running", "failed"]);
    expect(slow.state).toBe("failed");
    await pool.idle();
    expect(runner.runs[0]?.killed).toBe(true);
  });

  it("cancels through an AbortSignal, also one aborted before submission", async () => {
    const { pool, runner } = makePool();
    const controller = new AbortController();
    const call = pool.call(hang, [], {
      signal: controller.signal,
    });
    await sleep(5);
    controller.abort();
    expect(isCancelledError(await call.result().catch((e: unknown) => e))).toBe(true);
    const early = pool.call(() => 1, [], { signal: AbortSignal.abort() });
    expect(early.state).toBe("cancelled");
    await pool.idle();
    expect(runner.runs).toHaveLength(1);
  });

  it("reports a task-level failure on the call and counts a wrong result length as broken", async () => {
    const runner = new FakeRunner();
    runner.failTask = (request) => (request.calls[0]?.[0] === "lost" ? new Error("TASK_LOST") : undefined);
    const { pool } = makePool(2, runner);
    await expect(pool.call((x: string) => x, ["lost"]).result()).rejects.toThrow("TASK_LOST");
    const short = { run: async () => [] };
    const odd = new FunctionPool({
      backend: { start: async () => short, stop: async () => {} },
      maxConcurrency: 1,
    });
    const error = await odd
      .call(() => 1, [])
      .result()
      .catch((e: unknown) => e);
    expect(isBrokenPoolError(error)).toBe(true);
  });

  it("settles a task and frees its slot when the runner throws synchronously", async () => {
    let calls = 0;
    const runner = {
      run(): Promise<never> {
        calls++;
        throw new Error("runner bug");
      },
    };
    const pool = new FunctionPool({
      backend: { start: async () => runner, stop: async () => {} },
      maxConcurrency: 1,
    });
    await expect(pool.call(() => 1, []).result()).rejects.toThrow("runner bug");
    await expect(pool.call(() => 2, []).result()).rejects.toThrow("runner bug");
    expect(calls).toBe(2);
    await pool.idle();
  });

  it("starts its backend lazily, once, and stops it once on shutdown after draining", async () => {
    const { pool, backend } = makePool();
    expect(backend.starts).toBe(0);
    const slow = pool.call(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return "slow";
    }, []);
    const other = pool.call(() => "other", []);
    await pool.shutdown({ wait: true });
    expect(slow.state).toBe("finished");
    expect(other.state).toBe("finished");
    expect(backend.starts).toBe(1);
    expect(backend.stops).toBe(1);
    await pool.shutdown();
    expect(backend.stops).toBe(1);
    expect(() => pool.call(() => 1, [])).toThrow(expect.objectContaining({ name: "PoolClosedError" }));
    expect(
      isPoolClosedError(
        (() => {
          try {
            pool.call(() => 1, []);
          } catch (e) {
            return e;
          }
        })(),
      ),
    ).toBe(true);
  });

  it("does not stop a backend it never started", async () => {
    const { pool, backend } = makePool();
    await pool.shutdown();
    expect(backend.starts).toBe(0);
    expect(backend.stops).toBe(0);
  });

  it("shutdown cancel 'queued' cancels what waits and lets running tasks finish; 'all' kills them", async () => {
    const { pool } = makePool(1);
    const running = pool.call(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return "ran";
    }, []);
    const queued = pool.call(() => "never", []);
    await sleep(5);
    await pool.shutdown({ cancel: "queued", wait: true });
    expect(running.state).toBe("finished");
    expect(queued.state).toBe("cancelled");

    const second = makePool(2);
    const long = second.pool.call(hang, []);
    await until(() => second.runner.runs.length === 1);
    await second.pool.shutdown({ cancel: "all", wait: true });
    expect(long.state).toBe("cancelled");
    expect(second.runner.runs[0]?.killed).toBe(true);
  });

  it("breaks when the backend cannot start: outstanding calls and later submissions fail", async () => {
    const runner = new FakeRunner();
    const pool = new FunctionPool({
      backend: fakeBackend(runner, new Error("no master")),
      maxConcurrency: 1,
    });
    const a = pool.call(() => 1, []);
    const b = pool.call(() => 2, []);
    const errors = await Promise.all([
      a.result().catch((e: unknown) => e),
      b.result().catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(isBrokenPoolError(error)).toBe(true);
      expect((error as Error).message).toContain("no master");
    }
    expect(() => pool.call(() => 3, [])).toThrow(/no master/);
    await pool.shutdown();
  });

  it("rejects bad arguments with a typed error naming them", () => {
    const { pool } = makePool();
    const grab = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error;
      }
      throw new Error("expected a throw");
    };
    const cases: [() => unknown, string][] = [
      [() => pool.call(42 as never, []), "fn"],
      [() => pool.call({ module: "", export: "run" } as never, []), "fn"],
      [() => pool.call(() => 1, "a" as never), "args"],
      [() => pool.submit(() => 1, []), "calls"],
      [() => pool.call(() => 1, [], { timeoutMs: -1 }), "timeoutMs"],
      [
        () => new FunctionPool({ backend: fakeBackend(new FakeRunner()), maxConcurrency: 0 }),
        "maxConcurrency",
      ],
    ];
    for (const [f, argument] of cases) {
      const error = grab(f);
      expect(isPoolArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
  });

  it("invokes done callbacks once, also when added after settling, and survives a throwing one", async () => {
    const { pool } = makePool();
    const warnings: string[] = [];
    const original = process.emitWarning;
    process.emitWarning = ((warning: string | Error) => {
      warnings.push(String(warning));
    }) as typeof process.emitWarning;
    try {
      const call = pool.call(() => 7, []);
      const seen: string[] = [];
      call.onDone((c) => seen.push(`early:${c.state}`));
      call.onDone(() => {
        throw new Error("callback bug");
      });
      await call.result();
      call.onDone((c) => seen.push(`late:${c.state}`));
      await sleep(5);
      expect(seen).toEqual(["early:finished", "late:finished"]);
      expect(warnings.some((w) => w.includes("callback bug"))).toBe(true);
    } finally {
      process.emitWarning = original;
    }
  });
});
