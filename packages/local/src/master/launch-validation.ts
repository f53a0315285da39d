import { equals } from "@bufbuild/protobuf";
import {
  type ExecutorInfo,
  ExecutorInfo_Type,
  ExecutorInfoSchema,
  messageCodec,
  type TaskInfo,
} from "@satyr/proto";
import { Resources } from "../resources.js";
import type { AgentRecord, FrameworkRecord } from "./records.js";
import { textFormat } from "./text-format.js";

const SEPARATOR = "------------------------------------------------------------\n";

/** Control characters, `/` and `\` are not allowed in ids (they become path components on the agent). */
function invalidId(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x2f || code === 0x5c) return true;
  }
  return false;
}

/**
 * The error Mesos gives when a task may not be launched, or undefined when it may. `offered` is what is still
 * available of the accepted offers; `existing` is the executor already running under the task's executor id.
 * Mesos checks in this order, and the first failure wins.
 *
 * @example
 * ```ts
 * const error = validateTask(task, framework, agent, remaining, existingExecutor);
 * if (error) sendTaskError(task, error);
 * ```
 */
export function validateTask(
  task: TaskInfo,
  framework: FrameworkRecord,
  agent: AgentRecord,
  offered: Resources,
  role: string,
): string | undefined {
  const id = task.taskId?.value ?? "";
  if (invalidId(id)) return `TaskID '${id}' contains invalid characters`;
  if (framework.tasks.has(id)) return `Task has duplicate ID: ${id}`;
  const agentId = task.agentId?.value ?? "";
  if (agentId !== agent.port.id)
    return `Task uses invalid agent ${agentId} while agent ${agent.port.id} is expected`;
  const grace = task.killPolicy?.gracePeriod?.nanoseconds;
  if (grace !== undefined && grace < 0n) return "Task's 'kill_policy.grace_period' must be non-negative";
  if (task.resources.length === 0) return "Task uses no resources";
  if ((task.executor === undefined) === (task.command === undefined)) {
    return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
  }
  let total = Resources.fromProto(task.resources);
  if (task.executor !== undefined) {
    const executorError = validateExecutor(task.executor, framework, agent);
    if (executorError !== undefined) return executorError;
    if (task.executor.type !== ExecutorInfo_Type.CUSTOM) return "'ExecutorInfo.type' must be 'CUSTOM'";
    if (task.executor.command === undefined) return "'ExecutorInfo.command' must be set";
    const execId = task.executor.executorId?.value ?? "";
    if (!agent.executors.get(framework.id)?.has(execId)) {
      total = total.add(Resources.fromProto(task.executor.resources));
    }
  }
  if (!offered.contains(total)) {
    return `Total resources ${total.format(role)} required by task and its executor is more than available ${offered.format(role)}`;
  }
  return undefined;
}

/**
 * Checks an ExecutorInfo (already normalized: framework id and type filled in) against the framework and any
 * executor with the same id already on the agent.
 *
 * @example
 * ```ts
 * validateExecutor(executor, framework, agent); // undefined or Mesos's message
 * ```
 */
export function validateExecutor(
  executor: ExecutorInfo,
  framework: FrameworkRecord,
  agent: AgentRecord,
): string | undefined {
  const execId = executor.executorId?.value ?? "";
  if (execId === "" || invalidId(execId)) return `ExecutorID '${execId}' contains invalid characters`;
  if (executor.type === ExecutorInfo_Type.DEFAULT && executor.command !== undefined) {
    return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
  }
  if (executor.type === ExecutorInfo_Type.CUSTOM && executor.command === undefined) {
    return "'ExecutorInfo.command' must be set for 'CUSTOM' executor";
  }
  if (executor.frameworkId !== undefined && executor.frameworkId.value !== framework.id) {
    return `ExecutorInfo has an invalid FrameworkID (Actual: ${executor.frameworkId.value} vs Expected: ${framework.id})`;
  }
  const grace = executor.shutdownGracePeriod?.nanoseconds;
  if (grace !== undefined && grace < 0n) return "ExecutorInfo's 'shutdown_grace_period' must be non-negative";
  const existing = agent.executors.get(framework.id)?.get(execId);
  if (existing !== undefined && !sameExecutorInfo(existing.info, executor)) {
    return (
      "ExecutorInfo is not compatible with existing ExecutorInfo with same ExecutorID.\n" +
      SEPARATOR +
      "Existing ExecutorInfo:\n" +
      textFormat(ExecutorInfoSchema, existing.info) +
      "\n" +
      SEPARATOR +
      "ExecutorInfo:\n" +
      textFormat(ExecutorInfoSchema, executor) +
      "\n" +
      SEPARATOR
    );
  }
  return undefined;
}

const executorInfoCodec = messageCodec(ExecutorInfoSchema, "protobuf");
/** The encoding of each ExecutorInfo already compared, kept while its executor lives. */
const encodings = new WeakMap<ExecutorInfo, Uint8Array>();

/**
 * Every task launched on a running executor repeats its ExecutorInfo: equal encodings settle the common case
 * several times faster than the reflective `equals`, which still decides when the bytes differ (encodings of
 * equal messages can differ, e.g. in unknown fields).
 */
function sameExecutorInfo(existing: ExecutorInfo, candidate: ExecutorInfo): boolean {
  try {
    let known = encodings.get(existing);
    if (known === undefined) {
      known = executorInfoCodec.encode(existing);
      encodings.set(existing, known);
    }
    const bytes = executorInfoCodec.encode(candidate);
    if (bytes.length === known.length && Buffer.compare(bytes, known) === 0) return true;
  } catch {
    // Not encodable (a required field unset somewhere inside): only the field-by-field comparison can tell.
  }
  return equals(ExecutorInfoSchema, existing, candidate);
}
