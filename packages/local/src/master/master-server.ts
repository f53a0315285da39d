import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type DashboardServerOptions, serveDashboard } from "../dashboard/dashboard-routes.js";
import { replyEmpty, replyJson, replyText } from "../http/respond.js";
import type { Master } from "./master.js";
import { type Credentials, handleSchedulerRequest } from "./scheduler-endpoint.js";
import { stateJson, versionJson } from "./state-json.js";

/** Options of {@link createMasterServer}. */
export interface MasterServerOptions {
  readonly credentials: Credentials | undefined;
  readonly tls: { readonly key: string | Buffer; readonly cert: string | Buffer } | undefined;
  /** When set, the dashboard is served at `/` (with its `/dashboard/*` assets and `/files/*`). */
  readonly dashboard?: DashboardServerOptions | undefined;
}

/**
 * The master's HTTP(S) server: `/api/v1/scheduler` (also under `/master/`), `/master/state`, `/version`,
 * `/health`, `/master/redirect`, and (unless turned off) the dashboard at `/`.
 *
 * @example
 * ```ts
 * const server = createMasterServer(master, { credentials: undefined, tls: undefined });
 * server.listen(0, "127.0.0.1");
 * ```
 */
export function createMasterServer(master: Master, options: MasterServerOptions): Server {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route(master, options, req, res).catch((error: unknown) => {
      if (!res.headersSent)
        replyText(res, 500, `Internal error: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
  };
  const server =
    options.tls === undefined
      ? createHttpServer({ noDelay: true, keepAliveTimeout: 30_000 }, handler)
      : createHttpsServer(
          { key: options.tls.key, cert: options.tls.cert, noDelay: true, keepAliveTimeout: 30_000 },
          handler,
        );
  return server;
}

async function route(
  master: Master,
  options: MasterServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // The API path itself needs no parsing; anything else is normalized like any URL.
  const path = req.url === "/api/v1/scheduler" ? req.url : new URL(req.url ?? "/", "http://local").pathname;
  switch (path) {
    case "/api/v1/scheduler":
    case "/master/api/v1/scheduler":
      return handleSchedulerRequest(master, req, res, options.credentials);
    case "/master/state":
    case "/master/state.json":
    case "/state":
      return replyJson(res, stateJson(master));
    case "/version":
      return replyJson(res, versionJson());
    case "/health":
    case "/master/health":
      return replyEmpty(res, 200);
    case "/master/redirect":
    case "/redirect": {
      const info = master.masterInfo();
      // Protocol-relative and without a path, exactly as Mesos answers.
      return replyEmpty(res, 307, { Location: `//${info.hostname}:${info.port}` });
    }
    default:
      if (options.dashboard !== undefined && (await serveDashboard(options.dashboard, req, res, path)))
        return;
      return replyEmpty(res, 404);
  }
}
