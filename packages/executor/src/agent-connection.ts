import http from "node:http";
import https from "node:https";
import { type ApiCodecs, type CodecName, type executor, executorCodecs, readRecords } from "@satyr/proto";
import { type CallAnswer, CallChannel } from "./call-channel.js";
import { AgentCallError, AgentConnectionError } from "./errors/index.js";

/**
 * How to reach the agent's executor API.
 *
 * @example
 * ```ts
 * const options: AgentConnectionOptions = { endpoint: "127.0.0.1:5051", codec: "protobuf" };
 * ```
 */
export interface AgentConnectionOptions {
  /** `host:port`, as in `MESOS_AGENT_ENDPOINT`. */
  readonly endpoint: string;
  readonly codec: CodecName;
  readonly ssl?: boolean;
  /** Unix socket path (`MESOS_DOMAIN_SOCKET`); the endpoint then only names the Host header. */
  readonly domainSocket?: string | undefined;
  /** Bearer token (`MESOS_EXECUTOR_AUTHENTICATION_TOKEN`). */
  readonly authenticationToken?: string | undefined;
  /** Bound on each non-SUBSCRIBE call (default 30 s). */
  readonly callTimeoutMs?: number;
}

const PATH = "/api/v1/executor";
const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** The agent sends HEARTBEATs only every 30 min; TCP keep-alive notices a vanished agent host much sooner. */
const STREAM_KEEPALIVE_MS = 10_000;

/**
 * The HTTP side of `/api/v1/executor`: one long-lived SUBSCRIBE response streaming RecordIO events, on a node:http
 * connection of its own, and short calls (UPDATE, MESSAGE) pipelined over one keep-alive connection (a
 * `CallChannel`). Every task makes a call or two, so those calls are the executor's hot path: the calls of one
 * turn of the event loop go out in one write, and answers (a bare 202) are read with little work per call. No
 * `Mesos-Stream-Id`: the executor API has none.
 *
 * @example
 * ```ts
 * const connection = new AgentConnection({ endpoint: "127.0.0.1:5051", codec: "protobuf" });
 * for await (const event of await connection.subscribe(subscribeCall, signal)) handle(event);
 * ```
 */
export class AgentConnection {
  readonly codecs: ApiCodecs<executor.Call, executor.Event>;
  readonly #options: AgentConnectionOptions;
  readonly #calls: CallChannel;
  readonly #transport: typeof http | typeof https;

  constructor(options: AgentConnectionOptions) {
    this.#options = options;
    this.codecs = executorCodecs(options.codec);
    this.#transport = options.ssl ? https : http;
    const headers: Record<string, string> = {
      "Content-Type": this.codecs.contentType,
      Accept: this.codecs.contentType,
    };
    if (options.authenticationToken !== undefined) {
      headers.Authorization = `Bearer ${options.authenticationToken}`;
    }
    const [host, port] = splitEndpoint(options.endpoint);
    this.#calls = new CallChannel({
      host,
      port,
      socketPath: options.domainSocket,
      ssl: options.ssl ?? false,
      path: PATH,
      hostHeader: options.endpoint,
      headers,
      timeoutMs: options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    });
  }

  /** Where calls go, for messages. */
  get url(): string {
    return `${this.#options.ssl ? "https" : "http"}://${this.#options.endpoint}${PATH}`;
  }

  /**
   * Sends SUBSCRIBE and resolves, once the agent answered 200, with the decoded event stream. The stream ends
   * when the agent closes it and throws when the connection breaks; aborting `signal` closes it.
   * @throws {@link AgentCallError} on a non-200 answer, {@link AgentConnectionError} if the agent is unreachable.
   */
  subscribe(
    call: executor.Call,
    signal: AbortSignal,
  ): Promise<AsyncGenerator<executor.Event, void, undefined>> {
    const body = this.codecs.call.encode(call);
    return new Promise((resolve, reject) => {
      // A connection of its own: the stream holds it for the executor's life, outside the call agent's sockets.
      const request = this.#request(
        false,
        (response) => {
          if (response.statusCode !== 200) {
            readBody(response).then(
              (text) => reject(new AgentCallError(response.statusCode ?? 0, text, "SUBSCRIBE")),
              (cause) => reject(this.#connectionError("reading the SUBSCRIBE answer", cause)),
            );
            return;
          }
          const contentType = response.headers["content-type"];
          if (contentType !== this.codecs.contentType) {
            response.destroy();
            reject(
              new AgentConnectionError(
                `the agent answered SUBSCRIBE with Content-Type ${JSON.stringify(contentType)}, expected ${this.codecs.contentType}`,
              ),
            );
            return;
          }
          response.socket.setKeepAlive(true, STREAM_KEEPALIVE_MS);
          resolve(this.#events(response));
        },
        signal,
      );
      request.on("error", (cause) => reject(this.#connectionError("SUBSCRIBE", cause)));
      request.end(body);
    });
  }

  /**
   * Sends one call and resolves when the agent accepted it (202; 200 is taken as well).
   * @throws {@link AgentCallError} on another status, {@link AgentConnectionError} on a network failure, a broken
   * answer or no complete answer within the call timeout.
   */
  async call(call: executor.Call, what: string): Promise<void> {
    const body = this.codecs.call.encode(call);
    let answer: CallAnswer;
    try {
      answer = await this.#calls.post(body);
    } catch (cause) {
      throw this.#connectionError(what, cause);
    }
    if (answer.status !== 202 && answer.status !== 200) {
      throw new AgentCallError(answer.status, answer.body.trim(), what);
    }
  }

  /** Closes the call connections; calls in flight fail. The SUBSCRIBE stream is closed through its signal. */
  async close(): Promise<void> {
    this.#calls.close();
  }

  #request(
    agent: http.Agent | false,
    onResponse: (response: http.IncomingMessage) => void,
    signal?: AbortSignal,
  ): http.ClientRequest {
    const [host, port] = splitEndpoint(this.#options.endpoint);
    const headers: Record<string, string> = {
      "Content-Type": this.codecs.contentType,
      Accept: this.codecs.contentType,
    };
    if (this.#options.authenticationToken !== undefined) {
      headers.Authorization = `Bearer ${this.#options.authenticationToken}`;
    }
    const options: https.RequestOptions = { method: "POST", path: PATH, headers, agent };
    if (signal !== undefined) options.signal = signal;
    if (this.#options.domainSocket !== undefined) {
      options.socketPath = this.#options.domainSocket;
      headers.Host = this.#options.endpoint;
    } else {
      options.host = host;
      options.port = port;
    }
    return this.#transport.request(options, onResponse);
  }

  async *#events(response: http.IncomingMessage): AsyncGenerator<executor.Event, void, undefined> {
    try {
      for await (const record of readRecords(response)) yield this.codecs.event.decode(record);
    } finally {
      response.destroy();
    }
  }

  #connectionError(what: string, cause: unknown, reason = errorText(cause)): AgentConnectionError {
    return new AgentConnectionError(`${what} to the agent at ${this.url} failed: ${reason}`, { cause });
  }
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function splitEndpoint(endpoint: string): [string, number] {
  const colon = endpoint.lastIndexOf(":");
  const host = endpoint.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return [host, Number(endpoint.slice(colon + 1))];
}

async function readBody(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}
