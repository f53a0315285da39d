import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type CodecName, codecNameOf, encodeRecord, scheduler, schedulerCodecs } from "@satyr/proto";

/** A SUBSCRIBE the fake master received. */
export interface SubscribeRecord {
  readonly call: scheduler.Call;
  /** The client's port: tells connections apart. */
  readonly remotePort: number | undefined;
  readonly streamId: string;
  readonly at: number;
  readonly headers: IncomingMessage["headers"];
}

/** A non-SUBSCRIBE call the fake master received, with the headers that came with it. */
export interface CallRecord {
  readonly call: scheduler.Call;
  readonly remotePort: number | undefined;
  readonly streamId: string | undefined;
  readonly status: number;
  readonly at: number;
}

export interface FakeMasterOptions {
  readonly port?: number;
  /** Seconds reported in SUBSCRIBED; heartbeats are sent at this period unless `heartbeats` is false. */
  readonly heartbeatIntervalSeconds?: number;
  readonly heartbeats?: boolean;
  readonly credentials?: { readonly principal: string; readonly secret: string };
  /** The framework id assigned to new frameworks. */
  readonly frameworkId?: string;
  readonly masterId?: string;
}

type EventInit = MessageInitShape<typeof scheduler.EventSchema>;

interface Stream {
  readonly streamId: string;
  readonly frameworkId: string;
  readonly codec: CodecName;
  readonly response: ServerResponse;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A minimal Mesos master for client tests: the scheduler endpoint with Mesos's status codes and checks (exact
 * content types, Mesos-Stream-Id rules, framework failover), RecordIO event streams in either codec, heartbeats,
 * and knobs to script what it answers. Every call is recorded for assertions.
 */
export class FakeMaster {
  readonly subscribes: SubscribeRecord[] = [];
  readonly calls: CallRecord[] = [];
  /** Every HTTP request received, whatever the answer. */
  requestCount = 0;
  /** Answer SUBSCRIBE with a 307 to this base URL (`//host:port`) instead of serving it: a non-leader. */
  redirectTo: string | undefined;
  /** Statuses to answer the next requests with (each used once), before anything else. */
  readonly scripted: { status: number; body?: string; headers?: Record<string, string> }[] = [];
  /** When set, SUBSCRIBE gets 200, this ERROR event, and the stream ends. */
  subscribeError: string | undefined;
  /**
   * When set, SUBSCRIBE is answered with these recorded bytes (a real master's RecordIO stream in `codec`) for
   * the framework `frameworkId`, and no heartbeats are added; the stream stays open.
   */
  replay: { bytes: Uint8Array; codec: CodecName; frameworkId: string } | undefined;
  /** Called for each accepted call, e.g. to answer RECONCILE with updates. */
  onCall: ((call: scheduler.Call, master: FakeMaster) => void) | undefined;

  readonly #server: Server;
  readonly #options: FakeMasterOptions;
  readonly #frameworks = new Set<string>();
  readonly #removed = new Set<string>();
  #stream: Stream | undefined;
  #waiters: (() => void)[] = [];
  #port: number;

  private constructor(server: Server, port: number, options: FakeMasterOptions) {
    this.#server = server;
    this.#port = port;
    this.#options = options;
    server.on("request", (req, res) => this.#handle(req, res));
  }

  static async start(options: FakeMasterOptions = {}): Promise<FakeMaster> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    return new FakeMaster(server, (server.address() as AddressInfo).port, options);
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The id of the live stream, if a subscriber is connected. */
  get streamId(): string | undefined {
    return this.#stream?.streamId;
  }

  /** Sends an event to the live stream; returns false when there is none. */
  send(init: EventInit): boolean {
    const stream = this.#stream;
    if (stream === undefined) return false;
    const event = create(scheduler.EventSchema, init);
    stream.response.write(encodeRecord(schedulerCodecs(stream.codec).event.encode(event)));
    return true;
  }

  /** Writes raw bytes to the live stream (for malformed-stream tests). */
  sendRaw(bytes: Uint8Array): void {
    this.#stream?.response.write(bytes);
  }

  /** Stops sending heartbeats on the live stream (a silent partition from the master's side). */
  silence(): void {
    if (this.#stream?.timer !== undefined) clearInterval(this.#stream.timer);
  }

  /** Ends the live stream cleanly, as a master does when it drops a framework's connection. */
  endStream(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream === undefined) return;
    clearInterval(stream.timer);
    stream.response.end();
  }

  /**
   * Forgets a framework as Mesos does after TEARDOWN or an expired failover timeout: its id is refused with ERROR
   * "Framework has been removed". (Unknown ids are accepted, as a master that failed over accepts them.)
   */
  removeFramework(frameworkId: string): void {
    this.#frameworks.delete(frameworkId);
    this.#removed.add(frameworkId);
    if (this.#stream?.frameworkId === frameworkId) this.endStream();
  }

  /** Resolves when `predicate` holds over the recorded traffic, polling on every request. */
  async waitFor(predicate: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake master: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  callsOf(type: scheduler.Call_Type): scheduler.Call[] {
    return this.calls.filter((c) => c.call.type === type && c.status === 202).map((c) => c.call);
  }

  async stop(): Promise<void> {
    this.endStream();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    this.requestCount++;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        this.#serve(req, res, Buffer.concat(chunks));
      } finally {
        this.#notify();
      }
    });
  }

  #serve(req: IncomingMessage, res: ServerResponse, body: Buffer): undefined {
    const scripted = this.scripted.shift();
    if (scripted !== undefined) {
      res.writeHead(scripted.status, { "content-type": "text/plain; charset=utf-8", ...scripted.headers });
      res.end(scripted.body ?? "");
      return;
    }
    if (req.method !== "POST") return text(res, 405, "Expecting a 'POST' request", { allow: "POST" });
    if (req.url !== "/api/v1/scheduler") return text(res, 404, "");
    if (this.#options.credentials !== undefined) {
      const { principal, secret } = this.#options.credentials;
      const expected = `Basic ${Buffer.from(`${principal}:${secret}`).toString("base64")}`;
      if (req.headers.authorization !== expected) {
        return text(res, 401, "", { "www-authenticate": 'Basic realm="mesos-master-scheduler"' });
      }
    }
    const contentType = req.headers["content-type"];
    if (contentType === undefined) return text(res, 400, "Expecting 'Content-Type' to be present");
    const codec = codecNameOf(contentType);
    if (codec === undefined)
      return text(res, 415, `Expecting 'Content-Type' of application/json or application/x-protobuf`);
    let call: scheduler.Call;
    try {
      call = schedulerCodecs(codec).call.decode(body);
    } catch (error) {
      return text(res, 400, `Failed to parse body into Call: ${String(error)}`);
    }
    if (call.type === scheduler.Call_Type.SUBSCRIBE) return this.#subscribe(req, res, call);
    const streamId = header(req, "mesos-stream-id");
    const record = (status: number) =>
      this.calls.push({ call, streamId, status, at: Date.now(), remotePort: req.socket.remotePort });
    const frameworkId = call.frameworkId?.value;
    if (frameworkId === undefined) {
      record(400);
      return text(res, 400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present");
    }
    if (!this.#frameworks.has(frameworkId)) {
      record(400);
      return text(res, 400, "Framework cannot be found");
    }
    if (this.#stream === undefined || this.#stream.frameworkId !== frameworkId) {
      record(403);
      return text(res, 403, "Framework is not subscribed");
    }
    if (streamId === undefined) {
      record(400);
      return text(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    }
    if (streamId !== this.#stream.streamId) {
      record(400);
      return text(
        res,
        400,
        `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
      );
    }
    record(202);
    res.writeHead(202);
    res.end();
    if (call.type === scheduler.Call_Type.TEARDOWN) {
      this.removeFramework(frameworkId);
    }
    this.onCall?.(call, this);
  }

  #subscribe(req: IncomingMessage, res: ServerResponse, call: scheduler.Call): undefined {
    if (header(req, "mesos-stream-id") !== undefined) {
      return text(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    }
    if (this.redirectTo !== undefined) {
      return text(res, 307, "", { location: `${this.redirectTo}/api/v1/scheduler` });
    }
    const accept = header(req, "accept");
    const codec = accept === undefined || accept === "*/*" ? "json" : codecNameOf(accept);
    if (codec === undefined)
      return text(res, 406, "Expecting 'Accept' to allow application/json or application/x-protobuf");
    const info = call.subscribe?.frameworkInfo;
    if (info === undefined) return text(res, 400, "Expecting 'subscribe' to be present");
    const topId = call.frameworkId?.value;
    if (topId !== info.id?.value) {
      return text(res, 400, "'framework_id' differs from 'subscribe.framework_info.id'");
    }
    const streamId = randomUUID();
    if (this.replay !== undefined) {
      const { bytes, codec: recorded, frameworkId } = this.replay;
      if (codec !== recorded) return text(res, 406, `this recording is ${recorded}`);
      this.subscribes.push({
        call,
        streamId,
        at: Date.now(),
        headers: req.headers,
        remotePort: req.socket.remotePort,
      });
      this.#frameworks.add(frameworkId);
      res.writeHead(200, { "content-type": schedulerCodecs(codec).contentType, "mesos-stream-id": streamId });
      const stream: Stream = { streamId, frameworkId, codec, response: res, timer: undefined };
      this.#stream = stream;
      res.write(bytes);
      res.on("close", () => {
        if (this.#stream === stream) this.#stream = undefined;
        this.#notify();
      });
      return undefined;
    }
    this.subscribes.push({
      call,
      streamId,
      at: Date.now(),
      headers: req.headers,
      remotePort: req.socket.remotePort,
    });
    res.writeHead(200, { "content-type": schedulerCodecs(codec).contentType, "mesos-stream-id": streamId });
    res.flushHeaders();
    const write = (init: EventInit) =>
      res.write(encodeRecord(schedulerCodecs(codec).event.encode(create(scheduler.EventSchema, init))));
    if (this.subscribeError !== undefined) {
      write({ type: scheduler.Event_Type.ERROR, error: { message: this.subscribeError } });
      res.end();
      return;
    }
    if (topId !== undefined && this.#removed.has(topId)) {
      write({ type: scheduler.Event_Type.ERROR, error: { message: "Framework has been removed" } });
      res.end();
      return;
    }
    const frameworkId = topId ?? this.#options.frameworkId ?? `fw-${randomUUID()}`;
    this.#frameworks.add(frameworkId);
    const previous = this.#stream;
    if (previous !== undefined) {
      // As Mesos: the newer subscription wins; the old stream gets an ERROR and is closed.
      this.#stream = undefined;
      clearInterval(previous.timer);
      previous.response.write(
        encodeRecord(
          schedulerCodecs(previous.codec).event.encode(
            create(scheduler.EventSchema, {
              type: scheduler.Event_Type.ERROR,
              error: { message: "Framework failed over" },
            }),
          ),
        ),
      );
      previous.response.end();
    }
    const interval = this.#options.heartbeatIntervalSeconds ?? 15;
    const stream: Stream = { streamId, frameworkId, codec, response: res, timer: undefined };
    this.#stream = stream;
    write({
      type: scheduler.Event_Type.SUBSCRIBED,
      subscribed: {
        frameworkId: { value: frameworkId },
        heartbeatIntervalSeconds: interval,
        masterInfo: {
          id: this.#options.masterId ?? "fake-master",
          ip: 16777343,
          port: this.#port,
          hostname: "127.0.0.1",
          address: { hostname: "127.0.0.1", ip: "127.0.0.1", port: this.#port },
        },
      },
    });
    write({ type: scheduler.Event_Type.HEARTBEAT });
    if (this.#options.heartbeats !== false) {
      stream.timer = setInterval(() => write({ type: scheduler.Event_Type.HEARTBEAT }), interval * 1000);
    }
    const gone = () => {
      clearInterval(stream.timer);
      if (this.#stream === stream) this.#stream = undefined;
      this.#notify();
    };
    res.on("close", gone);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function text(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): undefined {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
  return undefined;
}
