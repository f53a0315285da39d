import { Worker } from "node:worker_threads";
import type { ThreadReport, ThreadRequest } from "./cluster-thread-protocol.js";
import { LocalClusterError } from "./errors.js";
import type { LocalAgent } from "./local-cluster.js";
import { type LocalClusterOptions, resolveOptions } from "./options.js";

// Compiled and source files both sit one level below the package root, so this finds the built worker either way.
const WORKER_URL = new URL("../dist/cluster-thread-worker.js", import.meta.url);

/** How long `stop()` waits for the thread to stop its cluster before terminating it. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * A {@link LocalCluster} running on a worker thread of its own: the same master and agents on loopback, but their
 * work (HTTP, event streams, bookkeeping) never holds up the starting thread's event loop, and on a machine
 * with several cores the scheduler and the cluster run in parallel. This is what `run()` starts when there is
 * no `MESOS_MASTER`.
 *
 * @example
 * ```ts
 * await using cluster = await startClusterThread({ agents: 2 });
 * console.log(cluster.masterUrl, cluster.agents.length);
 * ```
 */
export interface ClusterThread extends AsyncDisposable {
  readonly masterUrl: string;
  /** The web dashboard, or undefined when started with `dashboard: false`. */
  readonly dashboardUrl: string | undefined;
  readonly workDir: string;
  /** The agents as they were at start. */
  readonly agents: readonly LocalAgent[];
  /** Stops the cluster (every task and executor is killed) and ends the thread. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a {@link LocalCluster} on a new worker thread and resolves once every endpoint listens. Options are the
 * cluster's own, and must be plain data (they are copied to the thread).
 *
 * @throws {@link LocalClusterError} `invalid-options` naming a bad option; `start-failed` when the cluster or its
 * thread could not start.
 * @example
 * ```ts
 * const cluster = await startClusterThread({ agents: 1, resources: { cpus: 2, mem: 2048 } });
 * try {
 *   console.log(`master at ${cluster.masterUrl}`);
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 */
export async function startClusterThread(options: LocalClusterOptions = {}): Promise<ClusterThread> {
  // Validate here, so a bad option is a synchronous-looking typed error and not a thread that dies.
  resolveOptions(options);
  let worker: Worker;
  try {
    worker = new Worker(WORKER_URL, { workerData: options });
  } catch (cause) {
    const code = (cause as { name?: unknown }).name === "DataCloneError" ? "invalid-options" : "start-failed";
    throw new LocalClusterError(
      code,
      code === "invalid-options"
        ? `options of a cluster thread must be plain data: ${String(cause)}`
        : `could not start the cluster thread: ${String(cause)}`,
      { cause },
    );
  }
  const started = await new Promise<Extract<ThreadReport, { kind: "started" }>>((resolve, reject) => {
    const onMessage = (report: ThreadReport) => {
      cleanup();
      if (report.kind === "started") resolve(report);
      else if (report.kind === "failed") reject(new LocalClusterError(report.code, report.message));
      else reject(new LocalClusterError("start-failed", "the cluster thread stopped before it started"));
    };
    const onError = (cause: Error) => {
      cleanup();
      reject(new LocalClusterError("start-failed", `the cluster thread failed: ${cause.message}`, { cause }));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(
        new LocalClusterError(
          "start-failed",
          `the cluster thread exited with code ${code} before it started`,
        ),
      );
    };
    const cleanup = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.once("error", onError);
    worker.once("exit", onExit);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return new RunningClusterThread(worker, started);
}

class RunningClusterThread implements ClusterThread {
  readonly masterUrl: string;
  readonly dashboardUrl: string | undefined;
  readonly workDir: string;
  readonly agents: readonly LocalAgent[];
  readonly #worker: Worker;
  #exited = false;
  #stopping: Promise<void> | undefined;

  constructor(worker: Worker, started: Extract<ThreadReport, { kind: "started" }>) {
    this.#worker = worker;
    this.masterUrl = started.masterUrl;
    this.dashboardUrl = started.dashboardUrl;
    this.workDir = started.workDir;
    this.agents = started.agents;
    worker.once("exit", () => {
      this.#exited = true;
    });
    // A failure inside the running cluster ends its thread; say so rather than crash the program with it.
    worker.on("error", (error) => {
      process.stderr.write(`satyr-local: the cluster thread failed: ${error.stack ?? error.message}\n`);
    });
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    if (this.#exited) return;
    // Done when the cluster says it stopped (or the thread is gone); the thread is then ended outright, as a
    // handle left behind by a task must not keep the program alive.
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#worker.off("message", onMessage);
        this.#worker.off("exit", finish);
        resolve();
      };
      const onMessage = (report: ThreadReport) => {
        if (report.kind !== "stopped") return;
        if (report.error !== undefined) process.stderr.write(`satyr-local: stopping: ${report.error}\n`);
        finish();
      };
      const timer = setTimeout(finish, STOP_TIMEOUT_MS);
      this.#worker.on("message", onMessage);
      this.#worker.once("exit", finish);
      this.#worker.postMessage({ kind: "stop" } satisfies ThreadRequest);
    });
    await this.#worker.terminate();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
