import type { ServerResponse } from "node:http";
import { encodeRecord, type MessageCodec } from "@satyr/proto";

/**
 * One long-lived RecordIO response (a scheduler's or an executor's subscription): `200`, chunked, the codec's
 * exact Content-Type, then one record per event. Knows when the client went away.
 *
 * @example
 * ```ts
 * const stream = new EventStream(res, schedulerCodecs("json").event, { "Mesos-Stream-Id": id });
 * stream.send(event);
 * stream.onClose(() => console.log("client gone"));
 * ```
 */
export class EventStream<E> {
  readonly #res: ServerResponse;
  readonly #codec: MessageCodec<E>;
  readonly #listeners: (() => void)[] = [];
  #closed = false;
  #corked = false;

  constructor(res: ServerResponse, codec: MessageCodec<E>, headers: Record<string, string> = {}) {
    this.#res = res;
    this.#codec = codec;
    res.writeHead(200, { ...headers, "Content-Type": codec.contentType });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.on("close", () => this.#markClosed());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one event; returns false (and does nothing) once the stream is closed. */
  send(event: E): boolean {
    if (this.#closed) return false;
    // Events produced in the same turn of the event loop leave in one write: under load the updates of many
    // calls handled in one poll phase share a syscall (and a wake-up of the reader) instead of one each.
    if (!this.#corked) {
      this.#corked = true;
      this.#res.cork();
      setImmediate(() => {
        this.#corked = false;
        this.#res.uncork();
      });
    }
    this.#res.write(encodeRecord(this.#codec.encode(event)));
    return true;
  }

  /** Ends the response (the client sees the stream end). */
  end(): void {
    if (this.#closed) return;
    this.#res.end();
    this.#markClosed();
  }

  /** Ends the stream by dropping the connection, as a crashed or restarted server would. */
  destroy(): void {
    if (this.#closed) return;
    this.#res.destroy();
    this.#markClosed();
  }

  /** Calls `listener` once when the stream closes for any reason (immediately if it already has). */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#listeners.push(listener);
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#listeners.splice(0)) listener();
  }
}
