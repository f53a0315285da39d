import { existsSync } from "node:fs";
import {
  DEFAULT_RUNNING_DELAY_MS,
  executorCommand,
  InvalidEnvironmentError,
  isInvalidEnvironmentError,
  parseDuration,
  randomUuidBytes,
  readExecutorEnvironment,
  uuidBytes,
  uuidText,
} from "../src/index.js";

const BASE = {
  MESOS_AGENT_ENDPOINT: "127.0.0.1:5051",
  MESOS_FRAMEWORK_ID: "fw-1",
  MESOS_EXECUTOR_ID: "ex-1",
};

describe("readExecutorEnvironment", () => {
  test("reads what a real agent sets (the recorded executor-env.txt)", () => {
    const env = readExecutorEnvironment({
      MESOS_AGENT_ENDPOINT: "127.0.0.1:5051",
      MESOS_CHECKPOINT: "0",
      MESOS_DIRECTORY: "/var/lib/mesos/agent/slaves/S0/frameworks/F/executors/capture-exec/runs/R",
      MESOS_EXECUTOR_ID: "capture-exec",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs",
      MESOS_FRAMEWORK_ID: "60a26bd7-1523-4513-9dad-537df62bf032-0008",
      MESOS_HTTP_COMMAND_EXECUTOR: "0",
      MESOS_SANDBOX: "/mnt/mesos/sandbox",
      MESOS_SLAVE_ID: "60a26bd7-1523-4513-9dad-537df62bf032-S0",
    });
    expect(env).toMatchObject({
      agentEndpoint: "127.0.0.1:5051",
      frameworkId: "60a26bd7-1523-4513-9dad-537df62bf032-0008",
      executorId: "capture-exec",
      sandbox: "/mnt/mesos/sandbox",
      checkpoint: false,
      shutdownGracePeriodMs: 5000,
      subscriptionBackoffMaxMs: 2000,
      recoveryTimeoutMs: 15 * 60_000,
      codec: "protobuf",
      ssl: false,
    });
  });

  test('MESOS_CHECKPOINT is the string "1" or "0", nothing else', () => {
    expect(readExecutorEnvironment({ ...BASE, MESOS_CHECKPOINT: "1" }).checkpoint).toBe(true);
    expect(readExecutorEnvironment({ ...BASE, MESOS_CHECKPOINT: "0" }).checkpoint).toBe(false);
    expect(() => readExecutorEnvironment({ ...BASE, MESOS_CHECKPOINT: "true" })).toThrow(
      'MESOS_CHECKPOINT must be "0" or "1", got "true"',
    );
  });

  test("durations use Mesos units", () => {
    const env = readExecutorEnvironment({
      ...BASE,
      MESOS_SUBSCRIPTION_BACKOFF_MAX: "500ms",
      MESOS_RECOVERY_TIMEOUT: "2mins",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "1.5secs",
      SATYR_EXECUTOR_IDLE_TIMEOUT: "30",
      SATYR_EXECUTOR_RUNNING_DELAY: "5ms",
    });
    expect(env.subscriptionBackoffMaxMs).toBe(500);
    expect(env.recoveryTimeoutMs).toBe(120_000);
    expect(env.shutdownGracePeriodMs).toBe(1500);
    expect(env.idleTimeoutMs).toBe(30_000);
    expect(env.runningDelayMs).toBe(5);
    expect(readExecutorEnvironment(BASE).runningDelayMs).toBe(DEFAULT_RUNNING_DELAY_MS);
    expect(() => readExecutorEnvironment({ ...BASE, SATYR_EXECUTOR_RUNNING_DELAY: "soon" })).toThrow(
      /SATYR_EXECUTOR_RUNNING_DELAY must be a duration/,
    );
    expect(parseDuration("1hrs")).toBe(3_600_000);
    expect(parseDuration("10us")).toBe(0.01);
    expect(parseDuration("5 fortnights")).toBeUndefined();
  });

  test("a missing or malformed variable is an InvalidEnvironmentError naming it", () => {
    const missing = captured(() => readExecutorEnvironment({ MESOS_AGENT_ENDPOINT: "127.0.0.1:5051" }));
    expect(isInvalidEnvironmentError(missing)).toBe(true);
    expect(missing).toBeInstanceOf(InvalidEnvironmentError);
    expect((missing as InvalidEnvironmentError).variable).toBe("MESOS_FRAMEWORK_ID");
    expect(() => readExecutorEnvironment({ ...BASE, MESOS_AGENT_ENDPOINT: "http://127.0.0.1:5051" })).toThrow(
      "MESOS_AGENT_ENDPOINT must be host:port (no scheme, no path)",
    );
    expect(() => readExecutorEnvironment({ ...BASE, MESOS_RECOVERY_TIMEOUT: "soon" })).toThrow(
      'MESOS_RECOVERY_TIMEOUT must be a duration such as "5secs"',
    );
    expect(() => readExecutorEnvironment({ ...BASE, SATYR_EXECUTOR_CODEC: "xml" })).toThrow(
      'SATYR_EXECUTOR_CODEC must be "protobuf" or "json", got "xml"',
    );
    expect(() => readExecutorEnvironment({ ...BASE, SATYR_MAX_RESULT_BYTES: "-1" })).toThrow(
      "SATYR_MAX_RESULT_BYTES must be a positive whole number of bytes",
    );
  });
});

describe("uuids", () => {
  test("randomUuidBytes gives distinct RFC 4122 version-4 UUIDs", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const uuid = randomUuidBytes();
      expect(uuid).toHaveLength(16);
      expect(uuid[6]! >> 4).toBe(4);
      expect(uuid[8]! >> 6).toBe(2);
      seen.add(uuidText(uuid));
    }
    expect(seen.size).toBe(1000);
  });

  test("uuidText and uuidBytes are inverses", () => {
    const text = "3f29fe92-ec01-4420-a792-f7106bde03c6";
    expect(uuidText(uuidBytes(text))).toBe(text);
    expect(() => uuidBytes("nope")).toThrow(RangeError);
  });
});

test("executorCommand runs the built satyr-executor with this Node.js, argv[0] first", () => {
  const command = executorCommand();
  expect(command.shell).toBe(false);
  expect(command.value).toBe(process.execPath);
  expect(command.arguments[0]).toBe(process.execPath);
  expect(command.arguments[1]).toMatch(/dist\/bin\/satyr-executor\.js$/);
  expect(existsSync(command.arguments[1]!)).toBe(true);
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
