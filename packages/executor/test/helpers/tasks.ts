import { create } from "@bufbuild/protobuf";
import {
  decodeTaskResult,
  encodeTaskPayload,
  type FunctionRef,
  type TaskInfo,
  TaskInfoSchema,
  type TaskResult,
  type TaskStatus,
} from "@satyr/proto";

/** A function task as core would build it: the payload in `data`, a little cpu. */
export function functionTask(
  taskId: string,
  fn: FunctionRef | ((...args: never[]) => unknown),
  calls: unknown[][] = [[]],
  cpus = 0.1,
): TaskInfo {
  const ref: FunctionRef =
    typeof fn === "function" ? { kind: "source", source: fn.toString(), name: fn.name } : fn;
  return rawTask(taskId, encodeTaskPayload({ fn: ref, calls }), cpus);
}

/** A task carrying arbitrary bytes as its payload. */
export function rawTask(taskId: string, data: Uint8Array, cpus = 0.1): TaskInfo {
  return create(TaskInfoSchema, {
    name: taskId,
    taskId: { value: taskId },
    agentId: { value: "fake-agent-S0" },
    resources: [{ name: "cpus", type: 0, scalar: { value: cpus } }],
    data,
  });
}

/** The decoded TaskResult of a status update. */
export function resultOf(status: TaskStatus): TaskResult {
  return decodeTaskResult(status.data);
}
