import {
  type CallOutcome,
  decodeTaskPayload,
  decodeTaskResult,
  encodeTaskPayload,
  type FunctionRef,
  type TaskInfo,
  TaskState,
  type TaskStatus,
} from "@satyr/proto";
import { InvalidTaskError } from "../errors/invalid-task-error.js";
import { RemoteTaskError } from "../errors/remote-task-error.js";
import { cpus, mem } from "../resources/factories.js";
import { Resources } from "../resources/resources.js";
import { type ExecutorOptions, executorSpec } from "./executor-spec.js";
import {
  type ExecutorSpec,
  type Settlement,
  TASK_LABELS,
  Task,
  type TaskInfoContext,
  type TaskInfoParts,
  type TaskOptions,
  taskOptionsOf,
} from "./task.js";

/**
 * A function the executor imports: `export` of `module` (a URL or a specifier the executor can resolve).
 *
 * @example
 * ```ts
 * const sha256: ModuleFunction = { module: new URL("./digest.js", import.meta.url), export: "sha256" };
 * const digest = await scheduler.submit(new FunctionTask<string>({ fn: sha256, args: ["satyr"] }));
 * ```
 */
export interface ModuleFunction {
  readonly module: string | URL;
  /** Default `"default"`. */
  readonly export?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a shipped function may take any arguments.
type AnyFunction<T> = (...args: any[]) => T | PromiseLike<T>;

/**
 * The function of a {@link FunctionTask}: a self-contained function value, a module export, or a raw ref.
 *
 * @example
 * ```ts
 * const inline: FunctionInput<number> = (a: number, b: number) => a + b;
 * const fromModule: FunctionInput<number> = { module: "my-lib/math", export: "add" };
 * new FunctionTask({ fn: inline, args: [1, 2] });
 * ```
 */
export type FunctionInput<T> = AnyFunction<T> | ModuleFunction | FunctionRef;

/**
 * Options of a single-call {@link FunctionTask}.
 *
 * @example
 * ```ts
 * const options: FunctionTaskOptions<number> = {
 *   name: "sum",
 *   fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
 *   args: [[1, 2, 3]],
 *   resources: [cpus(0.5), mem(256)],
 * };
 * const total = await scheduler.submit(new FunctionTask(options)); // 6
 * ```
 */
export interface FunctionTaskOptions<T> extends TaskOptions {
  /**
   * A function value is shipped as its source text and rebuilt on the executor, so it must be self-contained
   * (no captured variables, no imports); use a {@link ModuleFunction} for real code.
   */
  readonly fn: FunctionInput<T>;
  /** The arguments of the one call (default none). */
  readonly args?: readonly unknown[];
  /** How the executor is started (default: the installed satyr-executor). */
  readonly executor?: ExecutorOptions;
}

/**
 * Options of a chunk {@link FunctionTask}: several calls run in order by one task.
 *
 * @example
 * ```ts
 * const options: FunctionChunkOptions<number> = { fn: (x: number) => x * x, calls: [[1], [2], [3]] };
 * const results = await scheduler.submit(FunctionTask.chunk(options));
 * ```
 */
export interface FunctionChunkOptions<T> extends Omit<FunctionTaskOptions<T>, "args"> {
  /** One argument list per call. */
  readonly calls: readonly (readonly unknown[])[];
}

/**
 * One call's outcome in a chunk: its value, or the remote exception.
 *
 * @example
 * ```ts
 * const results: CallResult<number>[] = await scheduler.submit(
 *   FunctionTask.chunk({ fn: (x: number) => { if (x < 0) throw new RangeError("negative"); return Math.sqrt(x); },
 *     calls: [[4], [-1]] }),
 * );
 * for (const r of results) console.log(r.ok ? r.value : `${r.error.remoteName}: ${r.error.message}`);
 * // 2, then "RangeError: negative"
 * ```
 */
export type CallResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: RemoteTaskError };

const DEFAULT_RESOURCES = Resources.of(cpus(0.1), mem(128));
const sourceRefs = new WeakMap<object, FunctionRef>();

/**
 * A JavaScript function run by `satyr-executor` on an agent: the function (its source, or a module reference)
 * and the arguments travel in `TaskInfo.data`, the value comes back in `TaskStatus.data`. A single-call task
 * resolves with the function's value and rejects with a {@link RemoteTaskError} when it throws; a chunk task
 * ({@link FunctionTask.chunk}) resolves with one {@link CallResult} per call. Tasks with the same executor
 * options share one running executor per agent.
 *
 * @example
 * ```ts
 * const task = new FunctionTask({ name: "satyr-task", fn: (xs: number[]) => xs.reduce((a, b) => a + b, 0),
 *   args: [[0, 1, 2, 3]], resources: [cpus(0.1), mem(128), disk(512)] });
 * await scheduler.submit(task); // 6
 * ```
 */
export class FunctionTask<T = unknown> extends Task<T> {
  static override readonly kind: string = "function";
  /** The function reference as shipped. */
  readonly fn: FunctionRef;
  /** The argument lists, one per call. */
  readonly calls: readonly (readonly unknown[])[];
  /** True for a chunk task (resolves with per-call results). */
  readonly isChunk: boolean;
  readonly #data: Uint8Array;
  readonly #executor: ExecutorSpec;

  constructor(options: FunctionTaskOptions<T>);
  /** @internal used by {@link FunctionTask.chunk}. */
  constructor(options: FunctionChunkOptions<unknown>, chunk: true);
  constructor(options: FunctionTaskOptions<T> | FunctionChunkOptions<unknown>, chunk?: true) {
    super({ ...taskOptionsOf(options), resources: options.resources ?? DEFAULT_RESOURCES });
    this.fn = functionRef(options.fn);
    this.isChunk = chunk === true;
    if (this.isChunk) {
      const calls = (options as FunctionChunkOptions<unknown>).calls;
      if (!Array.isArray(calls) || calls.some((c) => !Array.isArray(c))) {
        throw new InvalidTaskError("calls", "calls must be an array of argument arrays");
      }
      this.calls = calls;
    } else {
      if ("calls" in options)
        throw new InvalidTaskError("calls", "use FunctionTask.chunk() for several calls");
      const args = (options as FunctionTaskOptions<T>).args ?? [];
      if (!Array.isArray(args)) throw new InvalidTaskError("args", "args must be an array of arguments");
      this.calls = [args];
    }
    try {
      // Encoded once, up front: an argument the payload cannot carry fails here, not on some later offer.
      this.#data = encodeTaskPayload({ fn: this.fn, calls: this.calls });
    } catch (cause) {
      throw new InvalidTaskError(
        "args",
        `task ${this.id}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    this.#executor = executorSpec(options.executor);
  }

  /**
   * A chunk task: runs `calls` in order in one task and resolves with each call's {@link CallResult} (a call that
   * throws does not fail the others).
   *
   * @example
   * ```ts
   * const results = await scheduler.submit(FunctionTask.chunk({ fn: (x: number) => 1 / x, calls: [[1], [2]] }));
   * results.map((r) => (r.ok ? r.value : r.error.message)); // [1, 0.5]
   * ```
   */
  static chunk<V>(options: FunctionChunkOptions<V>): FunctionTask<CallResult<V>[]> {
    return new FunctionTask(options as FunctionChunkOptions<unknown>, true) as unknown as FunctionTask<
      CallResult<V>[]
    >;
  }

  /**
   * Rebuilds a FunctionTask from a TaskInfo it produced (used by `decodeTask`).
   *
   * @example
   * ```ts
   * const task = FunctionTask.fromTaskInfo(info);
   * ```
   */
  static fromTaskInfo(info: TaskInfo): FunctionTask<unknown> {
    const payload = decodeTaskPayload(info.data);
    const id = info.labels?.labels.find((l) => l.key === TASK_LABELS.task)?.value ?? info.taskId?.value;
    const clean = {
      ...(id === undefined ? {} : { id }),
      name: info.name,
      resources: Resources.fromProtos(info.resources),
    };
    return payload.calls.length === 1
      ? new FunctionTask({ ...clean, fn: payload.fn, args: payload.calls[0] ?? [] })
      : new FunctionTask({ ...clean, fn: payload.fn, calls: payload.calls }, true);
  }

  override executor(): ExecutorSpec {
    return this.#executor;
  }

  protected override buildTaskInfo(context: TaskInfoContext): TaskInfoParts {
    return { executor: context.executor ?? this.#executor.info, data: this.#data };
  }

  override settle(status: TaskStatus, killRequested: boolean): Settlement<T> {
    const carriesResult =
      (status.state === TaskState.TASK_FINISHED || status.state === TaskState.TASK_FAILED) &&
      status.data.length > 0;
    if (!carriesResult) {
      if (status.state === TaskState.TASK_FINISHED) {
        return { kind: "reject", error: this.failure(status, "finished without a result: ") };
      }
      return super.settle(status, killRequested);
    }
    let outcomes: readonly CallOutcome[];
    try {
      outcomes = decodeTaskResult(status.data).outcomes;
    } catch (cause) {
      const error = this.failure(status, "undecodable result: ");
      return { kind: "reject", error: Object.assign(error, { cause }) };
    }
    const where = {
      taskId: status.taskId?.value ?? this.taskId,
      ...(status.agentId ? { agentId: status.agentId.value } : {}),
    };
    const results: CallResult<unknown>[] = outcomes.map((o) =>
      o.ok ? { ok: true, value: o.value } : { ok: false, error: RemoteTaskError.fromData(o.error, where) },
    );
    if (this.isChunk) return { kind: "resolve", value: results as T };
    const first = results[0];
    if (first === undefined) return { kind: "reject", error: this.failure(status, "no call outcome: ") };
    return first.ok ? { kind: "resolve", value: first.value as T } : { kind: "reject", error: first.error };
  }
}

/**
 * The payload's function reference for a function value or a module export. Native and bound functions have
 * no usable source and are refused.
 *
 * @example
 * ```ts
 * functionRef((a: number, b: number) => a + b); // { kind: "source", source: "(a, b) => a + b" }
 * functionRef({ module: new URL("./work.js", import.meta.url), export: "work" });
 * ```
 */
export function functionRef<T>(fn: FunctionInput<T>): FunctionRef {
  if (typeof fn === "function") {
    // Pools submit the same function thousands of times: its source is read once.
    const known = sourceRefs.get(fn);
    if (known !== undefined) return known;
    const source = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new InvalidTaskError(
        "fn",
        `fn ${fn.name || "(anonymous)"} is native or bound and has no source to ship; wrap it: (...a) => ${fn.name || "f"}(...a), or use { module, export }`,
      );
    }
    const ref: FunctionRef =
      fn.name === "" ? { kind: "source", source } : { kind: "source", source, name: fn.name };
    sourceRefs.set(fn, ref);
    return ref;
  }
  if (typeof fn === "object" && fn !== null) {
    if ("kind" in fn) return fn;
    if ("module" in fn) {
      const module = fn.module instanceof URL ? fn.module.href : fn.module;
      if (typeof module !== "string" || module === "")
        throw new InvalidTaskError("fn", "fn.module must be a URL or a module specifier");
      return { kind: "module", module, export: fn.export ?? "default" };
    }
  }
  throw new InvalidTaskError("fn", `fn must be a function or { module, export }, got ${typeof fn}`);
}
