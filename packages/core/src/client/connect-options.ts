import { userInfo } from "node:os";
import { create } from "@bufbuild/protobuf";
import {
  type CodecName,
  FrameworkIDSchema,
  type FrameworkInfo,
  FrameworkInfo_Capability_Type,
  FrameworkInfo_CapabilitySchema,
  FrameworkInfoSchema,
  LabelSchema,
  LabelsSchema,
} from "@satyr/proto";
import { InvalidOptionsError } from "../errors/invalid-options-error.js";
import { type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
import { type MasterAddress, parseMaster } from "./master-address.js";

/**
 * The framework to register, in plain values (the client builds the `FrameworkInfo`).
 *
 * @example
 * ```ts
 * const framework: FrameworkOptions = { name: "batch", roles: ["analytics"], failoverTimeoutSeconds: 3600 };
 * ```
 */
export interface FrameworkOptions {
  readonly name: string;
  /** The OS user tasks run as; defaults to the user running this process. */
  readonly user?: string;
  /** Roles to subscribe with; MULTI_ROLE is added to the capabilities when given. Default `["*"]`. */
  readonly roles?: readonly string[];
  /**
   * How long the master keeps the framework and its tasks after the connection drops (default 60 s; Mesos's own
   * default, 0, would kill every task at the first network hiccup).
   */
  readonly failoverTimeoutSeconds?: number;
  readonly checkpoint?: boolean;
  /** Capability names, e.g. `"PARTITION_AWARE"`, `"GPU_RESOURCES"`. */
  readonly capabilities?: readonly string[];
  readonly hostname?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** An existing framework id to fail over to (subscribe as that framework). */
  readonly id?: string;
  readonly principal?: string;
  readonly webuiUrl?: string;
}

/**
 * Options of {@link connect}.
 *
 * @example
 * ```ts
 * const options: ConnectOptions = {
 *   master: "zk://zk1:2181,zk2:2181/mesos",
 *   framework: { name: "fw", failoverTimeoutSeconds: 600 },
 *   codec: "protobuf",
 *   backoff: { initialMs: 200, maxMs: 10_000 },
 * };
 * ```
 */
export interface ConnectOptions {
  /** A URL, a comma list of URLs, or `zk://h1:2181,h2:2181/mesos`. Defaults to `$MESOS_MASTER`. */
  readonly master?: string;
  readonly framework: FrameworkOptions;
  /** Wire encoding; default `"protobuf"` (exact int64s, no JSON pitfalls). */
  readonly codec?: CodecName;
  /** HTTP basic credentials, sent on every request; the principal also fills `framework.principal`. */
  readonly credentials?: { readonly principal: string; readonly secret: string };
  /** TLS for `https` masters: a CA bundle and whether to verify the certificate (default true). */
  readonly tls?: { readonly ca?: string | Buffer; readonly rejectUnauthorized?: boolean };
  /** Heartbeat intervals without any event before the stream is dropped and resubscribed; default 5. */
  readonly heartbeatTolerance?: number;
  /** Reconnection backoff; default 500 ms doubling to 15 s, jitter 0.5. */
  readonly backoff?: BackoffOptions;
  /** `"auto"` (default) acknowledges an update once every synchronous handler returned; `"manual"` leaves it to `update.acknowledge()`. */
  readonly acknowledge?: "auto" | "manual";
  /**
   * Updates handed out but not yet acknowledged (in flight, in auto mode) after which the client stops reading
   * the event stream until some are acknowledged: backpressure from slow consumers to the master. Default 1024.
   */
  readonly maxPendingUpdates?: number;
  /** Default timeout of calls, including waiting for a subscription; default 75 000 ms (Mesos's guidance). */
  readonly callTimeoutMs?: number;
  /** Time allowed from opening the SUBSCRIBE request to its first event; default 20 000 ms. */
  readonly subscribeTimeoutMs?: number;
  /** Redirects followed in one attempt before giving up on it; default 8. */
  readonly maxRedirects?: number;
  /** Largest event accepted, in bytes; default 64 MiB. */
  readonly maxEventBytes?: number;
  /** Reconciliation after every SUBSCRIBED: explicit retries with backoff, and a periodic implicit one. */
  readonly reconcile?: {
    readonly initialMs?: number;
    readonly maxMs?: number;
    /** Explicit rounds after the first before giving up on tasks without an answer; default 6. */
    readonly maxRetries?: number;
    /** Period of implicit reconciliation while subscribed; default 15 min; 0 disables it. */
    readonly implicitIntervalMs?: number;
  };
  /** ZooKeeper session settings for `zk://` masters. */
  readonly zookeeper?: { readonly sessionTimeoutMs?: number };
}

/**
 * {@link ConnectOptions} checked and completed; what the client runs on.
 *
 * @example
 * ```ts
 * const normalized: NormalizedOptions = normalizeOptions({ master: "http://m:5050", framework: { name: "fw" } });
 * normalized.codec; // "protobuf"
 * ```
 */
export interface NormalizedOptions {
  readonly master: MasterAddress;
  readonly scheme: "http" | "https";
  readonly frameworkInfo: FrameworkInfo;
  readonly codec: CodecName;
  readonly authorization: string | undefined;
  readonly tls: { readonly ca?: string | Buffer; readonly rejectUnauthorized: boolean } | undefined;
  readonly heartbeatTolerance: number;
  readonly backoff: Required<BackoffOptions>;
  readonly acknowledge: "auto" | "manual";
  readonly maxPendingUpdates: number;
  readonly callTimeoutMs: number;
  readonly subscribeTimeoutMs: number;
  readonly maxRedirects: number;
  readonly maxEventBytes: number;
  readonly reconcile: { initialMs: number; maxMs: number; maxRetries: number; implicitIntervalMs: number };
  readonly zookeeperSessionTimeoutMs: number;
}

const DEFAULT_FAILOVER_TIMEOUT_SECONDS = 60;

/**
 * Validates options and builds the FrameworkInfo, before any connection.
 *
 * @throws {@link InvalidOptionsError} naming the first invalid option.
 * @example
 * ```ts
 * const normalized = normalizeOptions({ master: "http://127.0.0.1:5050", framework: { name: "fw" } });
 * normalized.frameworkInfo.user; // the OS user
 * ```
 */
export function normalizeOptions(
  options: ConnectOptions,
  env: NodeJS.ProcessEnv = process.env,
): NormalizedOptions {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("options", "must be an object");
  const codec = options.codec ?? "protobuf";
  if (codec !== "protobuf" && codec !== "json") {
    throw new InvalidOptionsError(
      "codec",
      `unknown codec ${JSON.stringify(codec)}: expected "protobuf" or "json"`,
    );
  }
  const scheme = options.tls === undefined ? "http" : "https";
  const masterText = options.master ?? env.MESOS_MASTER;
  if (masterText === undefined || masterText.trim() === "") {
    throw new InvalidOptionsError("master", "no master given and MESOS_MASTER is not set");
  }
  if (typeof masterText !== "string") throw new InvalidOptionsError("master", "must be a string");
  const master = parseMaster(masterText, scheme);

  let authorization: string | undefined;
  if (options.credentials !== undefined) {
    const { principal, secret } = options.credentials;
    if (typeof principal !== "string" || principal === "" || principal.includes(":")) {
      throw new InvalidOptionsError("credentials.principal", "must be a non-empty string without ':'");
    }
    if (typeof secret !== "string") throw new InvalidOptionsError("credentials.secret", "must be a string");
    authorization = `Basic ${Buffer.from(`${principal}:${secret}`).toString("base64")}`;
  }
  const frameworkInfo = buildFrameworkInfo(options.framework, options.credentials?.principal);

  return {
    master,
    scheme,
    frameworkInfo,
    codec,
    authorization,
    tls:
      options.tls === undefined
        ? undefined
        : {
            ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca }),
            rejectUnauthorized: options.tls.rejectUnauthorized ?? true,
          },
    heartbeatTolerance: positive("heartbeatTolerance", options.heartbeatTolerance, 5),
    backoff: {
      initialMs: positive("backoff.initialMs", options.backoff?.initialMs, DEFAULT_BACKOFF.initialMs),
      maxMs: positive("backoff.maxMs", options.backoff?.maxMs, DEFAULT_BACKOFF.maxMs),
      jitter: fraction("backoff.jitter", options.backoff?.jitter, DEFAULT_BACKOFF.jitter),
    },
    acknowledge: oneOf("acknowledge", options.acknowledge, ["auto", "manual"] as const, "auto"),
    maxPendingUpdates: integer("maxPendingUpdates", options.maxPendingUpdates, 1024),
    callTimeoutMs: positive("callTimeoutMs", options.callTimeoutMs, 75_000),
    subscribeTimeoutMs: positive("subscribeTimeoutMs", options.subscribeTimeoutMs, 20_000),
    maxRedirects: integer("maxRedirects", options.maxRedirects, 8),
    maxEventBytes: integer("maxEventBytes", options.maxEventBytes, 64 * 1024 * 1024),
    reconcile: {
      initialMs: positive("reconcile.initialMs", options.reconcile?.initialMs, 1000),
      maxMs: positive("reconcile.maxMs", options.reconcile?.maxMs, 60_000),
      maxRetries: integer("reconcile.maxRetries", options.reconcile?.maxRetries, 6, 0),
      implicitIntervalMs: integer(
        "reconcile.implicitIntervalMs",
        options.reconcile?.implicitIntervalMs,
        900_000,
        0,
      ),
    },
    zookeeperSessionTimeoutMs: positive(
      "zookeeper.sessionTimeoutMs",
      options.zookeeper?.sessionTimeoutMs,
      10_000,
    ),
  };
}

function positive(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(option, `must be a positive finite number, got ${String(value)}`);
  }
  return value;
}

function integer(option: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionsError(option, `must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function fraction(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new InvalidOptionsError(option, `must be between 0 and 1, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(
  option: string,
  value: T | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new InvalidOptionsError(option, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  }
  return value;
}

/**
 * Builds and validates a FrameworkInfo the way the master would (ids, roles, capabilities), so mistakes are
 * reported as {@link InvalidOptionsError} here rather than as an ERROR event after connecting.
 *
 * @example
 * ```ts
 * buildFrameworkInfo({ name: "fw", roles: ["a/b"] }).capabilities; // [{ type: MULTI_ROLE }]
 * ```
 */
export function buildFrameworkInfo(
  framework: FrameworkOptions,
  authenticatedPrincipal?: string,
): FrameworkInfo {
  if (typeof framework !== "object" || framework === null) {
    throw new InvalidOptionsError("framework", "is required (at least { name })");
  }
  if (typeof framework.name !== "string" || framework.name.trim() === "") {
    throw new InvalidOptionsError("framework.name", "must be a non-empty string");
  }
  const user = framework.user ?? defaultUser();
  if (typeof user !== "string" || user === "")
    throw new InvalidOptionsError("framework.user", "must be non-empty");
  const failover = framework.failoverTimeoutSeconds ?? DEFAULT_FAILOVER_TIMEOUT_SECONDS;
  if (typeof failover !== "number" || !Number.isFinite(failover) || failover < 0) {
    throw new InvalidOptionsError(
      "framework.failoverTimeoutSeconds",
      `must be a finite number ≥ 0, got ${failover}`,
    );
  }
  const info = create(FrameworkInfoSchema, { user, name: framework.name, failoverTimeout: failover });
  if (framework.checkpoint !== undefined) info.checkpoint = Boolean(framework.checkpoint);
  if (framework.hostname !== undefined) info.hostname = framework.hostname;
  if (framework.webuiUrl !== undefined) info.webuiUrl = framework.webuiUrl;
  if (framework.id !== undefined) {
    validateId("framework.id", framework.id);
    info.id = create(FrameworkIDSchema, { value: framework.id });
  }
  const principal = framework.principal ?? authenticatedPrincipal;
  if (principal !== undefined) {
    if (authenticatedPrincipal !== undefined && principal !== authenticatedPrincipal) {
      throw new InvalidOptionsError(
        "framework.principal",
        `must equal credentials.principal (${authenticatedPrincipal}); the master refuses a mismatch`,
      );
    }
    info.principal = principal;
  }
  const capabilities = new Set<FrameworkInfo_Capability_Type>();
  (framework.capabilities ?? []).forEach((name, i) => {
    const value = FrameworkInfo_Capability_Type[name as keyof typeof FrameworkInfo_Capability_Type];
    if (typeof value !== "number" || value === FrameworkInfo_Capability_Type.UNKNOWN) {
      const known = Object.keys(FrameworkInfo_Capability_Type).filter(
        (k) => Number.isNaN(Number(k)) && k !== "UNKNOWN",
      );
      throw new InvalidOptionsError(
        `framework.capabilities[${i}]`,
        `unknown capability ${JSON.stringify(name)} (known: ${known.join(", ")})`,
      );
    }
    capabilities.add(value);
  });
  if (framework.roles !== undefined) {
    if (!Array.isArray(framework.roles) || framework.roles.length === 0) {
      throw new InvalidOptionsError("framework.roles", "must be a non-empty array of role names");
    }
    for (const [i, role] of framework.roles.entries()) validateRole(`framework.roles[${i}]`, role);
    if (new Set(framework.roles).size !== framework.roles.length) {
      throw new InvalidOptionsError("framework.roles", "has duplicates");
    }
    info.roles = [...framework.roles];
    capabilities.add(FrameworkInfo_Capability_Type.MULTI_ROLE);
  }
  info.capabilities = [...capabilities].map((type) => create(FrameworkInfo_CapabilitySchema, { type }));
  if (framework.labels !== undefined) {
    info.labels = create(LabelsSchema, {
      labels: Object.entries(framework.labels).map(([key, value]) => {
        if (typeof value !== "string")
          throw new InvalidOptionsError(`framework.labels.${key}`, "must be a string");
        return create(LabelSchema, { key, value });
      }),
    });
  }
  return info;
}

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? "root";
  }
}

/** Mesos's id rules (`src/common/validation.cpp`): non-empty, ≤255, not `.`/`..`, no `/`, `\` or control chars. */
function validateId(option: string, id: string): void {
  if (typeof id !== "string" || id === "" || id.length > 255 || id === "." || id === "..") {
    throw new InvalidOptionsError(option, `${JSON.stringify(id)} is not a valid Mesos id`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what Mesos forbids.
  if (/[/\\\u0000-\u001f\u007f]/.test(id)) {
    throw new InvalidOptionsError(option, `${JSON.stringify(id)} contains '/', '\\' or a control character`);
  }
}

/** Mesos's role rules (`src/common/roles.cpp`). */
function validateRole(option: string, role: string): void {
  if (typeof role !== "string" || role === "")
    throw new InvalidOptionsError(option, "must be a non-empty string");
  if (role === "*") return;
  if (role.startsWith("/") || role.endsWith("/")) {
    throw new InvalidOptionsError(option, `role ${JSON.stringify(role)} must not start or end with '/'`);
  }
  for (const component of role.split("/")) {
    if (component === "" || component === "." || component === ".." || component === "*") {
      throw new InvalidOptionsError(
        option,
        `role ${JSON.stringify(role)} has an invalid component ${JSON.stringify(component)}`,
      );
    }
    if (component.startsWith("-")) {
      throw new InvalidOptionsError(option, `role ${JSON.stringify(role)} has a component starting with '-'`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: whitespace and control characters are forbidden.
    if (/[\s\u0000-\u001f\u007f]/.test(component)) {
      throw new InvalidOptionsError(
        option,
        `role ${JSON.stringify(role)} contains whitespace or a control character`,
      );
    }
  }
}
