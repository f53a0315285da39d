import { Observable } from "rxjs";
import { CancelledError, TimeoutError } from "../errors/index.js";
import type { ChunkOutcome, PoolResources } from "./chunk-runner.js";
import { defaultChunksize, type MapProgress } from "./map-progress.js";
import { PoolArgumentError } from "./pool-errors.js";
import type { PoolTask, PoolTaskPhase } from "./pool-task.js";
import { checkTimeout, toError } from "./pool-util.js";
import { reportCallbackError } from "./report-callback-error.js";

/**
 * Options of a map-style call ({@link FunctionPool.map}).
 *
 * @example
 * ```ts
 * const options: MapRunOptions = { chunksize: 50, buffersize: 8, ordered: false, onProgress: console.log };
 * ```
 */
export interface MapRunOptions {
  /**
   * Calls per cluster task. Default: when the input is an array, Python's `Pool.map` rule
   * `ceil(n / (4 × maxConcurrency))`; otherwise 1.
   */
  readonly chunksize?: number | undefined;
  /** The most tasks submitted ahead of the consumer; input is read lazily within it. Default: no bound. */
  readonly buffersize?: number | undefined;
  /** Results in input order (default) or in completion order (`false`, like `imap_unordered`). */
  readonly ordered?: boolean | undefined;
  /** A deadline for the whole map, from the call: a result not ready by then raises a `TimeoutError`. */
  readonly timeoutMs?: number | undefined;
  /** Fails a task with a `TimeoutError` this long after it started running. */
  readonly taskTimeoutMs?: number | undefined;
  readonly resources?: PoolResources | undefined;
  /** Task name of every chunk. */
  readonly name?: string | undefined;
  /** Cancels the whole map (kills its tasks) when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Called on every change of the counts. */
  readonly onProgress?: ((progress: MapProgress) => void) | undefined;
}

/**
 * How a {@link MapRun} hands a chunk to its pool (bypassing the pool's "closed" check: a map started before
 * `close()` keeps feeding, as in Python).
 * @internal
 */
export type ChunkSubmitter = (
  calls: readonly (readonly unknown[])[],
  options: {
    resources?: PoolResources | undefined;
    timeoutMs?: number | undefined;
    name?: string | undefined;
  },
) => PoolTask;

interface Entry {
  readonly task: PoolTask;
  readonly start: number;
  consumed: boolean;
}

/**
 * A map in progress: an async iterable of its results (single consumer) with progress counts. Breaking out of
 * the iteration, an item that threw (after the items before it were yielded), `cancel()`, the map's `signal`
 * or its deadline all cancel the tasks still outstanding — running ones are killed.
 *
 * @example
 * ```ts
 * const run = pool.map((x: number) => x * x, [[1], [2], [3]], { chunksize: 2 });
 * run.progress$.subscribe((p) => console.log(p.done, "/", p.total));
 * for await (const value of run) console.log(value); // 1, 4, 9
 * ```
 */
export class MapRun<T> implements AsyncIterable<T> {
  readonly #submit: ChunkSubmitter;
  readonly #ordered: boolean;
  readonly #chunksize: number;
  readonly #buffersize: number;
  readonly #options: MapRunOptions;
  readonly #entries: Entry[] = [];
  #head = 0;
  #consumed = 0;
  readonly #completed: Entry[] = [];
  #completedHead = 0;
  #truncated: Error | undefined;
  #out: ChunkOutcome[] = [];
  #outIndex = 0;
  #inputDone = false;
  #failure: Error | undefined;
  #failureThrown = false;
  #claimed = false;
  #deadline: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #counts = { submitted: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  #total: number | undefined;
  readonly #listeners = new Set<(progress: MapProgress) => void>();
  readonly #ended: Promise<void>;
  #resolveEnded!: () => void;
  readonly #detachSignal: () => void;

  /** @internal Created by {@link FunctionPool.map}. */
  constructor(
    submit: ChunkSubmitter,
    input: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
    options: MapRunOptions,
    workers: number,
  ) {
    this.#submit = submit;
    this.#options = options;
    this.#ordered = options.ordered ?? true;
    const { chunksize, buffersize } = options;
    if (chunksize !== undefined && (!Number.isInteger(chunksize) || chunksize < 1)) {
      throw new PoolArgumentError("chunksize", `must be an integer ≥ 1, got ${String(chunksize)}`);
    }
    if (buffersize !== undefined && (!Number.isInteger(buffersize) || buffersize < 1)) {
      throw new PoolArgumentError("buffersize", `must be an integer ≥ 1, got ${String(buffersize)}`);
    }
    const timeoutMs = checkTimeout(options.timeoutMs, "timeout");
    checkTimeout(options.taskTimeoutMs, "taskTimeoutMs");
    if (!isIterable(input)) {
      throw new PoolArgumentError("iterable", `expected an iterable or async iterable, got ${typeof input}`);
    }
    this.#chunksize = chunksize ?? (Array.isArray(input) ? defaultChunksize(input.length, workers) : 1);
    this.#buffersize = buffersize ?? Number.POSITIVE_INFINITY;
    if (Array.isArray(input)) this.#total = input.length;
    this.#ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    const { signal } = options;
    if (signal?.aborted) {
      this.#detachSignal = () => {};
      this.#inputDone = true;
      this.#fail(new CancelledError("the map (its signal was aborted)", { cause: signal.reason }));
      this.#checkEnded();
      return;
    }
    const onAbort = () =>
      this.cancel(new CancelledError("the map (its signal was aborted)", { cause: signal?.reason }));
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#detachSignal = () => signal?.removeEventListener("abort", onAbort);
    if (timeoutMs !== undefined) {
      this.#deadline = setTimeout(() => {
        this.#stopAll(new TimeoutError("the map", timeoutMs));
      }, timeoutMs);
    }
    void this.#pump(input);
  }

  /** The chunk size in use. */
  get chunksize(): number {
    return this.#chunksize;
  }

  /** A snapshot of the counts. */
  get progress(): MapProgress {
    return { ...this.#counts, total: this.#total };
  }

  /**
   * The counts as a cold Observable: emits the current snapshot on subscription, then every change, and
   * completes when every task of the map has settled.
   */
  get progress$(): Observable<MapProgress> {
    return new Observable<MapProgress>((subscriber) => {
      subscriber.next(this.progress);
      if (this.#isEnded()) {
        subscriber.complete();
        return undefined;
      }
      const listener = (progress: MapProgress) => subscriber.next(progress);
      this.#listeners.add(listener);
      this.#ended.then(() => subscriber.complete());
      return () => this.#listeners.delete(listener);
    });
  }

  /** Resolves once input is read and every task has settled (whether consumed or not). */
  ended(): Promise<void> {
    return this.#ended;
  }

  /** Cancels the map: stops reading input and cancels every outstanding task (killing running ones). */
  cancel(reason: Error = new CancelledError("the map")): void {
    this.#stopAll(reason);
  }

  /**
   * Stops reading input (already submitted tasks go on). Used when the pool is shut down with cancellation.
   * @internal
   */
  stopInput(reason: Error): void {
    if (this.#inputDone) return;
    this.#inputDone = true;
    if (this.#total === undefined) this.#total = this.#counts.submitted;
    this.#truncated = reason;
    this.#notify();
    this.#checkEnded();
  }

  /**
   * Collects every result into an array in input order (Python's `map_async().get()`): rejects with the first
   * error in completion order and cancels the rest. Takes the place of iteration (single consumer).
   */
  async collect(): Promise<T[]> {
    this.#claim();
    const values: unknown[] = [];
    for (;;) {
      const entry = this.#nextCompleted();
      if (entry !== undefined) {
        this.#consume(entry);
        const { outcomes } = entry.task;
        if (outcomes === undefined) throw this.#failWith(entry.task.error!);
        for (const [i, outcome] of outcomes.entries()) {
          if (!outcome.ok) throw this.#failWith(outcome.error);
          values[entry.start + i] = outcome.value;
        }
        continue;
      }
      if (this.#failure !== undefined) throw this.#failWith(this.#failure);
      if (this.#inputDone && this.#head >= this.#entries.length) {
        if (this.#truncated !== undefined) throw this.#failWith(this.#truncated);
        break;
      }
      await this.#changed();
    }
    this.#finish();
    return values as T[];
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.#claim();
    return {
      next: () => this.#next(),
      return: async () => {
        this.#stopAll(new CancelledError("the rest of the map (the consumer stopped iterating)"));
        this.#failureThrown = true;
        return { done: true, value: undefined };
      },
    };
  }

  async #next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#outIndex < this.#out.length) {
        const outcome = this.#out[this.#outIndex++]!;
        if (outcome.ok) return { done: false, value: outcome.value as T };
        throw this.#failWith(outcome.error);
      }
      if (this.#failureThrown) return { done: true, value: undefined };
      const entry = this.#ordered ? this.#headEntry() : this.#nextCompleted();
      if (entry?.task.settled) {
        this.#consume(entry);
        const { outcomes } = entry.task;
        if (outcomes === undefined) throw this.#failWith(entry.task.error!);
        this.#out = outcomes.slice();
        this.#outIndex = 0;
        continue;
      }
      if (this.#failure !== undefined) throw this.#failWith(this.#failure);
      if (this.#inputDone && this.#head >= this.#entries.length) {
        if (this.#truncated !== undefined) throw this.#failWith(this.#truncated);
        this.#finish();
        return { done: true, value: undefined };
      }
      await this.#changed();
    }
  }

  #claim(): void {
    if (this.#claimed) {
      throw new PoolArgumentError(
        "map",
        "a map's results can be consumed once (one iteration or one collect)",
      );
    }
    this.#claimed = true;
  }

  #headEntry(): Entry | undefined {
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.consumed) this.#head++;
    return this.#entries[this.#head];
  }

  #nextCompleted(): Entry | undefined {
    while (this.#completedHead < this.#completed.length && this.#completed[this.#completedHead]!.consumed) {
      this.#completedHead++;
    }
    return this.#completed[this.#completedHead];
  }

  #consume(entry: Entry): void {
    entry.consumed = true;
    this.#consumed++;
    this.#headEntry();
    this.#notify();
  }

  /** Records the run's failure (first one wins), cancels what is outstanding, returns the error to throw. */
  #failWith(error: Error): Error {
    this.#stopAll(error);
    this.#failureThrown = true;
    this.#finish();
    return this.#failure ?? error;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#notify();
  }

  #stopAll(reason: Error): void {
    this.#fail(reason);
    this.#inputDone = true;
    if (this.#total === undefined) this.#total = this.#counts.submitted;
    for (let i = this.#head; i < this.#entries.length; i++) {
      const { task } = this.#entries[i]!;
      if (task.settled) continue;
      if (reason.name === "TimeoutError") task.abort(reason, "cancelled");
      else task.cancel(reason);
    }
    this.#checkEnded();
  }

  #finish(): void {
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#detachSignal();
  }

  async #pump(input: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>): Promise<void> {
    let chunk: (readonly unknown[])[] = [];
    let index = 0;
    try {
      if (Symbol.asyncIterator in input) {
        for await (const args of input) {
          if (this.#inputDone) break;
          chunk.push(checkArgs(args, index++));
          if (chunk.length === this.#chunksize) {
            await this.#submitChunk(chunk);
            chunk = [];
          }
        }
      } else {
        for (const args of input) {
          if (this.#inputDone) break;
          chunk.push(checkArgs(args, index++));
          if (chunk.length === this.#chunksize) {
            await this.#submitChunk(chunk);
            chunk = [];
          }
        }
      }
      if (chunk.length > 0 && !this.#inputDone) await this.#submitChunk(chunk);
    } catch (error) {
      this.#fail(toError(error));
    }
    if (!this.#inputDone) {
      this.#inputDone = true;
      this.#total = this.#counts.submitted;
      this.#emit();
    }
    this.#notify();
    this.#checkEnded();
  }

  async #submitChunk(calls: readonly (readonly unknown[])[]): Promise<void> {
    // Windowed: wait until fewer than `buffersize` tasks are ahead of the consumer.
    while (this.#entries.length - this.#consumed >= this.#buffersize && !this.#inputDone) {
      await this.#changed();
    }
    if (this.#inputDone) return;
    const start = this.#counts.submitted;
    const task = this.#submit(calls, {
      resources: this.#options.resources,
      timeoutMs: this.#options.taskTimeoutMs,
      name: this.#options.name,
    });
    const entry: Entry = { task, start, consumed: false };
    this.#entries.push(entry);
    this.#counts.submitted += calls.length;
    this.#track(entry);
    this.#emit();
  }

  #track(entry: Entry): void {
    const size = entry.task.size;
    const onPhase = (task: PoolTask, previous: PoolTaskPhase) => {
      const counts = this.#counts;
      if (task.phase === "running") counts.running += size;
      if (previous === "running") counts.running -= size;
      if (task.settled) {
        if (task.phase === "finished") {
          for (const outcome of task.outcomes!) {
            if (outcome.ok) counts.done++;
            else counts.failed++;
          }
        } else if (task.phase === "cancelled") {
          counts.cancelled += size;
        } else {
          counts.failed += size;
        }
        this.#completed.push(entry);
        this.#notify();
        this.#checkEnded();
      }
      this.#emit();
    };
    if (entry.task.settled) onPhase(entry.task, "queued");
    else entry.task.onPhase(onPhase);
  }

  #isEnded(): boolean {
    return this.#inputDone && this.#completed.length === this.#entries.length;
  }

  #checkEnded(): void {
    if (this.#isEnded()) {
      this.#resolveEnded();
      if (this.#failure !== undefined || this.#failureThrown) this.#finish();
    }
  }

  #emit(): void {
    const { onProgress } = this.#options;
    // Snapshots cost an allocation per change: only make them when someone listens.
    if (onProgress === undefined && this.#listeners.size === 0) return;
    const progress = this.progress;
    if (onProgress !== undefined) {
      try {
        onProgress(progress);
      } catch (error) {
        reportCallbackError(error, "onProgress callback");
      }
    }
    for (const listener of this.#listeners) listener(progress);
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.#wake;
      this.#wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof value === "object" && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value)
  );
}

function checkArgs(args: unknown, index: number): readonly unknown[] {
  if (!Array.isArray(args)) {
    throw new PoolArgumentError(
      `iterable[${index}]`,
      `an argument list must be an array, got ${typeof args}`,
    );
  }
  return args;
}
