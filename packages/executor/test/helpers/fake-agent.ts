import { once } from "node:events";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  executor as api,
  type CodecName,
  codecNameOf,
  ExecutorInfoSchema,
  encodeRecord,
  executorCodecs,
  type TaskInfo,
  type TaskStatus,
  TaskStatus_Source,
} from "@satyr/proto";

/** Options of {@link FakeAgent.start}. */
export interface FakeAgentOptions {
  /** Acknowledge every accepted UPDATE on the event stream (default true), as a real agent does. */
  readonly autoAcknowledge?: boolean;
  /** Resources of the executor in SUBSCRIBED (default cpus 1). */
  readonly executorCpus?: number;
  readonly frameworkId?: string;
  readonly executorId?: string;
}

interface Stream {
  readonly response: http.ServerResponse;
  readonly codec: CodecName;
}

const FRAMEWORK_ID = "fake-framework-0001";
const EXECUTOR_ID = "fake-executor";
const AGENT_ID = "fake-agent-S0";

/**
 * A small stand-in for a Mesos agent's `/api/v1/executor` on 127.0.0.1: answers SUBSCRIBE with a RecordIO
 * event stream, validates UPDATE calls the way a real agent does (uuid present and a valid v4 UUID, source
 * SOURCE_EXECUTOR, exact content types, 403 before SUBSCRIBE), records everything, and lets a test push events
 * and break or restart the connection.
 */
export class FakeAgent {
  readonly subscribes: api.Call[] = [];
  readonly updates: TaskStatus[] = [];
  /** Updates received again inside a SUBSCRIBE (`unacknowledged_updates`). */
  readonly resent: TaskStatus[] = [];
  readonly messages: Uint8Array[] = [];
  readonly rejected: { status: number; body: string }[] = [];
  /** When connections came while the agent was down (see {@link FakeAgent.restart}). */
  readonly attemptsWhileDown: number[] = [];
  readonly frameworkId: string;
  readonly executorId: string;
  autoAcknowledge: boolean;
  #server: http.Server;
  #port = 0;
  #stream: Stream | undefined;
  readonly #options: FakeAgentOptions;
  readonly #waiters = new Set<() => void>();
  readonly #sockets = new Set<net.Socket>();

  private constructor(options: FakeAgentOptions) {
    this.#options = options;
    this.autoAcknowledge = options.autoAcknowledge ?? true;
    this.frameworkId = options.frameworkId ?? FRAMEWORK_ID;
    this.executorId = options.executorId ?? EXECUTOR_ID;
    this.#server = this.#createServer();
  }

  static async start(options: FakeAgentOptions = {}): Promise<FakeAgent> {
    const agent = new FakeAgent(options);
    await agent.#listen(0);
    return agent;
  }

  get endpoint(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Whether an executor is subscribed right now. */
  get subscribed(): boolean {
    return this.#stream !== undefined;
  }

  /** The environment a real agent would give the executor, plus `extra`. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      MESOS_AGENT_ENDPOINT: this.endpoint,
      MESOS_FRAMEWORK_ID: this.frameworkId,
      MESOS_EXECUTOR_ID: this.executorId,
      MESOS_DIRECTORY: process.cwd(),
      MESOS_SANDBOX: process.cwd(),
      MESOS_CHECKPOINT: "0",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs",
      SATYR_EXECUTOR_IDLE_TIMEOUT: "0",
      // Every task reports RUNNING unless a test says otherwise, so update sequences do not depend on timing.
      SATYR_EXECUTOR_RUNNING_DELAY: "0",
      ...extra,
    };
  }

  /** Sends an event on the current subscription. */
  send(init: MessageInitShape<typeof api.EventSchema>): void {
    const stream = this.#stream;
    if (stream === undefined) throw new Error("no executor is subscribed");
    const event = create(api.EventSchema, init);
    stream.response.write(encodeRecord(executorCodecs(stream.codec).event.encode(event)));
  }

  launch(task: TaskInfo): void {
    this.send({ type: api.Event_Type.LAUNCH, launch: { task } });
  }

  kill(taskId: string): void {
    this.send({ type: api.Event_Type.KILL, kill: { taskId: { value: taskId } } });
  }

  shutdown(): void {
    this.send({ type: api.Event_Type.SHUTDOWN });
  }

  acknowledge(status: TaskStatus): void {
    this.send({
      type: api.Event_Type.ACKNOWLEDGED,
      acknowledged: { taskId: { value: status.taskId?.value ?? "" }, uuid: status.uuid },
    });
  }

  /** Sends ACKNOWLEDGED for every update received so far (directly or resent). */
  acknowledgeAll(): void {
    for (const status of [...this.updates, ...this.resent]) this.acknowledge(status);
  }

  /** Ends the current event stream (the executor sees EOF), keeping the server up. */
  dropStream(): void {
    this.#stream?.response.end();
    this.#stream = undefined;
  }

  /** Stops listening and cuts every connection. */
  async stop(): Promise<void> {
    this.#stream = undefined;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /**
   * The agent restarts: down for `downMs`, then listening again on the same port. While down, the port resets
   * every connection and records when each came (`attemptsWhileDown`), so a test can see the executor's retries.
   */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    this.attemptsWhileDown.length = 0;
    const resetter = net.createServer((socket) => {
      this.attemptsWhileDown.push(Date.now());
      socket.resetAndDestroy();
    });
    resetter.listen(this.#port, "127.0.0.1");
    await once(resetter, "listening");
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await new Promise<void>((resolve) => resetter.close(() => resolve()));
    this.#server = this.#createServer();
    await this.#listen(this.#port);
  }

  /** Updates of one task, in arrival order. */
  updatesOf(taskId: string): TaskStatus[] {
    return this.updates.filter((status) => status.taskId?.value === taskId);
  }

  /** Resolves once `predicate` holds (checked after every call the agent gets, and every 20 ms). */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => check(), 20);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** Resolves with the terminal update of a task. */
  async terminal(taskId: string, timeoutMs = 10_000): Promise<TaskStatus> {
    const terminal = (status: TaskStatus) => ![0, 1, 8].includes(status.state);
    await this.waitFor(
      () => this.updatesOf(taskId).some(terminal),
      `a terminal update of ${taskId}`,
      timeoutMs,
    );
    return this.updatesOf(taskId).find(terminal)!;
  }

  #notify(): void {
    for (const check of [...this.#waiters]) check();
  }

  #createServer(): http.Server {
    const server = http.createServer((request, response) => void this.#handle(request, response));
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    return server;
  }

  async #listen(port: number): Promise<void> {
    this.#server.listen(port, "127.0.0.1");
    await once(this.#server, "listening");
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const reply = (status: number, body = "") => {
      if (status >= 400) this.rejected.push({ status, body });
      response.writeHead(status, body ? { "Content-Type": "text/plain; charset=utf-8" } : {});
      response.end(body);
      this.#notify();
    };
    if (request.method !== "POST" || request.url !== "/api/v1/executor") return reply(404);
    const codec = codecNameOf(request.headers["content-type"]);
    if (codec === undefined)
      return reply(415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
    let call: api.Call;
    try {
      call = executorCodecs(codec).call.decode(new Uint8Array(Buffer.concat(chunks)));
    } catch (error) {
      return reply(400, `Failed to parse body into Call protobuf: ${(error as Error).message}`);
    }
    if (call.executorId?.value !== this.executorId || call.frameworkId?.value !== this.frameworkId) {
      return reply(400, "Executor cannot be found");
    }
    switch (call.type) {
      case api.Call_Type.SUBSCRIBE:
        return this.#subscribe(call, codec, request, response);
      case api.Call_Type.UPDATE: {
        if (this.#stream === undefined) return reply(403, "Executor is not subscribed");
        const status = call.update?.status;
        if (status === undefined)
          return reply(400, "Failed to validate Executor::Call: Expecting 'update' to be present");
        const problem = validateStatus(status, this.executorId);
        if (problem !== undefined) return reply(400, `Failed to validate Executor::Call: ${problem}`);
        this.updates.push(status);
        reply(202);
        if (this.autoAcknowledge && this.#stream !== undefined) this.acknowledge(status);
        return;
      }
      case api.Call_Type.MESSAGE:
        if (this.#stream === undefined) return reply(403, "Executor is not subscribed");
        this.messages.push(call.message?.data ?? new Uint8Array());
        return reply(202);
      default:
        return reply(400, `unexpected call type ${call.type}`);
    }
  }

  #subscribe(
    call: api.Call,
    codec: CodecName,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): void {
    if (request.headers.accept !== executorCodecs(codec).contentType) {
      response.writeHead(406).end();
      return;
    }
    this.#stream?.response.end();
    this.subscribes.push(call);
    response.writeHead(200, { "Content-Type": executorCodecs(codec).contentType });
    const stream: Stream = { response, codec };
    this.#stream = stream;
    response.on("close", () => {
      if (this.#stream === stream) this.#stream = undefined;
    });
    this.send({
      type: api.Event_Type.SUBSCRIBED,
      subscribed: {
        executorInfo: create(ExecutorInfoSchema, {
          executorId: { value: this.executorId },
          frameworkId: { value: this.frameworkId },
          resources: [{ name: "cpus", type: 0, scalar: { value: this.#options.executorCpus ?? 1 } }],
        }),
        frameworkInfo: { user: "test", name: "fake", id: { value: this.frameworkId } },
        agentInfo: { hostname: "127.0.0.1", id: { value: AGENT_ID } },
        containerId: { value: "fake-container" },
      },
    });
    // A real agent handles resent updates like new ones (deduplicated by uuid) and acknowledges them.
    for (const update of call.subscribe?.unacknowledgedUpdates ?? []) {
      if (update.status === undefined) continue;
      this.resent.push(update.status);
      if (this.autoAcknowledge) this.acknowledge(update.status);
    }
    this.#notify();
  }
}

/** The checks Mesos applies to an executor's TaskStatus (see the recorded 400 answers). */
function validateStatus(status: TaskStatus, executorId: string): string | undefined {
  if (status.uuid.length === 0) return "Expecting 'uuid' to be present";
  if (!isUuidV4(status.uuid)) return "Not a valid UUID";
  if (status.source !== TaskStatus_Source.EXECUTOR)
    return "Received Call from executor with a source other than SOURCE_EXECUTOR";
  if (status.state === 6) return "Received TASK_STAGING from executor";
  if (status.executorId !== undefined && status.executorId.value !== executorId) return "ExecutorID mismatch";
  return undefined;
}

/** 16 bytes, version nibble 4, RFC 4122 variant. */
export function isUuidV4(uuid: Uint8Array): boolean {
  return uuid.length === 16 && (uuid[6]! & 0xf0) === 0x40 && (uuid[8]! & 0xc0) === 0x80;
}
