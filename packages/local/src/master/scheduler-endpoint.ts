import type { IncomingMessage, ServerResponse } from "node:http";
import { isFieldSet } from "@bufbuild/protobuf";
import { FrameworkInfoSchema, isValidUuid, scheduler } from "@satyr/proto";
import { readCall } from "../http/read-call.js";
import { NOT_ACCEPTABLE_MESSAGE, negotiateAccept, replyAccepted, replyText } from "../http/respond.js";
import type { Master } from "./master.js";

/** Credentials the scheduler API accepts (HTTP basic), when authentication is on. */
export type Credentials = readonly { readonly principal: string; readonly secret: string }[];

const CALL_PAYLOAD: Partial<Record<scheduler.Call_Type, keyof scheduler.Call>> = {
  [scheduler.Call_Type.ACCEPT]: "accept",
  [scheduler.Call_Type.DECLINE]: "decline",
  [scheduler.Call_Type.ACCEPT_INVERSE_OFFERS]: "acceptInverseOffers",
  [scheduler.Call_Type.DECLINE_INVERSE_OFFERS]: "declineInverseOffers",
  [scheduler.Call_Type.KILL]: "kill",
  [scheduler.Call_Type.SHUTDOWN]: "shutdown",
  [scheduler.Call_Type.ACKNOWLEDGE]: "acknowledge",
  [scheduler.Call_Type.RECONCILE]: "reconcile",
  [scheduler.Call_Type.MESSAGE]: "message",
  [scheduler.Call_Type.REQUEST]: "request",
  [scheduler.Call_Type.ACKNOWLEDGE_OPERATION_STATUS]: "acknowledgeOperationStatus",
  [scheduler.Call_Type.RECONCILE_OPERATIONS]: "reconcileOperations",
  [scheduler.Call_Type.UPDATE_FRAMEWORK]: "updateFramework",
};

const SNAKE: Partial<Record<keyof scheduler.Call, string>> = {
  acceptInverseOffers: "accept_inverse_offers",
  declineInverseOffers: "decline_inverse_offers",
  acknowledgeOperationStatus: "acknowledge_operation_status",
  reconcileOperations: "reconcile_operations",
  updateFramework: "update_framework",
};

/**
 * `POST /api/v1/scheduler`, with the checks in the order a real master makes them and its exact answers:
 * 401 (when credentials are configured), 405, 400/415 on Content-Type, 400 on an unparsable body or an invalid
 * call, then for SUBSCRIBE 406 on Accept and 400 on a Mesos-Stream-Id; for every other call 400 for an unknown
 * framework, 403 when it is not subscribed, 400 on a missing or stale Mesos-Stream-Id, else 202.
 *
 * @example
 * ```ts
 * server.on("request", (req, res) => void handleSchedulerRequest(master, req, res, undefined));
 * ```
 */
export async function handleSchedulerRequest(
  master: Master,
  req: IncomingMessage,
  res: ServerResponse,
  credentials: Credentials | undefined,
): Promise<void> {
  let principal: string | undefined;
  if (credentials !== undefined) {
    principal = authenticate(req.headers.authorization, credentials);
    if (principal === undefined) {
      res.writeHead(401, {
        "WWW-Authenticate": 'Basic realm="mesos-master-scheduler"',
        "Content-Length": "0",
      });
      res.end();
      return;
    }
  }
  const read = await readCall(req, res, scheduler.CallSchema);
  if (read === undefined) return;
  const { call } = read;
  const missing = missingRequiredFields(call);
  if (missing.length > 0) {
    return replyText(
      res,
      400,
      read.codec === "json"
        ? `Failed to convert JSON into Call protobuf: Missing required fields: ${missing.join(", ")}`
        : "Failed to parse body into Call protobuf",
    );
  }
  const invalid = validateCall(call, principal);
  if (invalid !== undefined) return replyText(res, 400, `Failed to validate scheduler::Call: ${invalid}`);

  if (call.type === scheduler.Call_Type.SUBSCRIBE) {
    const accept = negotiateAccept(req.headers.accept);
    if (accept === undefined) return replyText(res, 406, NOT_ACCEPTABLE_MESSAGE);
    if (req.headers["mesos-stream-id"] !== undefined) {
      return replyText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    }
    master.subscribe(call, accept, res, principal);
    return;
  }
  if (call.type === scheduler.Call_Type.UNKNOWN) {
    return replyText(res, 501, "Received an unexpected 'UNKNOWN' call");
  }

  const framework = master.frameworks.get(call.frameworkId!.value);
  if (framework === undefined) return replyText(res, 400, "Framework cannot be found");
  if (principal !== undefined && framework.principal !== undefined && principal !== framework.principal) {
    return replyText(
      res,
      400,
      `Authenticated principal '${principal}' does not match principal '${framework.principal}' set in \`FrameworkInfo\``,
    );
  }
  if (framework.stream === undefined || framework.stream.closed) {
    return replyText(res, 403, "Framework is not subscribed");
  }
  const streamId = req.headers["mesos-stream-id"];
  if (streamId === undefined) {
    return replyText(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  }
  if (streamId !== framework.streamId) {
    return replyText(
      res,
      400,
      `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${framework.id}`,
    );
  }

  if (call.type === scheduler.Call_Type.UPDATE_FRAMEWORK) {
    // The one synchronous call: 200 once applied, 400 when invalid.
    const update = call.updateFramework!;
    const info = update.frameworkInfo;
    if (info === undefined) return replyText(res, 400, "Expecting 'framework_info' to be present");
    if (info.id?.value !== framework.id) {
      return replyText(res, 400, "'framework_id' differs from 'update_framework.framework_info.id'");
    }
    master.updateFramework(framework, info, update.suppressedRoles);
    res.writeHead(200, { "Content-Length": "0" });
    res.end();
    return;
  }

  replyAccepted(res);
  switch (call.type) {
    case scheduler.Call_Type.TEARDOWN:
      master.removeFramework(framework);
      break;
    case scheduler.Call_Type.ACCEPT:
      master.accept(framework, call.accept!);
      break;
    case scheduler.Call_Type.DECLINE:
      master.decline(framework, call.decline!);
      break;
    case scheduler.Call_Type.REVIVE:
      master.revive(framework, call.revive?.roles ?? []);
      break;
    case scheduler.Call_Type.SUPPRESS:
      master.suppress(framework, call.suppress?.roles ?? []);
      break;
    case scheduler.Call_Type.KILL:
      master.kill(framework, call.kill!);
      break;
    case scheduler.Call_Type.SHUTDOWN:
      master.shutdown(framework, call.shutdown!);
      break;
    case scheduler.Call_Type.ACKNOWLEDGE:
      master.acknowledge(framework, call.acknowledge!);
      break;
    case scheduler.Call_Type.RECONCILE:
      master.reconcile(
        framework,
        call.reconcile!.tasks.map((t) => ({ taskId: t.taskId?.value ?? "", agentId: t.agentId?.value })),
      );
      break;
    case scheduler.Call_Type.MESSAGE:
      master.message(framework, call.message!);
      break;
    default:
      // REQUEST, the inverse-offer calls and the operation-feedback calls change nothing on a local cluster:
      // it has no maintenance schedule and no operations other than launches.
      break;
  }
}

/** The proto2 required fields a real master's parser insists on that clients most often leave out. */
function missingRequiredFields(call: scheduler.Call): string[] {
  const info = call.subscribe?.frameworkInfo;
  if (info === undefined) return [];
  const missing: string[] = [];
  if (!isFieldSet(info, FrameworkInfoSchema.field.user)) missing.push("subscribe.framework_info.user");
  if (!isFieldSet(info, FrameworkInfoSchema.field.name)) missing.push("subscribe.framework_info.name");
  return missing;
}

/** Mesos's `scheduler::call::validate`: the message after "Failed to validate scheduler::Call: ", or none. */
function validateCall(call: scheduler.Call, principal: string | undefined): string | undefined {
  if (!isFieldSet(call, scheduler.CallSchema.field.type)) return "Expecting 'type' to be present";
  if (call.type === scheduler.Call_Type.SUBSCRIBE) {
    const info = call.subscribe?.frameworkInfo;
    if (call.subscribe === undefined) return "Expecting 'subscribe' to be present";
    if (info === undefined) return "Expecting 'subscribe.framework_info' to be present";
    if (info.id?.value !== call.frameworkId?.value)
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    if (principal !== undefined && info.principal !== "" && principal !== info.principal) {
      return `Authenticated principal '${principal}' does not match principal '${info.principal}' set in \`FrameworkInfo\``;
    }
    return undefined;
  }
  if (call.frameworkId === undefined) return "Expecting 'framework_id' to be present";
  const payload = CALL_PAYLOAD[call.type];
  if (payload !== undefined && call[payload] === undefined) {
    return `Expecting '${SNAKE[payload] ?? payload}' to be present`;
  }
  if (call.type === scheduler.Call_Type.ACKNOWLEDGE && !isValidUuid(call.acknowledge!.uuid)) {
    return "Not a valid UUID";
  }
  return undefined;
}

function authenticate(header: string | undefined, credentials: Credentials): string | undefined {
  if (header === undefined || !header.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const principal = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  return credentials.some((c) => c.principal === principal && c.secret === secret) ? principal : undefined;
}
