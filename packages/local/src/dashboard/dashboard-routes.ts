import type { IncomingMessage, ServerResponse } from "node:http";
import { replyText } from "../http/respond.js";
import { DashboardError, isDashboardError } from "./dashboard-error.js";
import { browseSandbox, integerParam, locateSandbox, readSandboxFile } from "./sandbox-files.js";
import { readAsset, STATIC_ASSETS } from "./static-assets.js";

/** What the master's server needs to serve the dashboard. */
export interface DashboardServerOptions {
  /** The cluster's work directory: the only tree `/files/*` may read. */
  readonly workDir: string;
}

/**
 * Every path {@link serveDashboard} answers, besides the static assets; the master routes these to it.
 *
 * @example
 * ```ts
 * FILE_ROUTES.has("/files/read"); // true
 * ```
 */
export const FILE_ROUTES: ReadonlySet<string> = new Set([
  "/files/read",
  "/files/read.json",
  "/files/browse",
  "/files/browse.json",
  "/dashboard/sandbox",
]);

// The page loads only its own files and talks only to this origin; nothing inline may run.
const PAGE_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

function replyJsonNoStore(res: ServerResponse, value: unknown, head: boolean): void {
  const body = Buffer.from(JSON.stringify(value), "utf8");
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": String(body.length),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(head ? undefined : body);
}

/**
 * Answers a dashboard request — the page at `/` and its assets under `/dashboard/`, the Mesos-style sandbox file
 * endpoints `/files/read` (JSON `{ data, offset }`) and `/files/browse`, and `/dashboard/sandbox` (where a
 * task's sandbox is) — and resolves `true`; resolves `false` for any other path so the caller can answer 404.
 * Files outside the work directory are refused with 403, missing ones with 404, bad parameters with 400.
 *
 * @example
 * ```ts
 * if (!(await serveDashboard({ workDir }, req, res, pathname))) replyEmpty(res, 404);
 * ```
 */
export async function serveDashboard(
  options: DashboardServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  const asset = STATIC_ASSETS.get(path);
  if (asset === undefined && !FILE_ROUTES.has(path)) return false;
  const head = req.method === "HEAD";
  try {
    if (req.method !== "GET" && !head) {
      throw new DashboardError("method-not-allowed", `${path} answers GET and HEAD, not ${req.method ?? ""}`);
    }
    if (asset !== undefined) {
      const body = await readAsset(asset);
      res.writeHead(200, {
        ...PAGE_HEADERS,
        "Content-Type": asset.contentType,
        "Content-Length": String(body.length),
      });
      res.end(head ? undefined : body);
      return true;
    }
    const params = new URL(req.url ?? "/", "http://local").searchParams;
    if (path === "/files/read" || path === "/files/read.json") {
      const length = params.get("length");
      const chunk = await readSandboxFile(
        options.workDir,
        params.get("path"),
        integerParam(params, "offset", -1),
        length === null || length === "" ? undefined : integerParam(params, "length", 0),
      );
      replyJsonNoStore(res, chunk, head);
    } else if (path === "/dashboard/sandbox") {
      replyJsonNoStore(res, await locateSandbox(options.workDir, params), head);
    } else {
      replyJsonNoStore(res, await browseSandbox(options.workDir, params.get("path")), head);
    }
  } catch (error) {
    if (!isDashboardError(error)) throw error;
    replyText(
      res,
      error.status,
      error.message,
      error.code === "method-not-allowed" ? { Allow: "GET, HEAD" } : {},
    );
  }
  return true;
}
