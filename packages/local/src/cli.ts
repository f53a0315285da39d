import { parseArgs } from "node:util";
import { readCredentialsFile } from "./credentials-file.js";
import { LocalClusterError } from "./errors.js";
import type { AgentResources, LocalClusterOptions } from "./options.js";

/** The usage text of `satyr-local`. */
export const USAGE = `Usage: satyr-local [options]

Runs an embedded Mesos-compatible cluster (master and agents) in the foreground and prints the master URL.
Stops cleanly on SIGINT or SIGTERM.

Options:
  --agents <n>                  number of agents (default 1)
  --host <ip>                   interface to bind (default 127.0.0.1: loopback only; any other
                                address is reported with a warning)
  --credentials <file>          require HTTP basic authentication of frameworks with these
                                credentials (Mesos's format: JSON {"credentials": [...]} or
                                "principal secret" lines)
  --port <n>                    master port (default 0: any free port)
  --cpus <n> --mem <mb> --disk <mb> --gpus <n>
                                resources of each agent (default: a fair share of this machine)
  --ports <b-e[,b-e]>           port ranges of each agent, e.g. 31000-32000
  --resource <name=value>       a custom scalar resource (repeatable), e.g. fpgas=2
  --attribute <name=value>      an attribute of every agent (repeatable)
  --work-dir <dir>              sandbox root (default: a temporary directory)
  --keep-work-dir               keep the work directory on exit
  --allocation-interval <ms>    batch allocation interval (default 1000)
  --offer-timeout <ms>          rescind offers held longer (default: never)
  --heartbeat-interval <s>      seconds between HEARTBEAT events (default 15)
  --no-dashboard                do not serve the web dashboard at the master's /
  -h, --help                    show this help
`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new LocalClusterError(
      "invalid-options",
      `--${name} must be a number, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function pairs(name: string, values: readonly string[]): [string, string][] {
  return values.map((v) => {
    const eq = v.indexOf("=");
    if (eq <= 0)
      throw new LocalClusterError(
        "invalid-options",
        `--${name} expects name=value, got ${JSON.stringify(v)}`,
      );
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

/**
 * Parses `satyr-local`'s command line into cluster options (or `"help"`).
 *
 * @throws {@link LocalClusterError} `invalid-options` naming the bad flag.
 * @example
 * ```ts
 * parseCli(["--agents", "2", "--port", "5050"]); // { agents: 2, port: 5050 }
 * ```
 */
export function parseCli(argv: readonly string[]): LocalClusterOptions | "help" {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        agents: { type: "string" },
        host: { type: "string" },
        credentials: { type: "string" },
        port: { type: "string" },
        cpus: { type: "string" },
        mem: { type: "string" },
        disk: { type: "string" },
        gpus: { type: "string" },
        ports: { type: "string" },
        resource: { type: "string", multiple: true },
        attribute: { type: "string", multiple: true },
        "work-dir": { type: "string" },
        "keep-work-dir": { type: "boolean" },
        "allocation-interval": { type: "string" },
        "offer-timeout": { type: "string" },
        "heartbeat-interval": { type: "string" },
        "no-dashboard": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (cause) {
    throw new LocalClusterError("invalid-options", cause instanceof Error ? cause.message : String(cause), {
      cause,
    });
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help === true) return "help";
  const str = (k: string) => v[k] as string | undefined;
  const resources: Record<string, number | [number, number][]> = {};
  for (const name of ["cpus", "mem", "disk", "gpus"]) {
    const n = number(name, str(name));
    if (n !== undefined) resources[name] = n;
  }
  const ports = str("ports");
  if (ports !== undefined) {
    resources.ports = ports.split(",").map((range) => {
      const m = /^(\d+)-(\d+)$/.exec(range.trim());
      if (m === null)
        throw new LocalClusterError(
          "invalid-options",
          `--ports expects begin-end[,begin-end], got ${JSON.stringify(ports)}`,
        );
      return [Number(m[1]), Number(m[2])] as [number, number];
    });
  }
  for (const [name, value] of pairs("resource", (v.resource as string[] | undefined) ?? [])) {
    resources[name] = number(`resource ${name}`, value)!;
  }
  const attributes = Object.fromEntries(pairs("attribute", (v.attribute as string[] | undefined) ?? []));
  const options: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) options[key] = value;
  };
  set("agents", number("agents", str("agents")));
  set("host", str("host"));
  set("port", number("port", str("port")));
  const credentials = str("credentials");
  if (credentials !== undefined) set("credentials", readCredentialsFile(credentials));
  if (Object.keys(resources).length > 0) set("resources", resources as AgentResources);
  if (Object.keys(attributes).length > 0) set("attributes", attributes);
  set("workDir", str("work-dir"));
  if (v["keep-work-dir"] === true) set("keepWorkDir", true);
  set("allocationIntervalMs", number("allocation-interval", str("allocation-interval")));
  set("offerTimeoutMs", number("offer-timeout", str("offer-timeout")));
  set("heartbeatIntervalSeconds", number("heartbeat-interval", str("heartbeat-interval")));
  if (v["no-dashboard"] === true) set("dashboard", false);
  return options as LocalClusterOptions;
}
