import { InvalidOptionsError } from "../errors/invalid-options-error.js";

/**
 * The path of the scheduler API under a master's base URL.
 *
 * @example
 * ```ts
 * new URL(SCHEDULER_PATH, "http://m1:5050").href; // "http://m1:5050/api/v1/scheduler"
 * ```
 */
export const SCHEDULER_PATH = "/api/v1/scheduler";

/**
 * Where to find the leading master: fixed URLs (tried in turn, 307 redirects followed), or a ZooKeeper group.
 *
 * @example
 * ```ts
 * parseMaster("zk://zk1:2181,zk2:2181/mesos"); // { kind: "zookeeper", servers: "zk1:2181,zk2:2181", path: "/mesos" }
 * ```
 */
export type MasterAddress =
  | { readonly kind: "urls"; readonly endpoints: readonly URL[] }
  | {
      readonly kind: "zookeeper";
      /** `host:port` pairs, comma separated, as ZooKeeper clients take them. */
      readonly servers: string;
      /** The group znode the masters register under, e.g. `/mesos`. */
      readonly path: string;
      /** `user:password` for ZooKeeper digest authentication, if the URL carried one. */
      readonly digest?: string;
    };

/**
 * Parses a master option: `http(s)://host:port[/prefix]`, bare `host:port`, a comma list of those, or
 * `zk://[user:pass@]h1:2181,h2:2181/path`. Endpoints are the full scheduler API URLs.
 *
 * @throws {@link InvalidOptionsError} naming the malformed part.
 * @example
 * ```ts
 * parseMaster("http://m1:5050,http://m2:5050").endpoints.map(String);
 * // ["http://m1:5050/api/v1/scheduler", "http://m2:5050/api/v1/scheduler"]
 * ```
 */
export function parseMaster(master: string, defaultScheme: "http" | "https" = "http"): MasterAddress {
  const text = master.trim();
  if (text === "") throw new InvalidOptionsError("master", "is empty");
  if (/^zk:\/\//i.test(text)) return parseZookeeper(text);
  const parts = text.split(",").map((part) => part.trim());
  return {
    kind: "urls",
    endpoints: parts.map((part, i) => parseEndpoint(part, `master[${i}]`, defaultScheme)),
  };
}

function parseEndpoint(part: string, option: string, defaultScheme: string): URL {
  if (part === "") throw new InvalidOptionsError(option, "is empty (stray comma?)");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(part) ? part : `${defaultScheme}://${part}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new InvalidOptionsError(option, `${JSON.stringify(part)} is not a URL`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidOptionsError(option, `${JSON.stringify(part)}: scheme must be http, https or zk`);
  }
  if (url.hostname === "") throw new InvalidOptionsError(option, `${JSON.stringify(part)} has no host`);
  if (url.username !== "" || url.password !== "") {
    throw new InvalidOptionsError(option, "put credentials in the `credentials` option, not in the URL");
  }
  if (url.search !== "" || url.hash !== "") {
    throw new InvalidOptionsError(option, `${JSON.stringify(part)} must not have a query or fragment`);
  }
  const prefix = url.pathname.replace(/\/+$/, "");
  url.pathname = prefix.endsWith(SCHEDULER_PATH) ? prefix : `${prefix}${SCHEDULER_PATH}`;
  return url;
}

function parseZookeeper(text: string): MasterAddress {
  const rest = text.slice("zk://".length);
  const slash = rest.indexOf("/");
  let authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? "/" : rest.slice(slash).replace(/\/+$/, "") || "/";
  let digest: string | undefined;
  const at = authority.lastIndexOf("@");
  if (at !== -1) {
    digest = authority.slice(0, at);
    authority = authority.slice(at + 1);
    if (!digest.includes(":"))
      throw new InvalidOptionsError("master", "ZooKeeper credentials must be user:password");
  }
  if (authority === "")
    throw new InvalidOptionsError("master", `${JSON.stringify(text)} names no ZooKeeper server`);
  for (const server of authority.split(",")) {
    const match = /^(\[[0-9a-f:.]+\]|[^:\s[\]]+)(?::(\d{1,5}))?$/i.exec(server);
    const port = match?.[2] === undefined ? 2181 : Number(match[2]);
    if (!match || port < 1 || port > 65535) {
      throw new InvalidOptionsError("master", `ZooKeeper server ${JSON.stringify(server)} is not host:port`);
    }
  }
  if (/\/\/|[\s]/.test(path) || path.split("/").some((c) => c === "." || c === "..")) {
    throw new InvalidOptionsError(
      "master",
      `ZooKeeper path ${JSON.stringify(path)} is not a valid znode path`,
    );
  }
  return digest === undefined
    ? { kind: "zookeeper", servers: authority, path }
    : { kind: "zookeeper", servers: authority, path, digest };
}

/**
 * The base URL a scheduler endpoint belongs to, e.g. `http://m1:5050` for `http://m1:5050/api/v1/scheduler`.
 *
 * @example
 * ```ts
 * masterBaseUrl(new URL("http://m1:5050/api/v1/scheduler")); // "http://m1:5050"
 * ```
 */
export function masterBaseUrl(endpoint: URL): string {
  const path = endpoint.pathname.endsWith(SCHEDULER_PATH)
    ? endpoint.pathname.slice(0, -SCHEDULER_PATH.length)
    : endpoint.pathname.replace(/\/+$/, "");
  return `${endpoint.origin}${path}`;
}

/**
 * Resolves a redirect `Location` against the URL that answered. Mesos sends protocol-relative locations
 * (`//leader:5050/api/v1/scheduler`), which keep the current scheme; a bare `//host:port` (as `/redirect`
 * answers) keeps the current path.
 *
 * @example
 * ```ts
 * resolveRedirect("//m2:5050/api/v1/scheduler", new URL("https://m1:5050/api/v1/scheduler")).href;
 * // "https://m2:5050/api/v1/scheduler"
 * ```
 */
export function resolveRedirect(location: string, from: URL): URL {
  const target = new URL(location, from);
  if (target.pathname === "/" && !/^(?:[a-z]+:)?\/\/[^/]+\/./i.test(location))
    target.pathname = from.pathname;
  return target;
}
