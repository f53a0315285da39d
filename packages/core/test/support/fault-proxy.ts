import {
  Agent,
  type ClientRequest,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A canned answer the proxy gives instead of forwarding. */
export interface CannedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Only requests for which this holds get it (default: any). */
  readonly match?: (request: ProxiedRequest) => boolean;
}

/** A request the proxy saw. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** Whether it looks like a SUBSCRIBE (a scheduler POST without Mesos-Stream-Id). */
  readonly subscribe: boolean;
  readonly at: number;
}

/**
 * A loopback HTTP proxy in front of a master, with faults on demand: cut every connection, stall all traffic
 * (a silent partition: sockets stay open, no bytes pass), delay requests, answer with canned 307/503s, refuse
 * connections, and retarget. Requests are recorded.
 */
export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  readonly #canned: CannedResponse[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #upstreams = new Set<ClientRequest>();
  readonly #agent = new Agent({ keepAlive: true });
  #held: (() => void)[] = [];
  #server: Server;
  #port: number;
  #target: URL;
  #stalled = false;
  #delayMs = 0;

  private constructor(server: Server, port: number, target: URL) {
    this.#server = server;
    this.#port = port;
    this.#target = target;
  }

  static async start(target: string, port = 0): Promise<FaultProxy> {
    const proxy = new FaultProxy(createServer(), 0, new URL(target));
    await proxy.#listen(port);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Subscribe requests seen so far. */
  get subscribeCount(): number {
    return this.requests.filter((r) => r.subscribe).length;
  }

  setTarget(target: string): void {
    this.#target = new URL(target);
  }

  /** Answers the next matching request with `response` instead of forwarding it; `times` requests in all. */
  answer(response: CannedResponse, times = 1): void {
    for (let i = 0; i < times; i++) this.#canned.push(response);
  }

  /** Destroys every open connection, both sides: the client sees its stream break. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
    for (const upstream of this.#upstreams) upstream.destroy();
    this.#sockets.clear();
    this.#upstreams.clear();
    this.#held = [];
  }

  /** Stops passing bytes either way, keeping connections open, until {@link FaultProxy.resume}. */
  stall(): void {
    this.#stalled = true;
  }

  resume(): void {
    this.#stalled = false;
    const held = this.#held;
    this.#held = [];
    for (const release of held) release();
  }

  /** Delays forwarding of each new request. */
  delay(ms: number): void {
    this.#delayMs = ms;
  }

  /** Stops listening and cuts everything: new connections are refused until {@link FaultProxy.reopen}. */
  async refuse(): Promise<void> {
    this.cut();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async reopen(): Promise<void> {
    this.#server = createServer();
    await this.#listen(this.#port);
  }

  async stop(): Promise<void> {
    this.cut();
    this.#agent.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #listen(port: number): Promise<void> {
    const server = this.#server;
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    server.on("request", (req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
  }

  #whenFlowing(action: () => void): void {
    if (this.#stalled) this.#held.push(action);
    else action();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const seen: ProxiedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      subscribe:
        req.method === "POST" &&
        req.headers["mesos-stream-id"] === undefined &&
        (req.url ?? "").endsWith("/scheduler"),
      at: Date.now(),
    };
    this.requests.push(seen);
    const cannedIndex = this.#canned.findIndex((c) => c.match === undefined || c.match(seen));
    if (cannedIndex !== -1) {
      const [canned] = this.#canned.splice(cannedIndex, 1);
      req.resume();
      req.on("end", () => {
        res.writeHead(canned!.status, { "content-type": "text/plain; charset=utf-8", ...canned!.headers });
        res.end(canned!.body ?? "");
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const forward = () => this.#whenFlowing(() => this.#forward(req, res, Buffer.concat(chunks)));
      if (this.#delayMs > 0) setTimeout(forward, this.#delayMs);
      else forward();
    });
  }

  #forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const upstream = httpRequest({
      host: this.#target.hostname,
      port: this.#target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: this.#target.host },
      agent: this.#agent,
    });
    this.#upstreams.add(upstream);
    upstream.on("close", () => this.#upstreams.delete(upstream));
    upstream.on("error", () => {
      // The master is gone: the client sees its connection drop, as it would without a proxy.
      res.socket?.destroy();
    });
    res.on("close", () => upstream.destroy());
    upstream.on("response", (upRes) => {
      this.#whenFlowing(() => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.flushHeaders();
        upRes.on("data", (chunk: Buffer) => {
          if (this.#stalled) {
            upRes.pause();
            this.#held.push(() => {
              res.write(chunk);
              upRes.resume();
            });
            return;
          }
          if (!res.write(chunk)) {
            upRes.pause();
            res.once("drain", () => upRes.resume());
          }
        });
        upRes.on("end", () => this.#whenFlowing(() => res.end()));
        upRes.on("error", () => res.socket?.destroy());
      });
    });
    upstream.end(body);
  }
}
