import { isConnectionError } from "@satyr/core";
import { Harness, seededRandom, sleep, until } from "./support/harness.js";
import { closeLedger, SettleLedger } from "./support/ledger.js";

const SEED = Number(process.env.SATYR_FAULTS_SEED ?? 20_261_126);

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A map call keyed by its index; its results must come back in order, each exactly once. */
async function consumeMap(
  ledger: SettleLedger,
  run: AsyncIterable<number>,
  inputs: readonly number[],
  expected: (x: number) => number,
): Promise<number[]> {
  for (const i of inputs.keys()) ledger.submit(`item-${i}`);
  const values: number[] = [];
  for await (const value of run) {
    const index = values.length;
    values.push(value);
    ledger.settle(`item-${index}`, { ok: true });
    if (value !== expected(inputs[index]!)) throw new Error(`item ${index}: got ${value}`);
  }
  return values;
}

describe("connection faults between scheduler and master", () => {
  it("cuts at random moments during a 2,000-item map: every item settles once, in order", async () => {
    harness = await Harness.start("faults-cuts", { maxWorkers: 16 });
    const { proxy, executor, running } = harness;
    const random = seededRandom(SEED);
    const ledger = new SettleLedger("connection cut ×5 during 2,000-item map (chunksize 10)");
    const inputs = Array.from({ length: 2000 }, (_, i) => i);
    let done = 0;
    const run = executor.map(
      async (x: number) => {
        await new Promise((r) => setTimeout(r, 5));
        return x * 3 + 1;
      },
      [inputs],
      { chunksize: 10, onProgress: (p) => (done = p.done) },
    );
    const cuts: { atDone: number; resubscribedMs: number }[] = [];
    const cutting = (async () => {
      for (let n = 0; n < 5; n++) {
        // Somewhere in the next stretch of the map; the next cut waits for the previous recovery.
        const target = Math.floor(((n + random()) / 5.5) * inputs.length);
        await until(() => done >= target || done === inputs.length, 90_000, `item ${target}`);
        if (done === inputs.length) break;
        await sleep(random() * 50);
        const before = running.client.state.kind;
        const cutAt = Date.now();
        proxy!.cut();
        await until(() => proxy!.subscribeCount >= n + 2, 30_000, `resubscription ${n + 1}`);
        await until(() => running.client.state.kind === "subscribed", 30_000, "subscribed");
        cuts.push({ atDone: done, resubscribedMs: Date.now() - cutAt });
        expect(before).toBe("subscribed");
      }
    })();
    const values = await consumeMap(ledger, run, inputs, (x) => x * 3 + 1);
    await cutting;
    expect(values).toHaveLength(inputs.length);
    expect(cuts.length).toBeGreaterThanOrEqual(4);
    expect(running.client.frameworkId).toBeDefined();
    // Every resubscription kept the framework id: the master saw one framework.
    const retried = harness.retried;
    expect(harness.extraAttempts).toBe(retried);
    harness.expectQueueSettled();
    const row = closeLedger(
      ledger,
      retried,
      `seed ${SEED}; cuts at items ${cuts.map((c) => c.atDone).join(", ")}; resubscribed in ${cuts.map((c) => c.resubscribedMs).join("/")} ms; retries: ${harness.log.retryReasons() || "none"}`,
    );
    expect(row.fulfilled).toBe(2000);
  });

  it("a master that stops sending heartbeats is detected and resubscribed; the work completes", async () => {
    harness = await Harness.start("faults-stall", {
      maxWorkers: 8,
      cluster: { heartbeatIntervalSeconds: 0.2 },
      connect: { heartbeatTolerance: 3 },
    });
    const { proxy, executor, running } = harness;
    const ledger = new SettleLedger("master stalls (no heartbeats) mid-map, 200 items");
    const states: string[] = [];
    const reasons: string[] = [];
    running.client.state$.subscribe((s) => {
      states.push(s.kind);
      if (s.kind === "disconnected" && s.error !== undefined)
        reasons.push(isConnectionError(s.error) ? s.error.code : s.error.name);
    });
    const inputs = Array.from({ length: 200 }, (_, i) => i);
    let done = 0;
    const run = executor.map(
      async (x: number) => {
        await new Promise((r) => setTimeout(r, 20));
        return x + 1;
      },
      [inputs],
      { chunksize: 2, onProgress: (p) => (done = p.done) },
    );
    const stalling = (async () => {
      await until(() => done >= 40, 60_000, "40 items");
      const subscribes = proxy!.subscribeCount;
      const stalledAt = Date.now();
      proxy!.stall();
      await until(() => states.at(-1) !== "subscribed", 10_000, "stall detected");
      const detectedMs = Date.now() - stalledAt;
      proxy!.resume();
      await until(() => proxy!.subscribeCount > subscribes, 20_000, "resubscription");
      await until(() => running.client.state.kind === "subscribed", 20_000, "subscribed again");
      return detectedMs;
    })();
    const values = await consumeMap(ledger, run, inputs, (x) => x + 1);
    const detectedMs = await stalling;
    expect(values).toHaveLength(200);
    expect(reasons).toContain("heartbeat-timeout");
    // 3 × 0.2 s of silence, detected within a scheduling slack.
    expect(detectedMs).toBeGreaterThanOrEqual(500);
    expect(detectedMs).toBeLessThan(3000);
    harness.expectQueueSettled();
    const row = closeLedger(
      ledger,
      harness.retried,
      `stall detected after ${detectedMs} ms; retries: ${harness.log.retryReasons() || "none"}`,
    );
    expect(row.fulfilled).toBe(200);
  });
});
