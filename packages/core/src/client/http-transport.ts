import { Agent, type Dispatcher, request } from "undici";
import type { NormalizedOptions } from "./connect-options.js";

/**
 * The response of one POST: status, lower-cased headers, and the body as a byte stream read with backpressure.
 *
 * @example
 * ```ts
 * const response = await transport.call(url, body, streamId, signal);
 * if (response.status !== 202) console.error(await response.text());
 * ```
 */
export interface HttpResponse {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  /** Discards the body and frees the connection. */
  discard(): Promise<void>;
}

/**
 * The two HTTP transports the scheduler API needs: a dedicated agent for the long-lived SUBSCRIBE stream (its
 * response never ends, so it must not share a connection pool), and a pooled keep-alive agent for calls.
 *
 * @example
 * ```ts
 * const transport = new HttpTransport(options);
 * const stream = await transport.subscribe(endpoint, body, signal);
 * await transport.close();
 * ```
 */
export class HttpTransport {
  readonly #stream: Agent;
  readonly #calls: Agent;
  readonly #headers: Record<string, string>;

  constructor(options: Pick<NormalizedOptions, "tls" | "authorization" | "codec"> & { contentType: string }) {
    const connect =
      options.tls === undefined
        ? undefined
        : {
            rejectUnauthorized: options.tls.rejectUnauthorized,
            ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca }),
          };
    // Heartbeats, not socket timeouts, decide when a silent stream is dead.
    this.#stream = new Agent({
      connections: 1,
      pipelining: 0,
      bodyTimeout: 0,
      ...(connect ? { connect } : {}),
    });
    this.#calls = new Agent({ connections: 8, pipelining: 1, ...(connect ? { connect } : {}) });
    this.#headers = {
      "content-type": options.contentType,
      accept: options.contentType,
      ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
    };
  }

  /** Opens a SUBSCRIBE request; never carries a Mesos-Stream-Id (the master refuses one with 400). */
  subscribe(
    endpoint: URL,
    body: Uint8Array,
    signal: AbortSignal,
    headersTimeoutMs: number,
  ): Promise<HttpResponse> {
    return this.#post(this.#stream, endpoint, body, { ...this.#headers }, signal, headersTimeoutMs, 0);
  }

  /** Sends any other call, with the stream's id. */
  call(
    endpoint: URL,
    body: Uint8Array,
    streamId: string,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<HttpResponse> {
    return this.#post(
      this.#calls,
      endpoint,
      body,
      { ...this.#headers, "mesos-stream-id": streamId },
      signal,
      timeoutMs,
      timeoutMs,
    );
  }

  async #post(
    dispatcher: Dispatcher,
    endpoint: URL,
    body: Uint8Array,
    headers: Record<string, string>,
    signal: AbortSignal,
    headersTimeout: number,
    bodyTimeout: number,
  ): Promise<HttpResponse> {
    const response = await request(endpoint, {
      method: "POST",
      dispatcher,
      headers,
      body,
      signal,
      headersTimeout,
      bodyTimeout,
    });
    const raw = response.headers;
    return {
      status: response.statusCode,
      header: (name) => {
        const value = raw[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
      body: response.body,
      text: () => response.body.text(),
      discard: async () => {
        await response.body.dump().catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#stream.destroy(), this.#calls.destroy()]);
  }
}
