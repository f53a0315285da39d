import { InvalidOptionsError } from "../errors/invalid-options-error.js";
import { SCHEDULER_PATH } from "./master-address.js";

/**
 * A leading master as a detector reports it.
 *
 * @example
 * ```ts
 * const leader: Leader = { endpoint: new URL("http://m1:5050/api/v1/scheduler"), id: "7eb34f10", source: "zk" };
 * ```
 */
export interface Leader {
  /** The leader's scheduler API URL. */
  readonly endpoint: URL;
  /** The master's id (MasterInfo.id), when known. */
  readonly id?: string;
  /** Where the information came from, for logs: a znode path, or a URL. */
  readonly source: string;
}

interface AddressJson {
  hostname?: unknown;
  ip?: unknown;
  port?: unknown;
}

/**
 * Turns the JSON MasterInfo that Mesos masters store in ZooKeeper into the leader's scheduler endpoint. Uses
 * `address` (hostname, else ip, and port) and falls back to the top-level `hostname`/`port`, then to `pid`
 * (`master@ip:port`). The top-level `ip` is a packed integer and is decoded only as a last resort.
 *
 * @throws {@link InvalidOptionsError} (option `master`) when no address can be found in the data.
 * @example
 * ```ts
 * leaderFromMasterInfoJson('{"id":"m1","address":{"hostname":"m1","ip":"10.0.0.1","port":5050}}', "http", "/mesos/json.info_0000000001")
 *   .endpoint.href; // "http://m1:5050/api/v1/scheduler"
 * ```
 */
export function leaderFromMasterInfoJson(text: string, scheme: "http" | "https", source: string): Leader {
  let info: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) throw new TypeError("not a JSON object");
    info = parsed as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidOptionsError("master", `ZooKeeper node ${source} does not hold a JSON MasterInfo`, {
      cause,
    });
  }
  const address = (
    typeof info.address === "object" && info.address !== null ? info.address : {}
  ) as AddressJson;
  let host = nonEmpty(address.hostname) ?? nonEmpty(address.ip) ?? nonEmpty(info.hostname);
  let port = portOf(address.port) ?? portOf(info.port);
  const pid = nonEmpty(info.pid);
  if ((host === undefined || port === undefined) && pid !== undefined) {
    const match = /@([^:]+):(\d+)$/.exec(pid);
    host ??= match?.[1];
    port ??= portOf(Number(match?.[2]));
  }
  if (host === undefined && typeof info.ip === "number") {
    const ip = info.ip >>> 0;
    host = [ip & 255, (ip >>> 8) & 255, (ip >>> 16) & 255, ip >>> 24].join(".");
  }
  if (host === undefined || port === undefined) {
    throw new InvalidOptionsError("master", `ZooKeeper node ${source} has no master address`);
  }
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const endpoint = new URL(`${scheme}://${hostPart}:${port}${SCHEDULER_PATH}`);
  const id = nonEmpty(info.id);
  return id === undefined ? { endpoint, source } : { endpoint, id, source };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function portOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 65536
    ? value
    : undefined;
}
