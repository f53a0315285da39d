import type {
  ChunkOutcome,
  ChunkRequest,
  ChunkRunHooks,
  ChunkRunner,
  PoolBackend,
} from "../../src/pool/index.js";

/** A task's life as the fake cluster records it. */
export interface FakeRun {
  readonly request: ChunkRequest;
  killed: boolean;
  settled: boolean;
}

/**
 * An in-memory stand-in for the cluster: runs each chunk's calls in this process (the function must be a real
 * function), reports "running" after `launchMs`, honours kills, and records what ran and how many ran at once.
 */
export class FakeRunner implements ChunkRunner {
  readonly runs: FakeRun[] = [];
  active = 0;
  maxActive = 0;
  launchMs = 0;
  /** Rejects a task as a whole (an infrastructure failure) when it returns an error. */
  failTask: ((request: ChunkRequest) => Error | undefined) | undefined;

  async run(request: ChunkRequest, hooks: ChunkRunHooks): Promise<readonly ChunkOutcome[]> {
    const record: FakeRun = { request, killed: false, settled: false };
    this.runs.push(record);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await new Promise<readonly ChunkOutcome[]>((resolve, reject) => {
        const onAbort = () => {
          record.killed = true;
          reject(hooks.signal.reason);
        };
        if (hooks.signal.aborted) return onAbort();
        hooks.signal.addEventListener("abort", onAbort, { once: true });
        setTimeout(async () => {
          if (hooks.signal.aborted) return;
          hooks.onRunning();
          const failure = this.failTask?.(request);
          if (failure !== undefined) return reject(failure);
          const fn = request.fn as (...args: unknown[]) => unknown;
          const results: ChunkOutcome[] = [];
          for (const args of request.calls) {
            try {
              results.push({ ok: true, value: await fn(...args) });
            } catch (error) {
              results.push({ ok: false, error: error as Error });
            }
            if (hooks.signal.aborted) return;
          }
          hooks.signal.removeEventListener("abort", onAbort);
          resolve(results);
        }, this.launchMs);
      });
    } finally {
      record.settled = true;
      this.active--;
    }
  }
}

/** A backend over a {@link FakeRunner} that counts starts and stops. */
export function fakeBackend(
  runner: FakeRunner,
  startError?: Error,
): PoolBackend & { starts: number; stops: number } {
  const backend = {
    starts: 0,
    stops: 0,
    async start() {
      backend.starts++;
      if (startError !== undefined) throw startError;
      return runner;
    },
    async stop() {
      backend.stops++;
    },
  };
  return backend;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A task body that never returns on its own (its timer does not keep the process alive). */
export const hang = () => new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref());

/** Waits until `predicate` holds (polling), failing the test after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await sleep(2);
  }
}
