import net from "node:net";
import tls from "node:tls";

/**
 * Where {@link HttpCallClient} connects.
 *
 * @example
 * ```ts
 * const target: HttpCallTarget = { host: "127.0.0.1", port: 5051, hostHeader: "127.0.0.1:5051" };
 * ```
 */
export interface HttpCallTarget {
  readonly host: string;
  readonly port: number;
  /** Value of the Host header (`host:port`). */
  readonly hostHeader: string;
  readonly ssl?: boolean;
  /** Connect to this Unix socket instead of host:port. */
  readonly socketPath?: string | undefined;
  /** Most connections open at once (default 8). */
  readonly maxConnections?: number;
  /** Bound on each request, from write to the end of the answer (default 30 s). */
  readonly timeoutMs?: number;
}

/** An HTTP answer: status code and body text. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

interface Pending {
  readonly head: string;
  readonly body: Uint8Array;
  readonly resolve: (answer: HttpAnswer) => void;
  readonly reject: (error: Error) => void;
}

const CRLF = "\r\n";
const HEADER_END = Buffer.from("\r\n\r\n");
/** An answer head longer than this is not from a Mesos agent. */
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * A small HTTP/1.1 client for the executor's short calls: POSTs over a few keep-alive connections, one request
 * at a time on each, answers read by Content-Length or chunked encoding. Two calls per task are the executor's
 * hot path, and this costs a fraction of a general-purpose client's CPU per call.
 *
 * @example
 * ```ts
 * const client = new HttpCallClient({ host: "127.0.0.1", port: 5051, hostHeader: "127.0.0.1:5051" });
 * const { status } = await client.post("/api/v1/executor", { "Content-Type": "application/x-protobuf" }, bytes);
 * client.close();
 * ```
 */
export class HttpCallClient {
  readonly #target: HttpCallTarget;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #waiting: Pending[] = [];
  #closed = false;

  constructor(target: HttpCallTarget) {
    this.#target = target;
  }

  /** Sends one POST; resolves with the answer, rejects on a network failure, a malformed answer or the timeout. */
  post(path: string, headers: Readonly<Record<string, string>>, body: Uint8Array): Promise<HttpAnswer> {
    if (this.#closed) return Promise.reject(new Error("the HTTP client is closed"));
    let head = `POST ${path} HTTP/1.1${CRLF}Host: ${this.#target.hostHeader}${CRLF}`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}${CRLF}`;
    head += `Content-Length: ${body.byteLength}${CRLF}${CRLF}`;
    return new Promise((resolve, reject) => {
      this.#dispatch({ head, body, resolve, reject });
    });
  }

  /** Closes every connection; requests in flight fail. */
  close(): void {
    this.#closed = true;
    for (const pending of this.#waiting.splice(0)) pending.reject(new Error("the HTTP client was closed"));
    for (const connection of this.#all) connection.destroy(new Error("the HTTP client was closed"));
  }

  #dispatch(pending: Pending): void {
    const connection = this.#idle.pop();
    if (connection !== undefined) {
      connection.send(pending);
      return;
    }
    if (this.#all.size < (this.#target.maxConnections ?? 8)) {
      this.#open().send(pending);
      return;
    }
    this.#waiting.push(pending);
  }

  #open(): Connection {
    const connection = new Connection(this.#target, (done) => {
      if (!done.usable) {
        this.#all.delete(done);
        const next = this.#waiting.shift();
        if (next !== undefined && !this.#closed) this.#dispatch(next);
        return;
      }
      const next = this.#waiting.shift();
      if (next !== undefined) done.send(next);
      else this.#idle.push(done);
    });
    connection.onGone = () => {
      this.#all.delete(connection);
      const index = this.#idle.indexOf(connection);
      if (index >= 0) this.#idle.splice(index, 1);
    };
    this.#all.add(connection);
    return connection;
  }
}

/** One keep-alive connection carrying one request at a time. */
class Connection {
  readonly #socket: net.Socket;
  readonly #timeoutMs: number;
  readonly #onDone: (connection: Connection) => void;
  onGone: () => void = () => {};
  #current: Pending | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #timer: NodeJS.Timeout | undefined;
  /** False once the connection cannot carry another request (closed, or the server said Connection: close). */
  usable = true;

  constructor(target: HttpCallTarget, onDone: (connection: Connection) => void) {
    this.#onDone = onDone;
    this.#timeoutMs = target.timeoutMs ?? 30_000;
    const options =
      target.socketPath !== undefined
        ? { path: target.socketPath }
        : { host: target.host, port: target.port };
    this.#socket = target.ssl
      ? tls.connect({ ...options, servername: target.socketPath === undefined ? target.host : undefined })
      : net.connect(options);
    this.#socket.setNoDelay(true);
    this.#socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on("error", (error) => this.destroy(error));
    this.#socket.on("close", () => this.destroy(new Error("the agent closed the connection")));
  }

  send(pending: Pending): void {
    this.#current = pending;
    this.#timer = setTimeout(
      () => this.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    );
    this.#socket.cork();
    this.#socket.write(pending.head, "latin1");
    if (pending.body.byteLength > 0) this.#socket.write(pending.body);
    this.#socket.uncork();
  }

  destroy(error: Error): void {
    const wasUsable = this.usable;
    this.usable = false;
    const current = this.#current;
    this.#finish();
    current?.reject(error);
    if (wasUsable) {
      this.#socket.destroy();
      this.onGone();
      if (current !== undefined) this.#onDone(this);
    }
  }

  #finish(): void {
    this.#current = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let answer: { status: number; body: string; close: boolean; consumed: number } | undefined;
    try {
      answer = parseAnswer(this.#buffer);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    if (answer === undefined) return;
    const current = this.#current;
    if (current === undefined) {
      this.destroy(new Error("the agent sent an answer to no request"));
      return;
    }
    this.#buffer = this.#buffer.subarray(answer.consumed);
    this.#finish();
    if (answer.close) {
      this.usable = false;
      this.#socket.end();
      this.onGone();
    }
    current.resolve({ status: answer.status, body: answer.body });
    this.#onDone(this);
  }
}

/** Parses one complete answer at the start of `bytes`, or returns undefined when more bytes are needed. */
function parseAnswer(
  bytes: Buffer,
): { status: number; body: string; close: boolean; consumed: number } | undefined {
  const headEnd = bytes.indexOf(HEADER_END);
  if (headEnd < 0) {
    if (bytes.length > MAX_HEAD_BYTES) throw new Error("the agent's answer has an over-long header");
    return undefined;
  }
  const lines = bytes.toString("latin1", 0, headEnd).split(CRLF);
  const statusMatch = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (statusMatch === null) throw new Error(`the agent's answer is not HTTP: ${JSON.stringify(lines[0])}`);
  let contentLength: number | undefined;
  let chunked = false;
  let close = lines[0]!.startsWith("HTTP/1.0");
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === "content-length") contentLength = Number(value);
    else if (name === "transfer-encoding")
      chunked = value.split(",").some((coding) => coding.trim() === "chunked");
    else if (name === "connection") close = value === "close" ? true : value === "keep-alive" ? false : close;
  }
  const bodyStart = headEnd + HEADER_END.length;
  const status = Number(statusMatch[1]);
  if (chunked) {
    const decoded = readChunked(bytes, bodyStart);
    if (decoded === undefined) return undefined;
    return { status, body: decoded.body, close, consumed: decoded.end };
  }
  if (contentLength === undefined) {
    // Without a length the body runs to the end of the connection; Mesos never answers a call like that.
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
      return { status, body: "", close, consumed: bodyStart };
    }
    throw new Error(`the agent answered ${status} without Content-Length or chunked encoding`);
  }
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new Error("the agent's answer has an invalid Content-Length");
  }
  if (bytes.length < bodyStart + contentLength) return undefined;
  return {
    status,
    body: bytes.toString("utf8", bodyStart, bodyStart + contentLength),
    close,
    consumed: bodyStart + contentLength,
  };
}

function readChunked(bytes: Buffer, start: number): { body: string; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf(CRLF, at, "latin1");
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.toString("latin1", at, lineEnd).split(";")[0]!.trim(), 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error("the agent's answer has a malformed chunk");
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers (none expected) end with an empty line.
      const trailerEnd = bytes.indexOf(HEADER_END, at - 2);
      if (trailerEnd < 0) return undefined;
      return { body: Buffer.concat(parts).toString("utf8"), end: trailerEnd + HEADER_END.length };
    }
    if (bytes.length < at + size + 2) return undefined;
    parts.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
}
