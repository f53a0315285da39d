import { type ChunkRequest, type PoolBackend, poolBackend } from "@satyr/core";
import { LocalCluster } from "@satyr/local";

/** One embedded cluster per test file: fast allocation so tests do not wait a whole second per offer cycle. */
export function startCluster(): Promise<LocalCluster> {
  return LocalCluster.start({
    agents: 1,
    resources: { cpus: 16, mem: 8192, disk: 8192 },
    allocationIntervalMs: 20,
  });
}

/** The real backend on `master`, recording the chunk (task) sizes it is asked to run. */
export function recordingBackend(master: string, name: string): PoolBackend & { readonly chunks: number[] } {
  const base = poolBackend({ master, name });
  const chunks: number[] = [];
  return {
    chunks,
    async start() {
      const runner = await base.start();
      return {
        run(request: ChunkRequest, hooks) {
          chunks.push(request.calls.length);
          return runner.run(request, hooks);
        },
      };
    },
    stop: () => base.stop(),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The most spans (`[start, end]` in ms) that overlap at any instant. */
export function peakOverlap(spans: readonly (readonly [number, number])[]): number {
  const events = spans.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]);
  // At equal times, ends come first: a task that starts as another ends did not run alongside it.
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let active = 0;
  let peak = 0;
  for (const [, delta] of events) {
    active += delta!;
    peak = Math.max(peak, active);
  }
  return peak;
}

/** A task body that sleeps `ms` and reports when it ran. */
export const timedSleep = async (ms: number): Promise<[number, number]> => {
  const start = Date.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return [start, Date.now()];
};
