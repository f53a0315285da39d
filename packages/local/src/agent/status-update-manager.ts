import type { TaskState, TaskStatus } from "@satyr/proto";
import { isTerminalState } from "@satyr/proto";

/** Mesos's status update manager retries an unacknowledged update after 10 s, doubling up to 10 min. */
const FIRST_RETRY_MS = 10_000;
const MAX_RETRY_MS = 600_000;

interface UpdateStream {
  readonly frameworkId: string;
  readonly taskId: string;
  readonly pending: TaskStatus[];
  timer: NodeJS.Timeout | undefined;
  retryMs: number;
}

/** Where the manager sends updates and reports acknowledgements. */
export interface StatusUpdateSink {
  forward(frameworkId: string, status: TaskStatus): void;
  acknowledged(frameworkId: string, taskId: string, state: TaskState, terminal: boolean): void;
}

/**
 * The agent's per-task update queue: one update in flight per task until the framework acknowledges it; the
 * next is forwarded right after the acknowledgement; the one in flight is resent with backoff.
 *
 * @example
 * ```ts
 * const manager = new StatusUpdateManager({ forward: (fw, s) => master.forwardUpdate(id, fw, s), acknowledged: () => {} });
 * manager.update("fw", status);
 * manager.acknowledge("fw", "task", status.uuid); // forwards the next queued update, if any
 * ```
 */
export class StatusUpdateManager {
  readonly #sink: StatusUpdateSink;
  readonly #streams = new Map<string, UpdateStream>();

  constructor(sink: StatusUpdateSink) {
    this.#sink = sink;
  }

  update(frameworkId: string, status: TaskStatus): void {
    const taskId = status.taskId?.value ?? "";
    const key = keyOf(frameworkId, taskId);
    let stream = this.#streams.get(key);
    if (stream === undefined) {
      stream = { frameworkId, taskId, pending: [], timer: undefined, retryMs: FIRST_RETRY_MS };
      this.#streams.set(key, stream);
    }
    stream.pending.push(status);
    if (stream.pending.length === 1) this.#forwardHead(stream);
  }

  /** Handles a framework's ACKNOWLEDGE; returns false when the uuid is not the update in flight. */
  acknowledge(frameworkId: string, taskId: string, uuid: Uint8Array): boolean {
    const key = keyOf(frameworkId, taskId);
    const stream = this.#streams.get(key);
    const head = stream?.pending[0];
    if (stream === undefined || head === undefined || !sameBytes(head.uuid, uuid)) return false;
    if (stream.timer !== undefined) clearTimeout(stream.timer);
    stream.timer = undefined;
    stream.pending.shift();
    const terminal = isTerminalState(head.state);
    if (terminal) this.#streams.delete(key);
    this.#sink.acknowledged(frameworkId, taskId, head.state, terminal);
    if (!terminal && stream.pending.length > 0) {
      stream.retryMs = FIRST_RETRY_MS;
      this.#forwardHead(stream);
    }
    return true;
  }

  /** Forwards every in-flight update of a framework again (it just resubscribed). */
  resend(frameworkId: string): void {
    for (const stream of this.#streams.values()) {
      if (stream.frameworkId !== frameworkId || stream.pending.length === 0) continue;
      if (stream.timer !== undefined) clearTimeout(stream.timer);
      this.#forwardHead(stream);
    }
  }

  removeFramework(frameworkId: string): void {
    for (const [key, stream] of this.#streams) {
      if (stream.frameworkId !== frameworkId) continue;
      if (stream.timer !== undefined) clearTimeout(stream.timer);
      this.#streams.delete(key);
    }
  }

  stop(): void {
    for (const stream of this.#streams.values()) if (stream.timer !== undefined) clearTimeout(stream.timer);
    this.#streams.clear();
  }

  #forwardHead(stream: UpdateStream): void {
    const head = stream.pending[0];
    if (head === undefined) return;
    this.#sink.forward(stream.frameworkId, head);
    stream.timer = setTimeout(() => {
      stream.retryMs = Math.min(stream.retryMs * 2, MAX_RETRY_MS);
      this.#forwardHead(stream);
    }, stream.retryMs);
    stream.timer.unref();
  }
}

function keyOf(frameworkId: string, taskId: string): string {
  return `${frameworkId}\u0000${taskId}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
