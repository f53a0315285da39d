import { packWire, toWire, unpackWire } from "./msgpack-values.js";
import { PayloadError } from "./payload-error.js";
import type { RemoteErrorData } from "./remote-error.js";

/**
 * Version of the task payload format, written after the magic of every payload and result. A reader refuses
 * any other version with a {@link PayloadError} of code `"version"`, so a scheduler and an executor from
 * incompatible releases fail loudly instead of misreading each other.
 *
 * @example
 * ```ts
 * console.log(`satyr task payload v${PAYLOAD_VERSION}`);
 * ```
 */
export const PAYLOAD_VERSION: number = 1;

/**
 * The function a task runs: its source text (a self-contained function: no captured variables, no imports),
 * or a module to import and the name of one of its exports.
 *
 * @example
 * ```ts
 * const inline: FunctionRef = { kind: "source", source: "(a, b) => a + b", name: "add" };
 * const loaded: FunctionRef = { kind: "module", module: "file:///srv/jobs.js", export: "resize" };
 * ```
 */
export type FunctionRef =
  | { readonly kind: "source"; readonly source: string; readonly name?: string }
  | { readonly kind: "module"; readonly module: string; readonly export: string };

/**
 * What `TaskInfo.data` carries. `calls` holds one argument list per call: a plain task has exactly one, a chunk
 * (multiprocessing's chunksize) has several, run in order by one task.
 *
 * @example
 * ```ts
 * const payload: TaskPayload = { fn: { kind: "source", source: "(a, b) => a * b" }, calls: [[3, 5]] };
 * ```
 */
export interface TaskPayload {
  readonly fn: FunctionRef;
  readonly calls: readonly (readonly unknown[])[];
}

/**
 * How one call ended: its return value, or the exception it threw.
 *
 * @example
 * ```ts
 * const outcomes: CallOutcome[] = [{ ok: true, value: 15 }, { ok: false, error: serializeError(new Error("x")) }];
 * ```
 */
export type CallOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: RemoteErrorData };

/**
 * What `TaskStatus.data` carries: one outcome per call of the payload, in order. Sent on TASK_FINISHED, and on
 * TASK_FAILED when the failure is the task's own exception(s).
 *
 * @example
 * ```ts
 * const result: TaskResult = { outcomes: [{ ok: true, value: 6 }] };
 * ```
 */
export interface TaskResult {
  readonly outcomes: readonly CallOutcome[];
}

/**
 * Options of {@link encodeTaskResult}.
 *
 * @example
 * ```ts
 * const options: EncodeTaskResultOptions = { maxBytes: 1024 * 1024 };
 * const data = encodeTaskResult({ outcomes: [{ ok: true, value: "done" }] }, options);
 * ```
 */
export interface EncodeTaskResultOptions {
  /** Largest encoding accepted, in bytes (default {@link DEFAULT_MAX_RESULT_BYTES}). */
  readonly maxBytes?: number;
}

/**
 * Default cap of an encoded task result. A result rides in a status update through the agent and the master,
 * which keep recent updates in memory; large data belongs in shared storage, with a reference in the result.
 *
 * @example
 * ```ts
 * encodeTaskResult(result, { maxBytes: DEFAULT_MAX_RESULT_BYTES * 4 });
 * ```
 */
export const DEFAULT_MAX_RESULT_BYTES = 16 * 1024 * 1024;

// "SATP" and "SATR": which of the two documents the bytes are, so that one is never read as the other.
const PAYLOAD_MAGIC = Uint8Array.of(0x53, 0x41, 0x54, 0x50);
const RESULT_MAGIC = Uint8Array.of(0x53, 0x41, 0x54, 0x52);
const HEADER_BYTES = 5;

function frame(magic: Uint8Array, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + body.length);
  bytes.set(magic, 0);
  bytes[4] = PAYLOAD_VERSION;
  bytes.set(body, HEADER_BYTES);
  return bytes;
}

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

function unframe(bytes: Uint8Array, magic: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) {
    throw new PayloadError("malformed", `a satyr ${what} must be bytes, got ${typeof bytes}`);
  }
  if (!startsWith(bytes, magic)) {
    const other = magic === PAYLOAD_MAGIC ? RESULT_MAGIC : PAYLOAD_MAGIC;
    const hint = startsWith(bytes, other)
      ? `: these are the bytes of a satyr ${magic === PAYLOAD_MAGIC ? "task result" : "task payload"}`
      : "";
    throw new PayloadError("malformed", `not a satyr ${what} (${bytes.length} bytes, wrong magic)${hint}`);
  }
  if (bytes.length < HEADER_BYTES) {
    throw new PayloadError("malformed", `satyr ${what} truncated: no version byte`);
  }
  const version = bytes[4];
  if (version !== PAYLOAD_VERSION) {
    throw new PayloadError(
      "version",
      `satyr ${what} has format version ${version}, this @satyr/proto reads version ${PAYLOAD_VERSION}: ` +
        "run the same satyr release on the scheduler and the executor",
    );
  }
  try {
    return unpackWire(bytes.subarray(HEADER_BYTES));
  } catch (cause) {
    throw new PayloadError(
      "malformed",
      `satyr ${what} is corrupt: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(what: string, problem: string): PayloadError {
  return new PayloadError("malformed", `satyr ${what} is malformed: ${problem}`);
}

function checkFunctionRef(fn: unknown): FunctionRef {
  if (!isRecord(fn))
    throw new PayloadError("malformed", "satyr task payload is malformed: fn is not an object");
  if (fn.kind === "source") {
    if (typeof fn.source !== "string") throw malformed("task payload", "fn.source is not a string");
    if (fn.name !== undefined && typeof fn.name !== "string") {
      throw malformed("task payload", "fn.name is not a string");
    }
    return fn.name === undefined
      ? { kind: "source", source: fn.source }
      : { kind: "source", source: fn.source, name: fn.name };
  }
  if (fn.kind === "module") {
    if (typeof fn.module !== "string") throw malformed("task payload", "fn.module is not a string");
    if (typeof fn.export !== "string") throw malformed("task payload", "fn.export is not a string");
    return { kind: "module", module: fn.module, export: fn.export };
  }
  throw malformed(
    "task payload",
    `fn.kind is ${JSON.stringify(String(fn.kind))}, expected "source" or "module"`,
  );
}

function checkFunctionRefToEncode(fn: FunctionRef): FunctionRef {
  try {
    return checkFunctionRef(fn);
  } catch (error) {
    throw new PayloadError(
      "unserializable",
      `the task's function reference is invalid: ${(error as Error).message.replace(/^.*malformed: /, "")}`,
    );
  }
}

/**
 * Encodes what a function task carries in `TaskInfo.data`. Arguments travel as msgpack: primitives, bigint,
 * arrays, plain objects, Date, Map, Set, RegExp, typed arrays, ArrayBuffer, Errors (with stack and own
 * properties), shared references and cycles.
 *
 * @throws {@link PayloadError} `"unserializable"` naming the call, the argument and the path of a function,
 * symbol, Promise or weak collection among the arguments.
 * @example
 * ```ts
 * const data = encodeTaskPayload({ fn: { kind: "source", source: "(xs) => xs.length" }, calls: [[[1, 2, 3]]] });
 * ```
 */
export function encodeTaskPayload(payload: TaskPayload): Uint8Array {
  const fn = checkFunctionRefToEncode(payload.fn);
  if (!Array.isArray(payload.calls)) {
    throw new PayloadError("unserializable", "the task payload's calls must be an array of argument lists");
  }
  const calls = payload.calls.map((args, call) => {
    if (!Array.isArray(args)) {
      throw new PayloadError("unserializable", `call ${call}: the arguments must be an array`);
    }
    return args.map((arg, position) => toWire(arg, `call ${call}, argument ${position}`));
  });
  return frame(PAYLOAD_MAGIC, packWire({ fn, calls }));
}

/**
 * Decodes `TaskInfo.data` written by {@link encodeTaskPayload}.
 *
 * @throws {@link PayloadError} `"version"` naming both versions, or `"malformed"` for anything else.
 * @example
 * ```ts
 * const { fn, calls } = decodeTaskPayload(task.data);
 * ```
 */
export function decodeTaskPayload(bytes: Uint8Array): TaskPayload {
  const body = unframe(bytes, PAYLOAD_MAGIC, "task payload");
  if (!isRecord(body)) throw malformed("task payload", "the body is not an object");
  const fn = checkFunctionRef(body.fn);
  if (!Array.isArray(body.calls)) throw malformed("task payload", "calls is not an array");
  body.calls.forEach((args, i) => {
    if (!Array.isArray(args)) throw malformed("task payload", `call ${i} has no argument list`);
  });
  return { fn, calls: body.calls as unknown[][] };
}

/**
 * Encodes what `TaskStatus.data` carries: the outcome of every call of a task.
 *
 * @throws {@link PayloadError} `"unserializable"` naming the outcome and path of a value that cannot travel
 * (the executor reports such a call as failed instead), or `"too-large"` naming the size and the limit.
 * @example
 * ```ts
 * status.data = encodeTaskResult({ outcomes: [{ ok: true, value: 15 }] }, { maxBytes: 1 << 20 });
 * ```
 */
export function encodeTaskResult(result: TaskResult, options: EncodeTaskResultOptions = {}): Uint8Array {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_RESULT_BYTES;
  if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${String(options.maxBytes)}`);
  if (!Array.isArray(result.outcomes)) {
    throw new PayloadError("unserializable", "the task result's outcomes must be an array");
  }
  const outcomes = result.outcomes.map((outcome: CallOutcome, i) => {
    if (outcome.ok === true) return { ok: true, value: toWire(outcome.value, `outcome ${i} (the value)`) };
    if (outcome.ok === false) return { ok: false, error: toWire(outcome.error, `outcome ${i} (the error)`) };
    throw new PayloadError("unserializable", `outcome ${i} has neither ok: true nor ok: false`);
  });
  const body = packWire({ outcomes });
  const size = HEADER_BYTES + body.length;
  if (size > maxBytes) {
    throw new PayloadError(
      "too-large",
      `the task result is ${size} bytes, over the ${maxBytes}-byte limit: return less data ` +
        "(or a reference to it), or raise the limit",
    );
  }
  return frame(RESULT_MAGIC, body);
}

function checkErrorData(value: unknown, where: string, depth: number): RemoteErrorData {
  if (!isRecord(value)) throw malformed("task result", `${where} is not an object`);
  if (typeof value.name !== "string") throw malformed("task result", `${where}.name is not a string`);
  if (typeof value.message !== "string") throw malformed("task result", `${where}.message is not a string`);
  if (value.stack !== undefined && typeof value.stack !== "string") {
    throw malformed("task result", `${where}.stack is not a string`);
  }
  if (!isRecord(value.props)) throw malformed("task result", `${where}.props is not an object`);
  if (value.cause !== undefined) {
    if (depth > 64) throw malformed("task result", `${where} has too deep a cause chain`);
    checkErrorData(value.cause, `${where}.cause`, depth + 1);
  }
  return value as unknown as RemoteErrorData;
}

/**
 * Decodes `TaskStatus.data` written by {@link encodeTaskResult}.
 *
 * @throws {@link PayloadError} `"version"` naming both versions, or `"malformed"` for anything else.
 * @example
 * ```ts
 * for (const outcome of decodeTaskResult(status.data).outcomes) {
 *   if (outcome.ok) console.log(outcome.value); else console.error(outcome.error.name, outcome.error.message);
 * }
 * ```
 */
export function decodeTaskResult(bytes: Uint8Array): TaskResult {
  const body = unframe(bytes, RESULT_MAGIC, "task result");
  if (!isRecord(body) || !Array.isArray(body.outcomes)) {
    throw malformed("task result", "outcomes is not an array");
  }
  const outcomes = body.outcomes.map((outcome: unknown, i): CallOutcome => {
    if (!isRecord(outcome)) throw malformed("task result", `outcome ${i} is not an object`);
    if (outcome.ok === true) return { ok: true, value: outcome.value };
    if (outcome.ok === false)
      return { ok: false, error: checkErrorData(outcome.error, `outcome ${i}.error`, 0) };
    throw malformed("task result", `outcome ${i} has neither ok: true nor ok: false`);
  });
  return { outcomes };
}
