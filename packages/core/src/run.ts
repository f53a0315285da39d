import type { Subscription } from "rxjs";
import type { CallOptions } from "./client/call-options.js";
import { connect } from "./client/connect.js";
import type { ConnectOptions, FrameworkOptions } from "./client/connect-options.js";
import type { ConnectionState } from "./client/connection-state.js";
import type { SchedulerClient } from "./client/scheduler-client.js";
import { type EmbeddedCluster, startEmbeddedCluster } from "./embedded-cluster.js";
import { CancelledError } from "./errors/cancelled-error.js";
import { TimeoutError } from "./errors/timeout-error.js";
import type { Scheduler } from "./scheduler/scheduler.js";

/**
 * Options of {@link run}.
 *
 * @example
 * ```ts
 * const options: RunOptions = {
 *   name: "nightly-etl",
 *   master: "zk://zk1:2181,zk2:2181/mesos",
 *   framework: { roles: ["etl"], checkpoint: true },
 *   connect: { codec: "json" },
 *   timeoutMs: 60_000,
 * };
 * await using running = await run(new QueueScheduler(), options);
 * ```
 */
export interface RunOptions extends CallOptions {
  /** The framework name. */
  readonly name: string;
  /** Master URL, comma list or `zk://…/mesos`; default `MESOS_MASTER`, else an embedded local cluster. */
  readonly master?: string;
  /** Further FrameworkInfo settings (user, roles, checkpoint, capabilities, id to fail over to, ...). */
  readonly framework?: Omit<FrameworkOptions, "name">;
  /**
   * How long the master keeps the framework's tasks running after the scheduler disappears without TEARDOWN,
   * so a restarted scheduler subscribing with the same framework id (`framework.id`) takes them over.
   * Default one week, like Marathon.
   */
  readonly failoverTimeoutSeconds?: number;
  /** Other client settings (codec, credentials, TLS, heartbeat tolerance, backoff, ...). */
  readonly connect?: Omit<ConnectOptions, "master" | "framework">;
  /** Options for the embedded cluster when there is no master (passed to `LocalCluster.start`). */
  readonly local?: Readonly<Record<string, unknown>>;
  /**
   * On exit, wait for the scheduler's work (default true); false cancels it (killing launched tasks, unless
   * `teardown` is false: then they keep running for the next scheduler of this framework).
   */
  readonly drain?: boolean;
  /** On exit, TEARDOWN the framework (default true); false only disconnects, so the framework can fail over. */
  readonly teardown?: boolean;
}

/**
 * Options of {@link Running.stop}; the defaults come from {@link RunOptions}.
 *
 * @example
 * ```ts
 * // Wait at most a minute for pending tasks, then leave the framework registered for a failover.
 * const options: StopOptions = { teardown: false, signal: AbortSignal.timeout(60_000) };
 * await running.stop(options);
 * ```
 */
export interface StopOptions {
  readonly drain?: boolean;
  readonly teardown?: boolean;
  /** Stops waiting for the drain (then cancels what is left). */
  readonly signal?: AbortSignal;
}

const ONE_WEEK_SECONDS = 7 * 24 * 3600;

/**
 * A running framework: the scheduler attached to a subscribed client (and the embedded cluster, if one was
 * started). Leave it with `await using` or {@link Running.stop}: by default it waits for the scheduler's
 * pending tasks, then TEARDOWN, then stops the embedded cluster.
 *
 * @example
 * ```ts
 * await using running = await run(scheduler, { name: "satyr-scheduler" });
 * console.log(running.master, running.frameworkId);
 * ```
 */
export class Running implements AsyncDisposable {
  readonly scheduler: Scheduler;
  readonly client: SchedulerClient;
  /** The master URL used (the embedded cluster's when one was started). */
  readonly master: string;
  /** The embedded cluster, when `run()` started one. */
  readonly cluster: EmbeddedCluster | undefined;
  readonly #subscription: Subscription;
  readonly #defaults: { drain: boolean; teardown: boolean };
  #stopped: Promise<void> | undefined;

  /** @internal Use {@link run}. */
  constructor(parts: {
    scheduler: Scheduler;
    client: SchedulerClient;
    master: string;
    cluster: EmbeddedCluster | undefined;
    subscription: Subscription;
    drain: boolean;
    teardown: boolean;
  }) {
    this.scheduler = parts.scheduler;
    this.client = parts.client;
    this.master = parts.master;
    this.cluster = parts.cluster;
    this.#subscription = parts.subscription;
    this.#defaults = { drain: parts.drain, teardown: parts.teardown };
  }

  /** The framework id (persist it and pass it as `framework.id` to fail over after a restart). */
  get frameworkId(): string | undefined {
    return this.client.frameworkId;
  }

  /**
   * Leaves: drains (or cancels) the scheduler's work, then TEARDOWN (or just disconnects), then stops the
   * embedded cluster. Idempotent: later calls return the first call's promise.
   *
   * @example
   * ```ts
   * await running.stop({ drain: false }); // kill whatever still runs
   * ```
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopped ??= this.#stop(options);
    return this.#stopped;
  }

  async #stop(options: StopOptions): Promise<void> {
    const drain = options.drain ?? this.#defaults.drain;
    const teardown = options.teardown ?? this.#defaults.teardown;
    try {
      if (drain) {
        try {
          await this.scheduler.whenIdle(options.signal === undefined ? {} : { signal: options.signal });
        } catch {
          await this.scheduler.cancelAll(new CancelledError("draining"), { kill: teardown });
        }
      } else {
        // Without TEARDOWN the tasks stay for a scheduler that fails over to this framework: do not kill them.
        await this.scheduler.cancelAll(new CancelledError("shutdown without drain"), { kill: teardown });
      }
      this.#subscription.unsubscribe();
      if (teardown) {
        await this.client.teardown({ timeoutMs: 10_000 }).catch(() => undefined);
      }
      await this.client.close();
    } finally {
      await this.cluster?.stop();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/**
 * Runs a scheduler: connects to the master (option `master`, else `MESOS_MASTER`, else an embedded
 * `LocalCluster` from the optional peer dependency `@satyr/local`), attaches the scheduler's hooks, and resolves
 * once the framework is subscribed (bounded by `timeoutMs`, default 30 s, and `signal`).
 *
 * @example
 * ```ts
 * const scheduler = new QueueScheduler();
 * await using running = await run(scheduler, { name: "satyr-scheduler" });
 * await scheduler.submit(new CommandTask({ command: "echo 100" }));
 * ```
 */
export async function run(scheduler: Scheduler, options: RunOptions): Promise<Running> {
  let master = options.master ?? process.env.MESOS_MASTER;
  let cluster: EmbeddedCluster | undefined;
  if (master === undefined || master === "") {
    cluster = await startEmbeddedCluster(options.local ?? {});
    master = cluster.masterUrl;
  }
  let client: SchedulerClient | undefined;
  let subscription: Subscription | undefined;
  try {
    client = connect({
      ...options.connect,
      master,
      framework: {
        failoverTimeoutSeconds: options.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
        ...options.framework,
        name: options.name,
      },
    });
    subscription = scheduler.attach(client);
    await waitSubscribed(client, options);
    return new Running({
      scheduler,
      client,
      master,
      cluster,
      subscription,
      drain: options.drain ?? true,
      teardown: options.teardown ?? true,
    });
  } catch (error) {
    subscription?.unsubscribe();
    await client?.close().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
    throw error;
  }
}

function waitSubscribed(client: SchedulerClient, options: CallOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      queueMicrotask(() => subscription.unsubscribe());
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish(new CancelledError("subscribing", { cause: options.signal?.reason }));
    const timer = setTimeout(
      () => finish(new TimeoutError("subscribing to the master", timeoutMs)),
      timeoutMs,
    );
    const subscription = client.state$.subscribe((state: ConnectionState) => {
      if (state.kind === "subscribed") finish();
      else if (state.kind === "failed") finish(state.error);
      else if (state.kind === "closed") finish(new CancelledError("subscribing (client closed)"));
    });
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
