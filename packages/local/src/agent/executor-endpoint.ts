import type { IncomingMessage, ServerResponse } from "node:http";
import { create, isFieldSet } from "@bufbuild/protobuf";
import {
  executor,
  isValidUuid,
  messageCodec,
  TaskState,
  TaskStatus_Source,
  TaskStatusSchema,
} from "@satyr/proto";
import { EventStream } from "../http/event-stream.js";
import { readCall } from "../http/read-call.js";

import {
  NOT_ACCEPTABLE_MESSAGE,
  negotiateAccept,
  replyAccepted,
  replyEmpty,
  replyText,
} from "../http/respond.js";
import type { Agent } from "./agent.js";
import { CustomExecutor } from "./custom-executor.js";

/**
 * `POST /api/v1/executor` on an agent, with a real agent's checks and answers: 405, 400/415 on Content-Type,
 * 400 on a bad body or an invalid call (a missing or non-RFC-4122 uuid on UPDATE), 400 for an unknown
 * framework or executor, 406 on Accept for SUBSCRIBE (then a 200 RecordIO stream), 403 for calls before
 * SUBSCRIBE, else 202. Both codecs are accepted.
 *
 * @example
 * ```ts
 * server.on("request", (req, res) => void handleExecutorRequest(agent, req, res));
 * ```
 */
export async function handleExecutorRequest(
  agent: Agent,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // The API path itself needs no parsing; anything else is normalized like any URL.
  const path = req.url === "/api/v1/executor" ? req.url : new URL(req.url ?? "/", "http://local").pathname;
  if (path !== "/api/v1/executor" && path !== "/slave(1)/api/v1/executor") return replyEmpty(res, 404);
  const read = await readCall(req, res, executor.CallSchema);
  if (read === undefined) return;
  const { call } = read;
  const invalid = validateCall(call);
  if (invalid !== undefined) return replyText(res, 400, `Failed to validate Executor::Call: ${invalid}`);
  if (agent.down) return replyText(res, 503, "Agent has not finished recovery");

  const frameworkId = call.frameworkId!.value;
  const executorId = call.executorId!.value;
  const runtime = agent.findExecutor(frameworkId, executorId);
  if (runtime === undefined) {
    return replyText(
      res,
      400,
      agent.hasFramework(frameworkId) ? "Executor cannot be found" : "Framework cannot be found",
    );
  }
  if (!(runtime instanceof CustomExecutor)) return replyText(res, 400, "Executor cannot be found");

  if (call.type === executor.Call_Type.SUBSCRIBE) {
    const accept = negotiateAccept(req.headers.accept);
    if (accept === undefined) return replyText(res, 406, NOT_ACCEPTABLE_MESSAGE);
    const stream = new EventStream(res, messageCodec(executor.EventSchema, accept));
    const subscribe = call.subscribe;
    const unacknowledgedTasks = new Set(
      (subscribe?.unacknowledgedTasks ?? []).map((t) => t.taskId?.value ?? ""),
    );
    runtime.subscribe(stream, agent.info, unacknowledgedTasks, (taskId) =>
      agent.taskAwaitingFirstUpdate(frameworkId, taskId),
    );
    // Updates the executor sent but never saw acknowledged: new ones are processed, known ones acknowledged again.
    for (const update of subscribe?.unacknowledgedUpdates ?? []) {
      const status = update.status;
      if (status === undefined || !isValidUuid(status.uuid)) continue;
      if (!agent.hasReceived(frameworkId, status)) agent.statusUpdate(frameworkId, status);
      stream.send(acknowledged(status.taskId?.value ?? "", status.uuid));
    }
    return;
  }
  if (!runtime.subscribed) return replyText(res, 403, "Executor is not subscribed");
  if (call.type === executor.Call_Type.UPDATE) {
    const status = call.update!.status!;
    replyAccepted(res);
    agent.statusUpdate(frameworkId, status);
    runtime.send(acknowledged(status.taskId?.value ?? "", status.uuid));
    return;
  }
  if (call.type === executor.Call_Type.MESSAGE) {
    replyAccepted(res);
    agent.executorMessage(frameworkId, executorId, call.message!.data);
    return;
  }
  return replyText(res, 501, "Received an unexpected 'UNKNOWN' call");
}

function acknowledged(taskId: string, uuid: Uint8Array): executor.Event {
  return create(executor.EventSchema, {
    type: executor.Event_Type.ACKNOWLEDGED,
    acknowledged: { taskId: { value: taskId }, uuid },
  });
}

/** Mesos's `executor::call::validate`: the text after "Failed to validate Executor::Call: ", or none. */
function validateCall(call: executor.Call): string | undefined {
  if (call.executorId === undefined) return "Expecting 'executor_id' to be present";
  if (call.frameworkId === undefined) return "Expecting 'framework_id' to be present";
  if (!isFieldSet(call, executor.CallSchema.field.type)) return "Expecting 'type' to be present";
  switch (call.type) {
    case executor.Call_Type.SUBSCRIBE:
      return call.subscribe === undefined ? "Expecting 'subscribe' to be present" : undefined;
    case executor.Call_Type.UPDATE: {
      const status = call.update?.status;
      if (call.update === undefined || status === undefined) return "Expecting 'update' to be present";
      if (!isFieldSet(status, TaskStatusSchema.field.uuid)) {
        return "Expecting 'uuid' to be present";
      }
      if (!isValidUuid(status.uuid)) return "Not a valid UUID";
      if (status.executorId !== undefined && status.executorId.value !== call.executorId.value) {
        return `ExecutorID in Call: ${call.executorId.value} does not match ExecutorID in TaskStatus: ${status.executorId.value}`;
      }
      if (status.source !== TaskStatus_Source.EXECUTOR) {
        return `Received Call from executor ${call.executorId.value} of framework ${call.frameworkId.value} with invalid source, expecting 'SOURCE_EXECUTOR'`;
      }
      if (status.state === TaskState.TASK_STAGING) {
        return `Received TASK_STAGING from executor ${call.executorId.value} of framework ${call.frameworkId.value} which is not allowed`;
      }
      return undefined;
    }
    case executor.Call_Type.MESSAGE:
      return call.message === undefined ? "Expecting 'message' to be present" : undefined;
    default:
      return undefined;
  }
}
