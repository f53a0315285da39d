import { availableParallelism, totalmem } from "node:os";
import { LocalClusterError } from "./errors.js";

/**
 * What one agent offers. Scalars other than the named ones (e.g. `{ fpgas: 2 }`) become custom scalar resources.
 *
 * @example
 * ```ts
 * const resources: AgentResources = { cpus: 4, mem: 4096, disk: 10240, ports: [[31000, 31999]], fpgas: 1 };
 * ```
 */
export interface AgentResources {
  readonly cpus?: number;
  readonly mem?: number;
  readonly disk?: number;
  readonly gpus?: number;
  readonly ports?: readonly (readonly [number, number])[];
  readonly [custom: string]: number | readonly (readonly [number, number])[] | undefined;
}

/**
 * Options of {@link LocalCluster.start}; every one has a default.
 *
 * @example
 * ```ts
 * const options: LocalClusterOptions = { agents: 2, resources: { cpus: 2, mem: 2048 }, allocationIntervalMs: 100 };
 * ```
 */
export interface LocalClusterOptions {
  /** Number of agents (default 1). */
  readonly agents?: number;
  /** Resources of each agent, or one entry per agent (default: a fair share of this machine). */
  readonly resources?: AgentResources | readonly AgentResources[];
  /** Attributes of every agent, or one record per agent. */
  readonly attributes?: Readonly<Record<string, string>> | readonly Readonly<Record<string, string>>[];
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Master port (default 0: any free port). Agents always take free ports. */
  readonly port?: number;
  /** Where sandboxes go (default: a fresh temporary directory). */
  readonly workDir?: string;
  /** Keep the work directory on stop (default false; a given `workDir` is never deleted). */
  readonly keepWorkDir?: boolean;
  /** Batch allocation interval, like `--allocation_interval` (default 1000). */
  readonly allocationIntervalMs?: number;
  /** Rescind offers held longer than this, like `--offer_timeout` (default: never). */
  readonly offerTimeoutMs?: number;
  /** Seconds between HEARTBEAT events (default 15). */
  readonly heartbeatIntervalSeconds?: number;
  /** When set, `/api/v1/scheduler` requires HTTP basic authentication with one of these. */
  readonly credentials?: readonly { readonly principal: string; readonly secret: string }[];
  /** When set, the master serves https with this key and certificate. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** How long a custom executor may take to SUBSCRIBE (default 60000, like `--executor_registration_timeout`). */
  readonly executorRegistrationTimeoutMs?: number;
  /** Grace period between an executor's SHUTDOWN and its kill (default 5000). */
  readonly executorShutdownGracePeriodMs?: number;
  /** Serve the web dashboard at the master's `/` (default true); `false` leaves `/` a 404. */
  readonly dashboard?: boolean;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly agents: number;
  readonly resources: readonly AgentResources[];
  readonly attributes: readonly Readonly<Record<string, string>>[];
  readonly host: string;
  readonly port: number;
  readonly workDir: string | undefined;
  readonly keepWorkDir: boolean;
  readonly allocationIntervalMs: number;
  readonly offerTimeoutMs: number | undefined;
  readonly heartbeatIntervalSeconds: number;
  readonly credentials: readonly { readonly principal: string; readonly secret: string }[] | undefined;
  readonly tls: { readonly key: string | Buffer; readonly cert: string | Buffer } | undefined;
  readonly executorRegistrationTimeoutMs: number;
  readonly executorShutdownGracePeriodMs: number;
  readonly dashboard: boolean;
}

/**
 * This machine divided between `agents` agents: all cores and half the memory, split evenly, and a fixed disk
 * share; ports 31000–32000 for the first agent and the next disjoint thousand for each further one, so tasks
 * on different local agents never collide on a port.
 *
 * @example
 * ```ts
 * fairShare(2, 0); // { cpus: …, mem: …, disk: 5120, ports: [[31000, 32000]] }
 * ```
 */
export function fairShare(agents: number, index: number): AgentResources {
  const cpus = Math.max(1, Math.floor((availableParallelism() / agents) * 10) / 10);
  const mem = Math.max(256, Math.floor(totalmem() / 2 / 1024 / 1024 / agents));
  const base = 31000 + index * 1001;
  return { cpus, mem, disk: Math.floor(10240 / agents), ports: [[base, base + 1000]] };
}

function invalid(message: string): LocalClusterError {
  return new LocalClusterError("invalid-options", message);
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw invalid(
      `${name} must be a ${allowZero ? "non-negative" : "positive"} number, got ${String(value)}`,
    );
  }
  return value;
}

function checkResources(resources: AgentResources, where: string): AgentResources {
  for (const [name, value] of Object.entries(resources)) {
    if (value === undefined) continue;
    if (typeof value === "number") {
      if (!Number.isFinite(value) || value < 0) {
        throw invalid(`${where}.${name} must be a non-negative number, got ${String(value)}`);
      }
      if (name === "gpus" && !Number.isInteger(value)) throw invalid(`${where}.gpus must be an integer`);
      continue;
    }
    if (!Array.isArray(value))
      throw invalid(`${where}.${name} must be a number or a list of [begin, end] ranges`);
    for (const range of value) {
      const [b, e] = range as readonly number[];
      if (
        !Number.isInteger(b) ||
        !Number.isInteger(e) ||
        (b as number) < 0 ||
        (b as number) > (e as number)
      ) {
        throw invalid(`${where}.${name} has an invalid range ${JSON.stringify(range)}`);
      }
    }
  }
  return resources;
}

/**
 * Applies defaults and validates, throwing a {@link LocalClusterError} (`invalid-options`) naming the bad option.
 *
 * @example
 * ```ts
 * resolveOptions({ agents: 2 }).resources.length; // 2
 * ```
 */
export function resolveOptions(options: LocalClusterOptions = {}): ResolvedOptions {
  const agents = options.agents ?? 1;
  if (!Number.isInteger(agents) || agents < 1)
    throw invalid(`agents must be an integer ≥ 1, got ${String(agents)}`);
  const perAgent = <T>(
    value: T | readonly T[] | undefined,
    name: string,
    fallback: (i: number) => T,
  ): T[] => {
    if (value === undefined) return Array.from({ length: agents }, (_, i) => fallback(i));
    if (Array.isArray(value)) {
      if (value.length !== agents) throw invalid(`${name} has ${value.length} entries for ${agents} agents`);
      return [...(value as T[])];
    }
    return Array.from({ length: agents }, () => value as T);
  };
  const resources = perAgent<AgentResources>(options.resources, "resources", (i) => fairShare(agents, i)).map(
    (r, i) => {
      if (typeof r !== "object" || r === null) throw invalid(`resources[${i}] must be an object`);
      const share = fairShare(agents, i);
      return checkResources({ ...share, ...r }, `resources[${i}]`);
    },
  );
  const attributes = perAgent<Readonly<Record<string, string>>>(options.attributes, "attributes", () => ({}));
  attributes.forEach((a, i) => {
    for (const [k, v] of Object.entries(a)) {
      if (typeof v !== "string") throw invalid(`attributes[${i}].${k} must be a string`);
    }
  });
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw invalid(`port must be 0–65535, got ${String(port)}`);
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host === "") throw invalid("host must be a non-empty string");
  if (options.credentials !== undefined) {
    if (!Array.isArray(options.credentials) || options.credentials.length === 0) {
      throw invalid("credentials must be a non-empty list of { principal, secret }");
    }
    for (const c of options.credentials) {
      if (typeof c?.principal !== "string" || c.principal === "" || typeof c.secret !== "string") {
        throw invalid("each credential needs a non-empty principal and a secret string");
      }
    }
  }
  if (options.tls !== undefined && (options.tls.key === undefined || options.tls.cert === undefined)) {
    throw invalid("tls needs both key and cert");
  }
  if (options.dashboard !== undefined && typeof options.dashboard !== "boolean") {
    throw invalid(`dashboard must be true or false, got ${String(options.dashboard)}`);
  }
  return {
    agents,
    resources,
    attributes,
    host,
    port,
    workDir: options.workDir,
    keepWorkDir: options.keepWorkDir ?? false,
    allocationIntervalMs: positive("allocationIntervalMs", options.allocationIntervalMs, 1000),
    offerTimeoutMs:
      options.offerTimeoutMs === undefined
        ? undefined
        : positive("offerTimeoutMs", options.offerTimeoutMs, 0),
    heartbeatIntervalSeconds: positive("heartbeatIntervalSeconds", options.heartbeatIntervalSeconds, 15),
    credentials: options.credentials,
    tls: options.tls,
    executorRegistrationTimeoutMs: positive(
      "executorRegistrationTimeoutMs",
      options.executorRegistrationTimeoutMs,
      60_000,
    ),
    executorShutdownGracePeriodMs: positive(
      "executorShutdownGracePeriodMs",
      options.executorShutdownGracePeriodMs,
      5000,
      true,
    ),
    dashboard: options.dashboard ?? true,
  };
}
