import type { IncomingMessage, ServerResponse } from "node:http";
import { CONTENT_TYPES, type CodecName, codecNameOf } from "@satyr/proto";

/** The largest call body either API accepts; a real call is a few kilobytes. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Answers with a plain-text error, as Mesos does (`text/plain; charset=utf-8`, a human sentence).
 *
 * @example
 * ```ts
 * replyText(res, 400, "Framework cannot be found");
 * ```
 */
export function replyText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(text, "utf8");
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(body.length),
  });
  res.end(body);
}

/**
 * Answers 202 with an empty body: the call is queued, its outcome comes as events.
 *
 * @example
 * ```ts
 * replyAccepted(res);
 * ```
 */
export function replyAccepted(res: ServerResponse): void {
  res.writeHead(202, { "Content-Length": "0" });
  res.end();
}

/**
 * Answers a bodiless status (e.g. 200 for `/health`, 307 with a Location).
 *
 * @example
 * ```ts
 * replyEmpty(res, 307, { Location: "//127.0.0.1:5050" });
 * ```
 */
export function replyEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, "Content-Length": "0" });
  res.end();
}

/**
 * Answers JSON (the read-only endpoints such as `/master/state`).
 *
 * @example
 * ```ts
 * replyJson(res, { version: "1.12.0" });
 * ```
 */
export function replyJson(res: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), "utf8");
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(body.length) });
  res.end(body);
}

/**
 * 405 for anything but POST, with the wording and `Allow` header a real master sends.
 *
 * @example
 * ```ts
 * if (req.method !== "POST") return replyMethodNotAllowed(res, req.method);
 * ```
 */
export function replyMethodNotAllowed(res: ServerResponse, method: string | undefined): void {
  replyText(
    res,
    405,
    `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${method ?? ""}'.`,
    {
      Allow: "POST",
    },
  );
}

/**
 * Reads a request body whole, refusing more than {@link MAX_BODY_BYTES}.
 *
 * @example
 * ```ts
 * const body = await readBody(req);
 * ```
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  // Listeners rather than `for await`: an async iterator per request was a measurable share of a call's CPU.
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", finish);
      req.off("close", onClose);
      if (error === undefined) resolve(Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        finish(new RangeError(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onClose = () => finish(new Error("the request was closed before its body ended"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", finish);
    req.on("close", onClose);
  });
}

/** The outcome of checking a call's Content-Type: a codec, or the error answer Mesos gives. */
export type ContentTypeCheck =
  | { readonly ok: true; readonly codec: CodecName }
  | { readonly ok: false; readonly status: number; readonly message: string };

/**
 * Matches Content-Type exactly, like Mesos: missing → 400, anything but the two media types → 415.
 *
 * @example
 * ```ts
 * const check = checkContentType(req.headers["content-type"]);
 * ```
 */
export function checkContentType(header: string | undefined): ContentTypeCheck {
  if (header === undefined)
    return { ok: false, status: 400, message: "Expecting 'Content-Type' to be present" };
  const codec = codecNameOf(header);
  if (codec === undefined) {
    return {
      ok: false,
      status: 415,
      message: `Expecting 'Content-Type' of ${CONTENT_TYPES.json} or ${CONTENT_TYPES.protobuf}`,
    };
  }
  return { ok: true, codec };
}

/**
 * Picks the codec of a SUBSCRIBE response from Accept as Mesos does: JSON when JSON is acceptable (no Accept
 * means anything is), else protobuf when acceptable, else none (406).
 *
 * @example
 * ```ts
 * negotiateAccept("application/x-protobuf"); // "protobuf"
 * negotiateAccept("text/html"); // undefined
 * ```
 */
export function negotiateAccept(header: string | undefined): CodecName | undefined {
  if (header === undefined || header.trim() === "") return "json";
  const accepted = header.split(",").flatMap((part) => {
    const [type, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q !== undefined && Number(q.slice(2)) === 0) return [];
    return [(type ?? "").trim().toLowerCase()];
  });
  const accepts = (mediaType: string) =>
    accepted.some((a) => a === mediaType || a === "*/*" || a === `${mediaType.split("/")[0]}/*`);
  if (accepts(CONTENT_TYPES.json)) return "json";
  if (accepts(CONTENT_TYPES.protobuf)) return "protobuf";
  return undefined;
}

/** The 406 body Mesos sends when neither encoding is acceptable. */
export const NOT_ACCEPTABLE_MESSAGE = `Expecting 'Accept' to allow '${CONTENT_TYPES.protobuf}' or '${CONTENT_TYPES.json}'`;

/**
 * Mesos's wording for a body that does not parse, per encoding.
 *
 * @example
 * ```ts
 * parseFailureMessage("json", "Call", body); // "Failed to parse body into JSON: syntax error at line 1 near: "
 * ```
 */
export function parseFailureMessage(codec: CodecName, messageName: string, body: Buffer): string {
  if (codec === "protobuf") return `Failed to parse body into ${messageName} protobuf`;
  try {
    JSON.parse(body.toString("utf8"));
  } catch {
    return "Failed to parse body into JSON: syntax error at line 1 near: ";
  }
  return `Failed to convert JSON into ${messageName} protobuf`;
}
