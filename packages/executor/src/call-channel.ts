import net from "node:net";
import tls from "node:tls";
import { AgentConnectionError } from "./errors/index.js";

/**
 * Where and how a {@link CallChannel} posts.
 *
 * @example
 * ```ts
 * const options: CallChannelOptions = {
 *   host: "127.0.0.1", port: 5051, path: "/api/v1/executor", hostHeader: "127.0.0.1:5051",
 *   headers: { "Content-Type": "application/x-protobuf", Accept: "application/x-protobuf" }, timeoutMs: 30_000,
 * };
 * ```
 */
export interface CallChannelOptions {
  readonly host: string;
  readonly port: number;
  /** A Unix socket to connect to instead of host and port. */
  readonly socketPath?: string | undefined;
  readonly ssl?: boolean;
  /** The request target of every POST. */
  readonly path: string;
  /** The Host header. */
  readonly hostHeader: string;
  /** Further headers of every POST (Content-Length is added per request). */
  readonly headers: Readonly<Record<string, string>>;
  /** Bound on waiting for each complete answer, counted from when its request was written. */
  readonly timeoutMs: number;
}

/**
 * An HTTP answer: its status and its body as text.
 *
 * @example
 * ```ts
 * const answer: CallAnswer = await channel.post(body);
 * if (answer.status !== 202) throw new Error(answer.body);
 * ```
 */
export interface CallAnswer {
  readonly status: number;
  readonly body: string;
}

interface Exchange {
  readonly body: Uint8Array;
  readonly resolve: (answer: CallAnswer) => void;
  readonly reject: (error: Error) => void;
  /** When the answer is due (set when the request is written). */
  deadline: number;
}

/** Answers without an end of their head this far into them are not HTTP. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from("\r\n\r\n", "latin1");
const CRLF = Buffer.from("\r\n", "latin1");
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: |$)/;

type BodyMode =
  | { readonly kind: "length"; remaining: number }
  | { readonly kind: "chunked"; remaining: number; trailers: boolean }
  | { readonly kind: "until-close" };

interface Answering {
  readonly status: number;
  readonly close: boolean;
  readonly mode: BodyMode;
  readonly body: Buffer[];
}

/**
 * POSTs over one keep-alive HTTP/1.1 connection with pipelining: the requests made in one turn of the event loop
 * go out in a single write (one system call for many UPDATEs), more may be written before earlier answers came,
 * and answers are matched to requests in order. This is what the executor's calls need and no more (bodies
 * are few bytes; no redirects, no upgrades). A request not yet written waits for the connection; after
 * `Connection: close` the requests written behind the closing answer, which the server did not read, are written
 * again on a new connection; a broken or silent connection fails every request it carried (the caller decides
 * whether to resend).
 *
 * Why not undici, which the rest of satyr uses: undici writes each pipelined request on its own and keeps a
 * request object and handler chain per call. Posting 20,000 executor-sized UPDATEs, 64 in flight, to a node:http
 * server on loopback measured 112–181 µs of CPU per call (client and server together) through an undici `Pool`
 * (one connection, pipelining 16, the handler API) against 35–49 µs through this channel, and `bench:cpu` in
 * @satyr/futures put the executor at 1.3 ms per task with undici against 0.6 ms with this. Two calls per task
 * make that the executor's largest cost, so the hot path keeps this small, fully tested client.
 *
 * @example
 * ```ts
 * const channel = new CallChannel(options);
 * const { status } = await channel.post(new TextEncoder().encode("{}"));
 * channel.close();
 * ```
 */
export class CallChannel {
  readonly #options: CallChannelOptions;
  readonly #head: string;
  #socket: net.Socket | undefined;
  #connected = false;
  #unsent: Exchange[] = [];
  /** Requests written and not answered yet, oldest first from `#inFlightHead`. */
  readonly #inFlight: (Exchange | undefined)[] = [];
  #inFlightHead = 0;
  #buffer: Buffer | undefined;
  #answering: Answering | undefined;
  #flushScheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: CallChannelOptions) {
    this.#options = options;
    let head = `POST ${options.path} HTTP/1.1\r\nHost: ${options.hostHeader}\r\n`;
    for (const [name, value] of Object.entries(options.headers)) head += `${name}: ${value}\r\n`;
    this.#head = `${head}Content-Length: `;
  }

  /** Sends one POST; resolves with its answer, whatever its status. @throws {@link AgentConnectionError} */
  post(body: Uint8Array): Promise<CallAnswer> {
    if (this.#closed) return Promise.reject(new AgentConnectionError("the connection was closed"));
    return new Promise((resolve, reject) => {
      this.#unsent.push({ body, resolve, reject, deadline: 0 });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Fails every request not answered yet and closes the connection. */
  close(): void {
    this.#closed = true;
    this.#failAll(new AgentConnectionError("the connection was closed"));
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#unsent.length === 0 || this.#closed) return;
    if (this.#socket === undefined) {
      this.#connect();
      return;
    }
    if (!this.#connected) return;
    const batch = this.#unsent;
    this.#unsent = [];
    const heads: string[] = [];
    let total = 0;
    for (const exchange of batch) {
      const head = `${this.#head}${exchange.body.byteLength}\r\n\r\n`;
      heads.push(head);
      total += head.length + exchange.body.byteLength;
    }
    const bytes = Buffer.allocUnsafe(total);
    let offset = 0;
    const deadline = Date.now() + this.#options.timeoutMs;
    for (const [index, exchange] of batch.entries()) {
      offset += bytes.write(heads[index]!, offset, "latin1");
      bytes.set(exchange.body, offset);
      offset += exchange.body.byteLength;
      exchange.deadline = deadline;
      this.#inFlight.push(exchange);
    }
    this.#socket.write(bytes);
    this.#armTimer();
  }

  #connect(): void {
    const { host, port, socketPath, ssl } = this.#options;
    const onConnect = () => {
      this.#connected = true;
      this.#flush();
    };
    const socket =
      socketPath !== undefined
        ? net.connect({ path: socketPath }, onConnect)
        : ssl
          ? tls.connect(net.isIP(host) === 0 ? { host, port, servername: host } : { host, port }, onConnect)
          : net.connect({ host, port }, onConnect);
    socket.setNoDelay(true);
    this.#socket = socket;
    this.#connected = false;
    this.#buffer = undefined;
    this.#answering = undefined;
    socket.on("data", (chunk: Buffer) => {
      if (this.#socket !== socket) return;
      try {
        this.#read(socket, chunk);
      } catch (error) {
        this.#broken(socket, error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on("error", (error) => this.#broken(socket, error));
    socket.on("end", () => this.#ended(socket));
    socket.on("close", () => this.#ended(socket));
  }

  /** The server ended the connection: an answer read to the end of the stream completes; the rest fail. */
  #ended(socket: net.Socket): void {
    if (this.#socket !== socket) return;
    const answering = this.#answering;
    if (answering?.mode.kind === "until-close") {
      this.#answering = undefined;
      this.#complete(answering);
    }
    this.#broken(socket, new AgentConnectionError("the agent closed the connection before answering"));
  }

  /** Drops the socket; requests it carried fail, requests not yet written wait for a new connection. */
  #broken(socket: net.Socket, error: Error): void {
    if (this.#socket !== socket) return;
    const wasConnected = this.#connected;
    this.#socket = undefined;
    this.#connected = false;
    socket.destroy();
    const cause =
      error instanceof AgentConnectionError
        ? error
        : new AgentConnectionError(error.message, { cause: error });
    const carried = this.#takeInFlight();
    // A connection that never opened cannot carry the waiting requests either: they fail too.
    const waiting = wasConnected ? [] : this.#takeUnsent();
    for (const exchange of [...carried, ...waiting]) exchange.reject(cause);
    this.#disarmTimer();
    if (this.#unsent.length > 0 && !this.#closed) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #failAll(error: AgentConnectionError): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connected = false;
    socket?.destroy();
    this.#disarmTimer();
    for (const exchange of [...this.#takeInFlight(), ...this.#takeUnsent()]) exchange.reject(error);
  }

  #takeInFlight(): Exchange[] {
    const taken = this.#inFlight
      .splice(this.#inFlightHead)
      .filter((exchange): exchange is Exchange => exchange !== undefined);
    this.#inFlight.length = 0;
    this.#inFlightHead = 0;
    return taken;
  }

  #takeUnsent(): Exchange[] {
    const taken = this.#unsent;
    this.#unsent = [];
    return taken;
  }

  // --- answers ------------------------------------------------------------------------------------------------

  #read(socket: net.Socket, chunk: Buffer): void {
    let buffer = this.#buffer === undefined ? chunk : Buffer.concat([this.#buffer, chunk]);
    // Stops once an answer with Connection: close handed the requests behind it to a new connection.
    while (this.#socket === socket) {
      const answering = this.#answering;
      if (answering === undefined) {
        const end = buffer.indexOf(HEAD_END);
        if (end < 0) {
          if (buffer.length > MAX_HEAD_BYTES) throw protocolError("no end of the answer's head");
          break;
        }
        const answer = parseHead(buffer.toString("latin1", 0, end));
        buffer = buffer.subarray(end + HEAD_END.length);
        // 1xx answers (100 Continue) precede the real one.
        if (answer.status < 200) continue;
        this.#answering = answer;
        continue;
      }
      const mode = answering.mode;
      if (mode.kind === "until-close") {
        answering.body.push(buffer);
        buffer = buffer.subarray(buffer.length);
        break;
      }
      if (mode.kind === "length") {
        const take = Math.min(mode.remaining, buffer.length);
        if (take > 0) answering.body.push(buffer.subarray(0, take));
        mode.remaining -= take;
        buffer = buffer.subarray(take);
        if (mode.remaining > 0) break;
        this.#answering = undefined;
        this.#complete(answering);
        continue;
      }
      // Chunked: a size line, that many bytes and a CRLF, until the last (empty) chunk and the trailers.
      if (mode.trailers) {
        const end = buffer.indexOf(CRLF);
        if (end < 0) break;
        buffer = buffer.subarray(end + CRLF.length);
        if (end === 0) {
          this.#answering = undefined;
          this.#complete(answering);
        }
        continue;
      }
      if (mode.remaining === 0) {
        const end = buffer.indexOf(CRLF);
        if (end < 0) {
          if (buffer.length > MAX_HEAD_BYTES) throw protocolError("a chunk size line without end");
          break;
        }
        const line = buffer.toString("latin1", 0, end);
        const size = Number.parseInt(line, 16);
        if (!/^[0-9a-fA-F]+/.test(line) || !Number.isSafeInteger(size)) {
          throw protocolError(`a bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
        }
        buffer = buffer.subarray(end + CRLF.length);
        if (size === 0) mode.trailers = true;
        // The chunk's bytes plus the CRLF closing it.
        else mode.remaining = size + CRLF.length;
        continue;
      }
      const take = Math.min(mode.remaining, buffer.length);
      const data = Math.min(take, Math.max(0, mode.remaining - CRLF.length));
      if (data > 0) answering.body.push(buffer.subarray(0, data));
      mode.remaining -= take;
      buffer = buffer.subarray(take);
      if (mode.remaining > 0) break;
    }
    if (this.#socket === socket) this.#buffer = buffer.length > 0 ? buffer : undefined;
  }

  #complete(answering: Answering): void {
    const exchange = this.#inFlight[this.#inFlightHead];
    if (exchange === undefined) throw protocolError("an answer to no request");
    this.#inFlight[this.#inFlightHead] = undefined;
    this.#inFlightHead++;
    if (this.#inFlightHead === this.#inFlight.length) {
      this.#inFlight.length = 0;
      this.#inFlightHead = 0;
      this.#disarmTimer();
    }
    const body =
      answering.body.length === 0
        ? ""
        : answering.body.length === 1
          ? answering.body[0]!.toString("utf8")
          : Buffer.concat(answering.body).toString("utf8");
    exchange.resolve({ status: answering.status, body });
    if (answering.close) this.#closing();
  }

  /**
   * The server closes the connection after this answer: it read nothing written after that request, so those
   * go out again, first, on a new connection.
   */
  #closing(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    const unanswered = this.#takeInFlight();
    this.#unsent = [...unanswered, ...this.#unsent];
    this.#socket = undefined;
    this.#connected = false;
    this.#buffer = undefined;
    this.#answering = undefined;
    this.#disarmTimer();
    socket.destroy();
    if (this.#unsent.length > 0 && !this.#closed && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  // --- the call timeout ---------------------------------------------------------------------------------------

  #armTimer(): void {
    if (this.#timer !== undefined) return;
    const oldest = this.#inFlight[this.#inFlightHead];
    if (oldest === undefined) return;
    this.#timer = setTimeout(() => this.#checkTimeout(), Math.max(0, oldest.deadline - Date.now()));
    this.#timer.unref();
  }

  #disarmTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #checkTimeout(): void {
    this.#timer = undefined;
    const oldest = this.#inFlight[this.#inFlightHead];
    const socket = this.#socket;
    if (oldest === undefined || socket === undefined) return;
    if (Date.now() >= oldest.deadline) {
      this.#broken(socket, new AgentConnectionError(`no answer within ${this.#options.timeoutMs} ms`));
    } else {
      this.#armTimer();
    }
  }
}

function parseHead(head: string): Answering {
  const firstEnd = head.indexOf("\r\n");
  const statusLine = firstEnd < 0 ? head : head.slice(0, firstEnd);
  const match = STATUS_LINE.exec(statusLine);
  if (match === null) throw protocolError(`its status line reads ${JSON.stringify(statusLine.slice(0, 80))}`);
  let length: number | undefined;
  let chunked = false;
  let close = statusLine.startsWith("HTTP/1.0");
  // Header lines one by one, without splitting the head into an array.
  for (let start = firstEnd < 0 ? head.length : firstEnd + 2; start < head.length; ) {
    let end = head.indexOf("\r\n", start);
    if (end < 0) end = head.length;
    const colon = head.indexOf(":", start);
    if (colon <= start || colon > end) {
      throw protocolError(`a header line reads ${JSON.stringify(head.slice(start, end).slice(0, 80))}`);
    }
    const name = head.slice(start, colon).trim().toLowerCase();
    if (name === "content-length" || name === "transfer-encoding" || name === "connection") {
      const value = head
        .slice(colon + 1, end)
        .trim()
        .toLowerCase();
      if (name === "content-length") {
        length = Number(value);
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(length)) {
          throw protocolError(`Content-Length is ${JSON.stringify(value)}`);
        }
      } else if (name === "transfer-encoding") {
        chunked = value.split(",").some((coding) => coding.trim() === "chunked");
      } else {
        const options = value.split(",").map((option) => option.trim());
        if (options.includes("close")) close = true;
        else if (options.includes("keep-alive")) close = false;
      }
    }
    start = end + 2;
  }
  const status = Number(match[1]);
  const mode: BodyMode =
    status === 204 || status === 304 || (status >= 100 && status < 200)
      ? { kind: "length", remaining: 0 }
      : chunked
        ? { kind: "chunked", remaining: 0, trailers: false }
        : length !== undefined
          ? { kind: "length", remaining: length }
          : { kind: "until-close" };
  return { status, close: close || mode.kind === "until-close", mode, body: [] };
}

function protocolError(what: string): AgentConnectionError {
  return new AgentConnectionError(`the answer does not match the HTTP/1.1 protocol: ${what}`);
}
