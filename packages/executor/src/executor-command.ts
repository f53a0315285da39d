import { fileURLToPath } from "node:url";

/**
 * A `CommandInfo` (shell off) that starts `satyr-executor`.
 *
 * @example
 * ```ts
 * const command: ExecutorCommand = executorCommand();
 * ```
 */
export interface ExecutorCommand {
  /** The program: the current Node.js (`process.execPath`). */
  readonly value: string;
  /** argv as Mesos passes it with `shell: false`: argv[0] (the program again), then the executor script. */
  readonly arguments: string[];
  readonly shell: false;
}

/**
 * The command that runs the installed `satyr-executor` with the current Node.js, for an `ExecutorInfo`. With
 * `shell: false` Mesos execs `value` with `arguments` as the complete argv, so `arguments[0]` is the program's
 * name. The script is this package's `dist/bin/satyr-executor.js`, so the agent must see the same file system
 * (true for the local cluster and for agents with satyr installed at the same path).
 *
 * @example
 * ```ts
 * const executor = create(ExecutorInfoSchema, {
 *   executorId: { value: "satyr" }, type: ExecutorInfo_Type.CUSTOM, command: executorCommand(),
 *   resources: [...],
 * });
 * ```
 */
export function executorCommand(): ExecutorCommand {
  // This file sits one level below the package root as source (src/) and compiled (dist/).
  const script = fileURLToPath(new URL("../dist/bin/satyr-executor.js", import.meta.url));
  return { value: process.execPath, arguments: [process.execPath, script], shell: false };
}
