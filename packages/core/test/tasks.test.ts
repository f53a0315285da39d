import { create } from "@bufbuild/protobuf";
import { executorCommand } from "@satyr/executor";
import {
  CommandInfoSchema,
  ContainerInfo_DockerInfo_Network,
  ContainerInfo_Type,
  decodeTaskPayload,
  ExecutorInfo_Type,
  encodeTaskResult,
  TaskState,
  TaskStatus_Reason,
  Volume_Mode,
} from "@satyr/proto";
import {
  CommandTask,
  cpus,
  decodeTask,
  disk,
  FunctionTask,
  isInvalidTaskError,
  isRemoteTaskError,
  isTaskFailedError,
  mem,
  ports,
  Resources,
  registerTaskKind,
  TASK_LABELS,
  Task,
  type TaskInfoContext,
} from "../src/index.js";
import { makeStatus } from "./helpers/offers.js";

const context = (resources: Resources, extra: Partial<TaskInfoContext> = {}): TaskInfoContext => ({
  agentId: "agent-1",
  resources,
  ports: [],
  ...extra,
});

function labels(info: {
  labels?: { labels: { key: string; value: string }[] } | undefined;
}): Record<string, string> {
  return Object.fromEntries((info.labels?.labels ?? []).map((l) => [l.key, l.value]));
}

describe("CommandTask", () => {
  it("encodes a shell command with environment, URIs and user", () => {
    const task = new CommandTask({
      name: "command-task",
      command: "echo 100",
      environment: { GREETING: "hi" },
      uris: [
        "https://example.com/a.tgz",
        { value: "https://example.com/run.sh", executable: true, extract: false },
      ],
      user: "nobody",
      resources: [cpus(0.1), mem(32)],
      labels: { team: "data" },
    });
    const info = task.toTaskInfo(context(task.resources));
    expect(info.name).toBe("command-task");
    expect(info.taskId?.value).toBe(task.id);
    expect(info.agentId?.value).toBe("agent-1");
    expect(info.command?.value).toBe("echo 100");
    expect(info.command?.shell).toBe(true);
    expect(info.command?.user).toBe("nobody");
    expect(info.command?.environment?.variables.map((v) => [v.name, v.value])).toEqual([["GREETING", "hi"]]);
    expect(info.command?.uris.map((u) => [u.value, u.executable, u.extract])).toEqual([
      ["https://example.com/a.tgz", false, true],
      ["https://example.com/run.sh", true, false],
    ]);
    expect(labels(info)).toMatchObject({
      team: "data",
      [TASK_LABELS.kind]: "command",
      [TASK_LABELS.task]: task.id,
    });
    expect(info.resources.map((r) => r.name)).toEqual(["cpus", "mem"]);
  });

  it("encodes Docker container info (image, network, port mappings, volumes) for Mesos", () => {
    const task = new CommandTask({
      name: "docker-task",
      command: { value: "/bin/server", arguments: ["server", "--port", "80"], shell: false },
      container: {
        docker: {
          image: "lensacom/satyr:latest",
          network: "bridge",
          portMappings: [{ containerPort: 80 }, { containerPort: 53, hostPort: 5353, protocol: "udp" }],
          volumes: [{ containerPath: "/data", hostPath: "/srv/data", mode: "ro" }],
          forcePull: true,
          parameters: { memory: "1g" },
        },
      },
      resources: [cpus(0.5), mem(64)],
    });
    // One mapping has no host port: the task asks for one port from the offer.
    expect(task.resources.portCount).toBe(1);
    const offered = Resources.of(cpus(1), mem(128), ports([[31005, 31010]]));
    const taken = offered.allocate(task.resources)?.taken ?? Resources.empty;
    expect(taken.ports).toEqual([[31005, 31005]]);
    const info = task.toTaskInfo(context(taken, { ports: [31005] }));
    expect(
      info.resources.find((r) => r.name === "ports")?.ranges?.range.map((r) => [r.begin, r.end]),
    ).toEqual([[31005n, 31005n]]);
    expect(info.command?.shell).toBe(false);
    expect(info.command?.arguments).toEqual(["server", "--port", "80"]);
    const container = info.container;
    expect(container?.type).toBe(ContainerInfo_Type.DOCKER);
    expect(container?.docker?.image).toBe("lensacom/satyr:latest");
    expect(container?.docker?.network).toBe(ContainerInfo_DockerInfo_Network.BRIDGE);
    expect(container?.docker?.forcePullImage).toBe(true);
    expect(container?.docker?.portMappings.map((m) => [m.containerPort, m.hostPort, m.protocol])).toEqual([
      [80, 31005, "tcp"],
      [53, 5353, "udp"],
    ]);
    expect(container?.docker?.parameters.map((p) => [p.key, p.value])).toEqual([["memory", "1g"]]);
    expect(container?.volumes.map((v) => [v.containerPath, v.hostPath, v.mode])).toEqual([
      ["/data", "/srv/data", Volume_Mode.RO],
    ]);
  });

  it("rejects a non-zero exit without retrying, and retries infrastructure failures", () => {
    const task = new CommandTask({ command: "exit 3" });
    const failed = task.settle(
      makeStatus(task.taskId, TaskState.TASK_FAILED, { message: "Command exited with status 3" }),
      false,
    );
    expect(failed.kind).toBe("reject");
    if (failed.kind === "reject") {
      expect(isTaskFailedError(failed.error)).toBe(true);
      expect(failed.error.message).toMatch(/TASK_FAILED: Command exited with status 3/);
    }
    expect(task.settle(makeStatus(task.taskId, TaskState.TASK_LOST), false).kind).toBe("retry");
    expect(
      task.settle(
        makeStatus(task.taskId, TaskState.TASK_FAILED, { reason: TaskStatus_Reason.AGENT_REMOVED }),
        false,
      ).kind,
    ).toBe("retry");
    expect(task.settle(makeStatus(task.taskId, TaskState.TASK_KILLED), true).kind).toBe("reject");
    expect(task.settle(makeStatus(task.taskId, TaskState.TASK_KILLED), false).kind).toBe("retry");
    const finished = makeStatus(task.taskId, TaskState.TASK_FINISHED);
    expect(task.settle(finished, false)).toEqual({ kind: "resolve", value: finished });
  });
});

describe("FunctionTask", () => {
  it("ships the function source and arguments as the payload, run by the default satyr-executor", () => {
    const task = new FunctionTask({
      name: "satyr-task",
      fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
      args: [[0, 1, 2, 3]],
      resources: [cpus(0.1), mem(128), disk(512)],
    });
    const spec = task.executor();
    const info = task.toTaskInfo(context(task.resources, { executor: spec.info }));
    const payload = decodeTaskPayload(info.data);
    expect(payload.fn.kind).toBe("source");
    expect(payload.fn.kind === "source" && payload.fn.source).toContain("reduce");
    expect(payload.calls).toEqual([[[0, 1, 2, 3]]]);
    const command = executorCommand();
    expect(info.executor?.executorId?.value).toBe(spec.id);
    expect(info.executor?.type).toBe(ExecutorInfo_Type.CUSTOM);
    expect(info.executor?.command?.value).toBe(command.value);
    expect(info.executor?.command?.arguments).toEqual(command.arguments);
    expect(info.executor?.command?.shell).toBe(false);
    expect(labels(info)[TASK_LABELS.kind]).toBe("function");
  });

  it("shares one executor id between tasks with the same executor options", () => {
    const a = new FunctionTask({ fn: () => 1 });
    const b = new FunctionTask({ fn: () => 2 });
    const c = new FunctionTask({ fn: () => 3, executor: { environment: { DEBUG: "1" } } });
    const d = new FunctionTask({
      fn: () => 4,
      executor: { id: "my-executor", resources: [cpus(0.2), mem(32)] },
    });
    expect(a.executor().id).toBe(b.executor().id);
    expect(c.executor().id).not.toBe(a.executor().id);
    expect(d.executor().id).toBe("my-executor");
    expect(d.executor().resources.cpus).toBe(0.2);
  });

  it("runs the executor in a Docker container when asked (the original's default for PythonTask)", () => {
    const task = new FunctionTask({
      fn: (a: number) => a,
      args: [1],
      executor: {
        command: "satyr-executor",
        container: { docker: { image: "lensacom/satyr:latest", network: "host", forcePull: false } },
        uris: ["https://example.com/bundle.tgz"],
        resources: [cpus(0.1), mem(128)],
      },
    });
    const info = task.executor().info;
    expect(info.container?.type).toBe(ContainerInfo_Type.DOCKER);
    expect(info.container?.docker?.image).toBe("lensacom/satyr:latest");
    expect(info.container?.docker?.network).toBe(ContainerInfo_DockerInfo_Network.HOST);
    expect(info.command?.value).toBe("satyr-executor");
    expect(info.command?.shell).toBe(true);
    expect(info.command?.uris.map((u) => u.value)).toEqual(["https://example.com/bundle.tgz"]);
    expect(task.executor().resources.mem).toBe(128);
  });

  it("takes module references", () => {
    const task = new FunctionTask({
      fn: { module: new URL("file:///srv/work.js"), export: "work" },
      args: [1],
    });
    expect(task.fn).toEqual({ kind: "module", module: "file:///srv/work.js", export: "work" });
  });

  it("refuses native functions and bad arguments with InvalidTaskError", () => {
    for (const make of [
      () => new FunctionTask({ fn: Math.max, args: [1, 2] }),
      () => new FunctionTask({ fn: ((a: number) => a).bind(null), args: [1] }),
      () => new FunctionTask({ fn: (a: unknown) => a, args: [() => 1] }),
      () => new FunctionTask({ fn: 42 as never }),
      () => new FunctionTask({ fn: () => 1, maxAttempts: 0 }),
    ]) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(isInvalidTaskError(caught)).toBe(true);
    }
  });

  it("resolves with the value, rejects with RemoteTaskError carrying the remote details", () => {
    const task = new FunctionTask<number>({ fn: (a: number, b: number) => a * b, args: [3, 5] });
    const ok = encodeTaskResult({ outcomes: [{ ok: true, value: 15 }] });
    expect(task.settle(makeStatus(task.taskId, TaskState.TASK_FINISHED, { data: ok }), false)).toEqual({
      kind: "resolve",
      value: 15,
    });
    const failed = encodeTaskResult({
      outcomes: [
        {
          ok: false,
          error: {
            name: "TypeError",
            message: "boom",
            stack: "TypeError: boom\n  at remote",
            props: { code: 7 },
          },
        },
      ],
    });
    const settlement = task.settle(
      makeStatus(task.taskId, TaskState.TASK_FAILED, { data: failed, agentId: "a9" }),
      false,
    );
    expect(settlement.kind).toBe("reject");
    if (settlement.kind !== "reject") return;
    const error = settlement.error;
    expect(isRemoteTaskError(error)).toBe(true);
    if (!isRemoteTaskError(error)) return;
    expect([error.remoteName, error.message, error.props, error.taskId, error.agentId]).toEqual([
      "TypeError",
      "boom",
      { code: 7 },
      task.taskId,
      "a9",
    ]);
    expect(error.remoteStack).toContain("at remote");
  });

  it("a chunk resolves with per-call results even when some calls threw", () => {
    const task = FunctionTask.chunk({ fn: (x: number) => 1 / x, calls: [[1], [2], [0]] });
    expect(task.isChunk).toBe(true);
    const data = encodeTaskResult({
      outcomes: [
        { ok: true, value: 1 },
        { ok: true, value: 0.5 },
        { ok: false, error: { name: "RangeError", message: "zero", props: {} } },
      ],
    });
    const settlement = task.settle(makeStatus(task.taskId, TaskState.TASK_FAILED, { data }), false);
    expect(settlement.kind).toBe("resolve");
    if (settlement.kind !== "resolve") return;
    expect(settlement.value.map((r) => (r.ok ? r.value : r.error.remoteName))).toEqual([
      1,
      0.5,
      "RangeError",
    ]);
  });

  it("retries an executor crash, but not a bad payload", () => {
    const task = new FunctionTask({ fn: () => 1 });
    const crash = makeStatus(task.taskId, TaskState.TASK_FAILED, {
      reason: TaskStatus_Reason.EXECUTOR_TERMINATED,
    });
    expect(task.settle(crash, false).kind).toBe("retry");
    const bad = makeStatus(task.taskId, TaskState.TASK_FAILED, { message: "malformed payload" });
    expect(task.settle(bad, false).kind).toBe("reject");
  });
});

describe("custom tasks and decoding", () => {
  class CustomTask extends Task {
    static override readonly kind = "custom";
    readonly seen: string[] = [];
    override onUpdate(status: { state: TaskState }): void {
      this.seen.push(TaskState[status.state] ?? "");
    }
    uppercaseName(): string {
      return this.name.toUpperCase();
    }
  }

  it("decodes a TaskInfo into the most specific registered class", () => {
    const unregister = registerTaskKind(CustomTask, {
      decode: (info) =>
        new CustomTask({ name: info.name, ...(info.command ? { command: info.command } : {}) }),
    });
    try {
      const custom = new CustomTask({
        name: "custom",
        command: create(CommandInfoSchema, { value: "true" }),
      });
      const decoded = decodeTask(custom.toTaskInfo(context(Resources.of(cpus(0.1)))));
      expect(decoded).toBeInstanceOf(CustomTask);
      expect((decoded as CustomTask).uppercaseName()).toBe("CUSTOM");

      const fn = new FunctionTask({ fn: (a: number) => a + 1, args: [1], id: "fn-1" });
      const back = decodeTask(fn.toTaskInfo(context(fn.resources, { executor: fn.executor().info })));
      expect(back).toBeInstanceOf(FunctionTask);
      expect(back.id).toBe("fn-1");
      expect((back as FunctionTask).calls).toEqual([[1]]);

      const cmd = new CommandTask({ command: "echo 1", environment: { A: "b" } });
      const cmdBack = decodeTask(cmd.toTaskInfo(context(Resources.of(cpus(0.1)))));
      expect(cmdBack).toBeInstanceOf(CommandTask);
      expect((cmdBack as CommandTask).options.environment).toEqual({ A: "b" });
    } finally {
      unregister();
    }
  });

  it("a plain Task needs a command or an executor", () => {
    const task = new Task({ name: "empty" });
    expect(() => task.toTaskInfo(context(Resources.of(cpus(1))))).toThrow(
      /neither a command nor an executor/,
    );
  });

  it("validates ids", () => {
    expect(() => new Task({ id: "a/b" })).toThrow(/task id/);
    expect(new CommandTask({ command: "x", resources: [ports(2)] }).resources.portCount).toBe(2);
  });
});
