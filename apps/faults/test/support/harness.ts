import {
  type ConnectOptions,
  cpus,
  type FunctionTask,
  type Logger,
  mem,
  QueueScheduler,
  type QueueSchedulerOptions,
  type Running,
  run,
} from "@satyr/core";
import { type Future, MesosPoolExecutor } from "@satyr/futures";
import { LocalCluster, type LocalClusterOptions } from "@satyr/local";
import { FaultProxy } from "../../../../packages/core/test/support/fault-proxy.js";
import type { SettleLedger } from "./ledger.js";

/** Reconnection settings short enough that a scenario sees several recoveries in seconds. */
export const QUICK_CONNECT = {
  backoff: { initialMs: 20, maxMs: 300, jitter: 0.2 },
  reconcile: { initialMs: 100, maxMs: 1000, maxRetries: 5, implicitIntervalMs: 0 },
  callTimeoutMs: 5000,
  subscribeTimeoutMs: 3000,
} as const satisfies Omit<ConnectOptions, "master" | "framework">;

export interface HarnessOptions {
  readonly cluster?: LocalClusterOptions;
  /** Put a {@link FaultProxy} between the scheduler and the master (default true). */
  readonly proxy?: boolean;
  readonly scheduler?: QueueSchedulerOptions;
  readonly connect?: Omit<ConnectOptions, "master" | "framework">;
  readonly maxWorkers?: number;
  /** Use this master instead of starting an in-process cluster. */
  readonly master?: string;
}

/**
 * A scheduler connected (through a fault proxy) to a local cluster, and a futures pool on it. Everything the
 * harness starts, `stop()` stops, in reverse order.
 */
export class Harness {
  readonly cluster: LocalCluster | undefined;
  readonly proxy: FaultProxy | undefined;
  readonly scheduler: QueueScheduler;
  readonly running: Running;
  readonly executor: MesosPoolExecutor;
  /** Every cluster task the pool submitted (chunks), for attempt counts. */
  readonly tasks: FunctionTask<unknown>[];
  /** What the scheduler logged (launch failures, retries with their reasons). */
  readonly log: RecordingLogger;

  private constructor(parts: {
    cluster: LocalCluster | undefined;
    proxy: FaultProxy | undefined;
    scheduler: QueueScheduler;
    running: Running;
    executor: MesosPoolExecutor;
    tasks: FunctionTask<unknown>[];
    log: RecordingLogger;
  }) {
    this.log = parts.log;
    this.cluster = parts.cluster;
    this.proxy = parts.proxy;
    this.scheduler = parts.scheduler;
    this.running = parts.running;
    this.executor = parts.executor;
    this.tasks = parts.tasks;
  }

  static async start(name: string, options: HarnessOptions = {}): Promise<Harness> {
    const cluster =
      options.master === undefined
        ? await LocalCluster.start({
            agents: 2,
            // Each call asks a whole cpu: satyr-executor runs one worker per whole cpu it was given, so calls of
            // 0.1 cpu would queue inside one executor (reported RUNNING) rather than run side by side.
            resources: { cpus: 5, mem: 4096, disk: 4096 },
            allocationIntervalMs: 100,
            heartbeatIntervalSeconds: 1,
            dashboard: false,
            ...options.cluster,
          })
        : undefined;
    const master = options.master ?? cluster!.masterUrl;
    let proxy: FaultProxy | undefined;
    try {
      proxy = options.proxy === false ? undefined : await FaultProxy.start(master);
      const log = new RecordingLogger();
      const scheduler = new QueueScheduler({
        offerHoldMs: 200,
        refuseSeconds: 1,
        logger: log,
        ...options.scheduler,
      });
      const running = await run(scheduler, {
        name,
        master: proxy?.url ?? master,
        failoverTimeoutSeconds: 300,
        connect: { ...QUICK_CONNECT, ...options.connect },
      });
      const tasks: FunctionTask<unknown>[] = [];
      const executor = new MesosPoolExecutor({
        name,
        scheduler,
        maxWorkers: options.maxWorkers ?? 8,
        resources: [cpus(1), mem(32)],
        onTask: (task) => tasks.push(task),
      });
      return new Harness({ cluster, proxy, scheduler, running, executor, tasks, log });
    } catch (error) {
      await proxy?.stop();
      await cluster?.stop();
      throw error;
    }
  }

  /** Relaunches after infrastructure failures, as core's queue counted them. */
  get retried(): number {
    return this.scheduler.stats.retried;
  }

  /** Relaunches counted from the tasks' own attempt numbers (must agree with {@link Harness.retried}). */
  get extraAttempts(): number {
    return this.tasks.reduce((sum, task) => sum + Math.max(0, task.attempts - 1), 0);
  }

  /**
   * Core's own accounting agrees with the ledger: every task the queue took is finished, failed or cancelled,
   * and nothing is pending or launched.
   */
  expectQueueSettled(): void {
    const stats = this.scheduler.stats;
    expect({ pending: stats.pending, running: stats.running, idle: this.scheduler.isIdle }).toEqual({
      pending: 0,
      running: 0,
      idle: true,
    });
    expect(stats.finished + stats.failed + stats.cancelled).toBe(stats.submitted);
    expect(stats.submitted).toBe(this.tasks.length);
  }

  async stop(): Promise<void> {
    await this.executor.shutdown({ wait: true, cancelFutures: true }).catch(() => undefined);
    await this.running.stop({ drain: false }).catch(() => undefined);
    await this.proxy?.stop();
    await this.cluster?.stop();
  }
}

/** A scheduler logger that keeps messages for the report instead of printing them. */
export class RecordingLogger implements Logger {
  readonly messages: { level: keyof Logger; message: string }[] = [];
  debug(): void {}
  info(message: string): void {
    this.messages.push({ level: "info", message });
  }
  warn(message: string): void {
    this.messages.push({ level: "warn", message });
  }
  error(message: string): void {
    this.messages.push({ level: "error", message });
  }

  /** Why tasks were retried: the status (state and reason) of each retry, counted. */
  retryReasons(): string {
    const counts = new Map<string, number>();
    for (const { message } of this.messages) {
      const match = /^satyr: retrying task .*?: (TASK_[A-Z_]+(?: \([A-Z_]+\))?)/.exec(message);
      if (match !== null) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
    }
    return [...counts].map(([reason, n]) => `${n}× ${reason}`).join(", ");
  }
}

/**
 * Feeds a future into the ledger: its done callbacks must run exactly once (a second run is a double settle),
 * and its outcome is counted. Resolves with the settlement, never rejects.
 */
export function trackFuture<T>(
  ledger: SettleLedger,
  key: string,
  future: Future<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  ledger.submit(key);
  let callbacks = 0;
  future.addDoneCallback(() => {
    callbacks++;
    if (callbacks > 1) ledger.doubleSettles.push(`${key} (done callback ran ${callbacks} times)`);
  });
  return future.then(
    (value) => {
      ledger.settle(key, { ok: true });
      return { ok: true as const, value };
    },
    (error: unknown) => {
      ledger.settle(key, { ok: false, error });
      return { ok: false as const, error };
    },
  );
}

/** A small deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it holds, failing after `timeoutMs` with `what`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
