import { type CodecName, DEFAULT_MAX_RESULT_BYTES } from "@satyr/proto";
import { parseDuration } from "./duration.js";
import { InvalidEnvironmentError } from "./errors/index.js";

/**
 * What the agent (and the framework, through `CommandInfo.environment`) told the executor through its
 * environment, parsed and checked. Durations are in milliseconds.
 *
 * @example
 * ```ts
 * const env = readExecutorEnvironment(process.env);
 * console.log(env.agentEndpoint, env.checkpoint, env.subscriptionBackoffMaxMs);
 * ```
 */
export interface ExecutorEnvironment {
  /** `MESOS_AGENT_ENDPOINT`: `host:port` of the agent, no scheme. */
  readonly agentEndpoint: string;
  /** `MESOS_FRAMEWORK_ID`. */
  readonly frameworkId: string;
  /** `MESOS_EXECUTOR_ID`. */
  readonly executorId: string;
  /** `MESOS_DIRECTORY`: the sandbox as the host sees it. */
  readonly directory: string | undefined;
  /** `MESOS_SANDBOX`: the sandbox as the executor sees it (falls back to `MESOS_DIRECTORY`). */
  readonly sandbox: string | undefined;
  /** `MESOS_CHECKPOINT` is the string "1": the agent can be recovered, so resubscribe after losing it. */
  readonly checkpoint: boolean;
  /** `MESOS_SUBSCRIPTION_BACKOFF_MAX`: cap on each wait between resubscription attempts (default 2 s). */
  readonly subscriptionBackoffMaxMs: number;
  /** `MESOS_RECOVERY_TIMEOUT`: how long to keep trying to resubscribe (default 15 min). */
  readonly recoveryTimeoutMs: number;
  /** `MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD`: time to wind down after SHUTDOWN (default 5 s). */
  readonly shutdownGracePeriodMs: number;
  /** `MESOS_EXECUTOR_AUTHENTICATION_TOKEN`, sent as a Bearer token when the agent authenticates executors. */
  readonly authenticationToken: string | undefined;
  /** `MESOS_DOMAIN_SOCKET`: reach the agent over this Unix socket instead of TCP. */
  readonly domainSocket: string | undefined;
  /** `LIBPROCESS_SSL_ENABLED` is "1" or "true": the agent speaks HTTPS. */
  readonly ssl: boolean;
  /** `SATYR_EXECUTOR_CODEC`: `protobuf` (default) or `json`. */
  readonly codec: CodecName;
  /** `SATYR_MODULE_ROOT`: where relative module references and bare specifiers are looked up first. */
  readonly moduleRoot: string | undefined;
  /** `SATYR_EXECUTOR_IDLE_TIMEOUT`: exit after this long with no task (default 60 s; 0 never). */
  readonly idleTimeoutMs: number;
  /** `SATYR_MAX_RESULT_BYTES`: largest encoded task result (default `DEFAULT_MAX_RESULT_BYTES` of @satyr/proto, 16 MiB). */
  readonly maxResultBytes: number;
  /**
   * `SATYR_EXECUTOR_RUNNING_DELAY`: how long a function task runs before TASK_RUNNING is sent (default
   * {@link DEFAULT_RUNNING_DELAY_MS}; 0 at once). Tasks ending sooner send only their terminal update.
   */
  readonly runningDelayMs: number;
}

/** Defaults of Mesos agent flags that reach the executor only when checkpointing is on. */
const DEFAULT_BACKOFF_MAX_MS = 2000;
const DEFAULT_RECOVERY_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_GRACE_PERIOD_MS = 5000;
/**
 * Default {@link ExecutorEnvironment.idleTimeoutMs}.
 *
 * @example
 * ```ts
 * // An executor that stays twice as long as the default without tasks before exiting.
 * await runExecutor(new FunctionExecutor({ idleTimeoutMs: 2 * DEFAULT_IDLE_TIMEOUT_MS }));
 * ```
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Default {@link ExecutorEnvironment.runningDelayMs}: short enough that a task's RUNNING (and a run timeout
 * counting from it) is barely late, long enough that most short tasks end first and skip that update.
 *
 * @example
 * ```ts
 * // Report every task RUNNING as soon as a worker takes it.
 * await runExecutor(new FunctionExecutor({ runningDelayMs: 0 }));
 * DEFAULT_RUNNING_DELAY_MS; // 20
 * ```
 */
export const DEFAULT_RUNNING_DELAY_MS = 20;

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the executor's environment. Throws {@link InvalidEnvironmentError} naming the variable when a
 * required one is missing or a value cannot be parsed (`MESOS_CHECKPOINT` must be exactly "0" or "1": "0" is a
 * truthy string, a classic executor bug).
 *
 * @example
 * ```ts
 * const env = readExecutorEnvironment({
 *   MESOS_AGENT_ENDPOINT: "127.0.0.1:5051", MESOS_FRAMEWORK_ID: "fw", MESOS_EXECUTOR_ID: "ex",
 *   MESOS_CHECKPOINT: "1", MESOS_SUBSCRIPTION_BACKOFF_MAX: "2secs",
 * });
 * env.checkpoint; // true
 * ```
 */
export function readExecutorEnvironment(env: Environment = process.env): ExecutorEnvironment {
  const sandbox = optional(env, "MESOS_SANDBOX") ?? optional(env, "MESOS_DIRECTORY");
  return {
    agentEndpoint: agentEndpoint(env),
    frameworkId: required(env, "MESOS_FRAMEWORK_ID"),
    executorId: required(env, "MESOS_EXECUTOR_ID"),
    directory: optional(env, "MESOS_DIRECTORY"),
    sandbox,
    checkpoint: checkpoint(env),
    subscriptionBackoffMaxMs: duration(env, "MESOS_SUBSCRIPTION_BACKOFF_MAX", DEFAULT_BACKOFF_MAX_MS),
    recoveryTimeoutMs: duration(env, "MESOS_RECOVERY_TIMEOUT", DEFAULT_RECOVERY_TIMEOUT_MS),
    shutdownGracePeriodMs: duration(env, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", DEFAULT_GRACE_PERIOD_MS),
    authenticationToken: optional(env, "MESOS_EXECUTOR_AUTHENTICATION_TOKEN"),
    domainSocket: optional(env, "MESOS_DOMAIN_SOCKET"),
    ssl: ["1", "true"].includes((optional(env, "LIBPROCESS_SSL_ENABLED") ?? "").toLowerCase()),
    codec: codec(env),
    moduleRoot: optional(env, "SATYR_MODULE_ROOT"),
    idleTimeoutMs: duration(env, "SATYR_EXECUTOR_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT_MS),
    maxResultBytes: byteCount(env, "SATYR_MAX_RESULT_BYTES", DEFAULT_MAX_RESULT_BYTES),
    runningDelayMs: duration(env, "SATYR_EXECUTOR_RUNNING_DELAY", DEFAULT_RUNNING_DELAY_MS),
  };
}

function optional(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

function required(env: Environment, name: string): string {
  const value = optional(env, name);
  if (value === undefined) {
    throw new InvalidEnvironmentError(
      name,
      `${name} is not set: satyr-executor must be started by a Mesos agent (or given the agent's environment)`,
    );
  }
  return value;
}

function agentEndpoint(env: Environment): string {
  const value = required(env, "MESOS_AGENT_ENDPOINT");
  // The agent writes `ip:port`; a scheme or path here would silently build a wrong URL later.
  if (!/^(\[[0-9a-fA-F:.]+\]|[^/:\s]+):\d{1,5}$/.test(value)) {
    throw new InvalidEnvironmentError(
      "MESOS_AGENT_ENDPOINT",
      `MESOS_AGENT_ENDPOINT must be host:port (no scheme, no path), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkpoint(env: Environment): boolean {
  const value = optional(env, "MESOS_CHECKPOINT");
  if (value === undefined || value === "0") return false;
  if (value === "1") return true;
  throw new InvalidEnvironmentError(
    "MESOS_CHECKPOINT",
    `MESOS_CHECKPOINT must be "0" or "1", got ${JSON.stringify(value)}`,
  );
}

function duration(env: Environment, name: string, fallback: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new InvalidEnvironmentError(
      name,
      `${name} must be a duration such as "5secs", "500ms" or "2mins" (or a number of seconds), got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

function byteCount(env: Environment, name: string, fallback: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new InvalidEnvironmentError(
      name,
      `${name} must be a positive whole number of bytes, got ${JSON.stringify(value)}`,
    );
  }
  return bytes;
}

function codec(env: Environment): CodecName {
  const value = optional(env, "SATYR_EXECUTOR_CODEC") ?? "protobuf";
  if (value === "protobuf" || value === "json") return value;
  throw new InvalidEnvironmentError(
    "SATYR_EXECUTOR_CODEC",
    `SATYR_EXECUTOR_CODEC must be "protobuf" or "json", got ${JSON.stringify(value)}`,
  );
}
