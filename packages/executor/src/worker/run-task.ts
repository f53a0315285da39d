import {
  type CallOutcome,
  decodeTaskPayload,
  encodeTaskResult,
  type FunctionRef,
  isPayloadError,
  type RemoteErrorData,
  serializeError,
  type TaskPayload,
} from "@satyr/proto";
import type { FunctionLoader, TaskFunction } from "./function-loader.js";
import type { WorkerConfig, WorkerFailureKind } from "./protocol.js";

/** What running one task's payload came to (a {@link WorkerReply} without its id). */
export type TaskRunResult =
  | { readonly kind: "result"; readonly ok: boolean; readonly result: Uint8Array; readonly summary: string }
  | { readonly kind: "failed"; readonly failure: WorkerFailureKind; readonly message: string };

const SELF_CONTAINED_HINT =
  " (a function sent as source is rebuilt on the executor in a scope of its own: it must be self-contained, " +
  "using only its parameters and globals, with no captured variables or imports; pass a module reference " +
  "{ module, export } for code that needs them)";

/**
 * Runs a task's payload: decodes it, loads its function, runs every call in order (awaiting async ones), and
 * encodes one outcome per call. A call that throws is that call's outcome; what keeps the task from producing a
 * result at all (an unreadable payload, a function that cannot be loaded, a result over the limit) is a
 * `"failed"` result with a message saying what was wrong.
 *
 * @example
 * ```ts
 * const done = await runTask(taskInfo.data, loader, config);
 * if (done.kind === "result" && done.ok) send(done.result);
 * ```
 */
export async function runTask(
  data: Uint8Array,
  loader: FunctionLoader,
  config: WorkerConfig,
): Promise<TaskRunResult> {
  let payload: TaskPayload;
  try {
    payload = decodeTaskPayload(data);
  } catch (error) {
    return {
      kind: "failed",
      failure: "payload",
      message: `cannot read the task's payload: ${messageOf(error)}`,
    };
  }
  let fn: TaskFunction;
  try {
    fn = await loader.load(payload.fn);
  } catch (error) {
    return {
      kind: "failed",
      failure: "load",
      message: `cannot load the task's function: ${messageOf(error)}`,
    };
  }
  const outcomes: CallOutcome[] = [];
  for (const args of payload.calls) {
    try {
      outcomes.push({ ok: true, value: await fn(...args) });
    } catch (error) {
      outcomes.push({
        ok: false,
        error: serializeError(explain(error, payload.fn), { maxBytes: config.maxErrorBytes }),
      });
    }
  }
  return encodeOutcomes(outcomes, config);
}

function encodeOutcomes(outcomes: CallOutcome[], config: WorkerConfig): TaskRunResult {
  let result: Uint8Array;
  try {
    result = encodeTaskResult({ outcomes }, { maxBytes: config.maxResultBytes });
  } catch (error) {
    if (isPayloadError(error) && error.code === "unserializable") {
      // Only the calls whose values cannot travel fail; the others keep their results.
      return encodeOutcomes(replaceUnserializable(outcomes, config), config);
    }
    if (isPayloadError(error) && error.code === "too-large") {
      return {
        kind: "failed",
        failure: "too-large",
        message: `the task's result is too large: ${error.message}`,
      };
    }
    throw error;
  }
  const failed = outcomes.flatMap((outcome, index) => (outcome.ok ? [] : [{ index, error: outcome.error }]));
  return { kind: "result", ok: failed.length === 0, result, summary: summarize(failed, outcomes.length) };
}

function replaceUnserializable(outcomes: CallOutcome[], config: WorkerConfig): CallOutcome[] {
  return outcomes.map((outcome, index) => {
    try {
      encodeTaskResult({ outcomes: [outcome] }, { maxBytes: Number.MAX_SAFE_INTEGER });
      return outcome;
    } catch (error) {
      const problem = new TypeError(
        `call ${index} ${outcome.ok ? "returned" : "threw"} a value that cannot be sent back: ${messageOf(error)}`,
      );
      return { ok: false, error: serializeError(problem, { maxBytes: config.maxErrorBytes }) };
    }
  });
}

function summarize(failed: readonly { index: number; error: RemoteErrorData }[], calls: number): string {
  const first = failed[0];
  if (first === undefined) return "";
  const what = `${first.error.name}: ${first.error.message}`;
  if (calls === 1) return what;
  return `${failed.length} of ${calls} calls failed; the first, call ${first.index}: ${what}`;
}

/** Adds the self-containment hint to the ReferenceError a free variable of a shipped source raises. */
function explain(error: unknown, ref: FunctionRef): unknown {
  if (
    ref.kind === "source" &&
    error instanceof Error &&
    error.name === "ReferenceError" &&
    / is not defined$/.test(error.message)
  ) {
    const original = error.message;
    error.message = `${original}${SELF_CONTAINED_HINT}`;
    if (typeof error.stack === "string") error.stack = error.stack.replace(original, error.message);
  }
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
