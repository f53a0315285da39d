import { cpus, type FunctionTask, mem } from "@satyr/core";
import { LocalCluster } from "@satyr/local";
import { Pool } from "@satyr/multiprocessing";
import { sleep } from "./support/harness.js";
import { closeLedger, SettleLedger } from "./support/ledger.js";

/** Handles and requests the event loop holds, counted by type (timers, sockets, child processes, ...). */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** The types with more live resources now than in `baseline`. */
function leaked(baseline: Map<string, number>): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [type, n] of activeResources()) {
    const more = n - (baseline.get(type) ?? 0);
    if (more > 0) extra[type] = more;
  }
  return extra;
}

/** Heap in use after a full collection (the suite runs node with --expose-gc). */
function settledHeapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with node --expose-gc (the test:faults script does)");
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

describe("load", () => {
  it("two 20,000-item maps on 3 agents: flat memory, every item once, nothing left running after dispose", async () => {
    const baseline = activeResources();
    const cluster = await LocalCluster.start({
      agents: 3,
      resources: { cpus: 2, mem: 4096, disk: 4096 },
      allocationIntervalMs: 100,
      dashboard: false,
    });
    const ledger = new SettleLedger("2 × 20,000-item Pool.map on 3 agents (default chunksize 834)");
    const tasks: FunctionTask<unknown>[] = [];
    const pool = new Pool({
      name: "faults-load",
      processes: 6,
      master: cluster.masterUrl,
      resources: [cpus(0.5), mem(128)],
      onTask: (task) => tasks.push(task),
    });
    const heap: { label: string; mb: number }[] = [];
    try {
      // Warm-up: the framework, executors and code paths exist before the baseline is taken.
      expect(await pool.map((x: number) => x + 1, [1, 2, 3])).toEqual([2, 3, 4]);
      heap.push({ label: "warm", mb: settledHeapMb() });
      // The leak check below can see this run's handles: while it runs there are more than at the start.
      expect(Object.keys(leaked(baseline)).length).toBeGreaterThan(0);
      for (const round of [1, 2]) {
        const items = Array.from({ length: 20_000 }, (_, i) => i);
        for (const i of items) ledger.submit(`r${round}-${i}`);
        let lastDone = 0;
        let progressRegressed = false;
        const result = pool.mapAsync((x: number) => x * 2 + 1, items, {
          onProgress: (p) => {
            if (p.done < lastDone) progressRegressed = true;
            lastDone = p.done;
          },
        });
        const values = await result.get(120_000);
        expect(values).toHaveLength(items.length);
        for (const [i, value] of values.entries()) {
          if (value !== i * 2 + 1) throw new Error(`round ${round}, item ${i}: got ${value}`);
          ledger.settle(`r${round}-${i}`, { ok: true });
        }
        expect(progressRegressed).toBe(false);
        expect(lastDone).toBe(items.length);
        expect(result.progress).toMatchObject({ done: 20_000, failed: 0, cancelled: 0, total: 20_000 });
        heap.push({ label: `after map ${round}`, mb: settledHeapMb() });
      }
    } finally {
      pool.close();
      await pool.join();
      await cluster.stop();
    }
    const [warm, first, second] = heap.map((h) => h.mb) as [number, number, number];
    // Flat: the second map leaves the heap where the first did (no per-task residue).
    expect(second - first).toBeLessThan(8);
    expect(first - warm).toBeLessThan(40);
    // Disposed: no timer, socket, child process or other handle of the run is left (closing ones get a moment).
    let extra = leaked(baseline);
    for (let i = 0; i < 50 && Object.keys(extra).length > 0; i++) {
      await sleep(100);
      extra = leaked(baseline);
    }
    expect(extra).toEqual({});
    const retried = tasks.reduce((sum, task) => sum + task.attempts - 1, 0);
    // Three one-call warm-up tasks, then ceil(20,000 / (4 × 6)) = 834 calls per task: 24 tasks per map.
    expect(tasks.length).toBe(3 + 2 * 24);
    closeLedger(
      ledger,
      retried,
      `heap after GC: warm ${warm.toFixed(1)} MB, after map 1 ${first.toFixed(1)} MB, after map 2 ${second.toFixed(1)} MB; no leaked handles`,
    );
  });
});
