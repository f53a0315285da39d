import type { IncomingHttpHeaders } from "node:http";
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

  /**
   * Sends any other call, with the stream's id. Its answer (202, or a short error text) is read whole through
   * undici's handler API: no response stream, async iterator or per-request listener on `signal` as `request()`
   * makes, which halves the client's CPU per call (a call per acknowledged update adds up).
   */
  call(
    endpoint: URL,
    body: Uint8Array,
    streamId: string,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      const onAbort = () => controller?.abort(signal.reason as Error);
      signal.addEventListener("abort", onAbort, { once: true });
      const done = () => signal.removeEventListener("abort", onAbort);
      this.#calls.dispatch(
        {
          origin: endpoint.origin,
          path: `${endpoint.pathname}${endpoint.search}`,
          method: "POST",
          headers: { ...this.#headers, "mesos-stream-id": streamId },
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        {
          onRequestStart: (c) => {
            controller = c;
            if (signal.aborted) c.abort(signal.reason as Error);
          },
          onResponseStart: (_c, statusCode, responseHeaders) => {
            status = statusCode;
            headers = responseHeaders;
          },
          onResponseData: (c, chunk) => {
            size += chunk.length;
            if (size > MAX_CALL_RESPONSE_BYTES) {
              c.abort(
                new RangeError(
                  `${endpoint.href} answered a call with more than ${MAX_CALL_RESPONSE_BYTES} bytes`,
                ),
              );
              return;
            }
            chunks.push(chunk);
          },
          onResponseEnd: () => {
            done();
            resolve(bufferedResponse(status, headers, Buffer.concat(chunks, size)));
          },
          onResponseError: (_c, error) => {
            done();
            reject(error);
          },
        },
      );
    });
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

/** The most a call's answer may hold: a 202 is empty and an error a sentence; more means a wrong endpoint. */
const MAX_CALL_RESPONSE_BYTES = 1024 * 1024;

function bufferedResponse(status: number, headers: IncomingHttpHeaders, body: Buffer): HttpResponse {
  return {
    status,
    header: (name) => {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    get body() {
      return (async function* () {
        if (body.length > 0) yield body;
      })();
    },
    text: async () => body.toString("utf8"),
    discard: async () => undefined,
  };
}
