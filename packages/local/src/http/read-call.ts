import type { IncomingMessage, ServerResponse } from "node:http";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { type CodecName, messageCodec } from "@satyr/proto";
import { dropNonProtoKeys } from "./json-input.js";
import {
  checkContentType,
  parseFailureMessage,
  readBody,
  replyMethodNotAllowed,
  replyText,
} from "./respond.js";

/**
 * Reads the Call of a v1 API request the way a Mesos master or agent does, answering the request itself when it
 * cannot: 405 for a method other than POST, 415 for a content type other than the two exact ones, 400 with
 * Mesos's wording for a body that does not parse. JSON keys that are not proto field names are dropped, as Mesos
 * drops them. Resolves `undefined` once it has answered.
 *
 * @example
 * ```ts
 * const read = await readCall(req, res, scheduler.CallSchema);
 * if (read === undefined) return;
 * handle(read.call, read.codec);
 * ```
 */
export async function readCall<Desc extends DescMessage>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: Desc,
): Promise<{ readonly call: MessageShape<Desc>; readonly codec: CodecName } | undefined> {
  if (req.method !== "POST") {
    replyMethodNotAllowed(res, req.method);
    return undefined;
  }
  const contentType = checkContentType(req.headers["content-type"]);
  if (!contentType.ok) {
    replyText(res, contentType.status, contentType.message);
    return undefined;
  }
  const body = await readBody(req);
  try {
    const call = messageCodec(schema, contentType.codec).decode(
      contentType.codec === "json" ? dropNonProtoKeys(schema, body) : body,
    );
    return { call, codec: contentType.codec };
  } catch {
    replyText(res, 400, parseFailureMessage(contentType.codec, "Call", body));
    return undefined;
  }
}
