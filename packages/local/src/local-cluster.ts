import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "./agent/agent.js";
import { LocalClusterError } from "./errors.js";
import { Master } from "./master/master.js";
import { createMasterServer } from "./master/master-server.js";
import { type LocalClusterOptions, type ResolvedOptions, resolveOptions } from "./options.js";

/**
 * An agent of a {@link LocalCluster}, as other code sees it.
 *
 * @example
 * ```ts
 * for (const agent of cluster.agents) console.log(agent.id, agent.url);
 * ```
 */
export interface LocalAgent {
  /** The AgentID offers and updates carry. */
  readonly id: string;
  /** Base URL of the agent; its executor API is `${url}/api/v1/executor`. */
  readonly url: string;
  /** `host:port`, as executors get it in MESOS_AGENT_ENDPOINT. */
  readonly endpoint: string;
}

/**
 * An embedded Mesos-compatible cluster on loopback — a master speaking the v1 scheduler API and agents speaking
 * the v1 executor API — so code tested on it runs unchanged on Apache Mesos. Start one per test or program;
 * `stop()` (or `await using`) kills every task and removes the temporary work directory.
 *
 * @example
 * ```ts
 * await using cluster = await LocalCluster.start({ agents: 2, allocationIntervalMs: 100 });
 * console.log(cluster.masterUrl); // http://127.0.0.1:<port>
 * ```
 */
export class LocalCluster implements AsyncDisposable {
  readonly masterUrl: string;
  /** The web dashboard (`${masterUrl}/`), or undefined when started with `dashboard: false`. */
  readonly dashboardUrl: string | undefined;
  readonly workDir: string;
  readonly #options: ResolvedOptions;
  readonly #master: Master;
  readonly #server: Server;
  readonly #sockets: Set<Socket>;
  readonly #agents: Agent[];
  readonly #ownsWorkDir: boolean;
  #stopping: Promise<void> | undefined;

  private constructor(
    options: ResolvedOptions,
    master: Master,
    server: Server,
    sockets: Set<Socket>,
    agents: Agent[],
    workDir: string,
    ownsWorkDir: boolean,
  ) {
    this.#options = options;
    this.#master = master;
    this.#server = server;
    this.#sockets = sockets;
    this.#agents = agents;
    this.workDir = workDir;
    this.#ownsWorkDir = ownsWorkDir;
    const { port } = server.address() as AddressInfo;
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
    this.masterUrl = `${options.tls === undefined ? "http" : "https"}://${host}:${port}`;
    this.dashboardUrl = options.dashboard ? `${this.masterUrl}/` : undefined;
  }

  /**
   * Starts a master and its agents, resolving once every endpoint listens.
   *
   * @throws {@link LocalClusterError} `invalid-options` naming a bad option; `start-failed` when a port cannot be bound.
   * @example
   * ```ts
   * const cluster = await LocalCluster.start({ resources: { cpus: 4, mem: 4096 } });
   * ```
   */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const resolved = resolveOptions(options);
    const ownsWorkDir = resolved.workDir === undefined;
    const workDir = resolved.workDir ?? mkdtempSync(join(tmpdir(), "satyr-local-"));
    mkdirSync(workDir, { recursive: true });
    const master = new Master({
      hostname: resolved.host,
      heartbeatIntervalSeconds: resolved.heartbeatIntervalSeconds,
      allocationIntervalMs: resolved.allocationIntervalMs,
      offerTimeoutMs: resolved.offerTimeoutMs,
    });
    const server = createMasterServer(master, {
      credentials: resolved.credentials,
      tls: resolved.tls,
      dashboard: resolved.dashboard ? { workDir } : undefined,
    });
    const sockets = new Set<Socket>();
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    const agents: Agent[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(resolved.port, resolved.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      master.setAddress(resolved.host, (server.address() as AddressInfo).port);
      for (let i = 0; i < resolved.agents; i++) {
        const agent = await Agent.start(
          {
            id: master.newAgentId(i),
            host: resolved.host,
            workDir,
            resources: resolved.resources[i]!,
            attributes: resolved.attributes[i]!,
            executorRegistrationTimeoutMs: resolved.executorRegistrationTimeoutMs,
            executorShutdownGracePeriodMs: resolved.executorShutdownGracePeriodMs,
          },
          master,
        );
        agents.push(agent);
        master.addAgent(agent);
      }
    } catch (cause) {
      master.stop();
      await Promise.all(agents.map((a) => a.stop()));
      server.close();
      if (ownsWorkDir && !resolved.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
      throw new LocalClusterError("start-failed", `could not start the local cluster: ${String(cause)}`, {
        cause,
      });
    }
    return new LocalCluster(resolved, master, server, sockets, agents, workDir, ownsWorkDir);
  }

  /** The agents still in the cluster. */
  get agents(): readonly LocalAgent[] {
    return this.#agents.map((a) => ({ id: a.id, url: a.url, endpoint: a.endpoint }));
  }

  #agent(id: string): Agent {
    if (this.#stopping !== undefined) throw new LocalClusterError("stopped", "the local cluster is stopped");
    const agent = this.#agents.find((a) => a.id === id);
    if (agent === undefined) {
      throw new LocalClusterError(
        "unknown-agent",
        `no agent ${JSON.stringify(id)} in this cluster (agents: ${this.#agents.map((a) => a.id).join(", ")})`,
      );
    }
    return agent;
  }

  /**
   * Removes an agent for good: its offers are rescinded, its tasks become TASK_LOST (TASK_GONE for
   * partition-aware frameworks), frameworks get a FAILURE event, and its processes are killed.
   *
   * @example
   * ```ts
   * await cluster.removeAgent(cluster.agents[0]!.id);
   * ```
   */
  async removeAgent(id: string): Promise<void> {
    const agent = this.#agent(id);
    this.#agents.splice(this.#agents.indexOf(agent), 1);
    this.#master.removeAgent(id);
    await agent.stop();
  }

  /**
   * Restarts an agent like a checkpointing Mesos agent: its executor API goes away for `downMs` (default 500)
   * and comes back on the same port; running executors stay alive and must resubscribe.
   *
   * @example
   * ```ts
   * await cluster.restartAgent(cluster.agents[0]!.id, { downMs: 200 });
   * ```
   */
  async restartAgent(id: string, options: { downMs?: number } = {}): Promise<void> {
    const downMs = options.downMs ?? 500;
    if (!Number.isFinite(downMs) || downMs < 0) {
      throw new LocalClusterError(
        "invalid-options",
        `downMs must be a non-negative number, got ${String(downMs)}`,
      );
    }
    await this.#agent(id).restart(downMs);
  }

  /**
   * Stops everything: streams end, every task and executor is killed, servers close, and the temporary work
   * directory is removed (unless `keepWorkDir`). Idempotent.
   *
   * @example
   * ```ts
   * await cluster.stop();
   * ```
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#master.stop();
    await Promise.all(this.#agents.map((a) => a.stop()));
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
    });
    if (this.#ownsWorkDir && !this.#options.keepWorkDir)
      rmSync(this.workDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
