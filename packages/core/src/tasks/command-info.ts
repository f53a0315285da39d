import { create } from "@bufbuild/protobuf";
import {
  type CommandInfo,
  type CommandInfo_URI,
  CommandInfo_URISchema,
  CommandInfoSchema,
  EnvironmentSchema,
} from "@satyr/proto";

/**
 * A URI the Mesos fetcher downloads into the sandbox before the command runs.
 *
 * @example
 * ```ts
 * const tool: UriOptions = { value: "https://example.com/bin/tool", executable: true, cache: true };
 * new CommandTask({ command: "./tool --version", uris: [tool, "https://example.com/data.tgz"] });
 * ```
 */
export interface UriOptions {
  readonly value: string;
  readonly executable?: boolean;
  /** Unpack archives (Mesos default true). */
  readonly extract?: boolean;
  readonly cache?: boolean;
  readonly outputFile?: string;
}

/**
 * A command: a shell string, or an executable with its argv (`shell: false`).
 *
 * @example
 * ```ts
 * const viaShell: CommandSpec = "echo $HOME > home.txt";
 * // argv[0] included, as Mesos expects when shell is false.
 * const direct: CommandSpec = { value: "/usr/bin/env", arguments: ["env", "-i", "date"], shell: false };
 * ```
 */
export type CommandSpec =
  | string
  | { readonly value: string; readonly arguments?: readonly string[]; readonly shell?: boolean };

/**
 * The parts of a Mesos `CommandInfo` that tasks and executors configure.
 *
 * @example
 * ```ts
 * const options: CommandOptions = {
 *   command: "python3 train.py",
 *   environment: { EPOCHS: "10" },
 *   uris: ["https://example.com/train.py"],
 *   user: "ml",
 * };
 * const info = commandInfo(options);
 * ```
 */
export interface CommandOptions {
  readonly command: CommandSpec;
  readonly environment?: Readonly<Record<string, string>>;
  readonly uris?: readonly (string | UriOptions)[];
  /** The OS user to run as (default: the framework's user). */
  readonly user?: string;
}

/**
 * Encodes a command for Mesos: a string runs with `/bin/sh -c`; `{ value, arguments, shell: false }` runs the
 * executable directly with `arguments` as its argv (argv[0] included, as Mesos expects).
 *
 * @example
 * ```ts
 * commandInfo({ command: "echo 100", environment: { GREETING: "hi" }, uris: ["https://example.com/a.tgz"] });
 * ```
 */
export function commandInfo(options: CommandOptions): CommandInfo {
  const spec =
    typeof options.command === "string" ? { value: options.command, shell: true } : options.command;
  const info = create(CommandInfoSchema, {
    value: spec.value,
    shell: spec.shell ?? true,
    arguments: [...(spec.arguments ?? [])],
    uris: (options.uris ?? []).map(uriInfo),
  });
  if (options.environment !== undefined) {
    info.environment = create(EnvironmentSchema, {
      variables: Object.entries(options.environment).map(([name, value]) => ({ name, value })),
    });
  }
  if (options.user !== undefined) info.user = options.user;
  return info;
}

function uriInfo(uri: string | UriOptions): CommandInfo_URI {
  const o = typeof uri === "string" ? { value: uri } : uri;
  return create(CommandInfo_URISchema, {
    value: o.value,
    ...(o.executable === undefined ? {} : { executable: o.executable }),
    ...(o.extract === undefined ? {} : { extract: o.extract }),
    ...(o.cache === undefined ? {} : { cache: o.cache }),
    ...(o.outputFile === undefined ? {} : { outputFile: o.outputFile }),
  });
}
