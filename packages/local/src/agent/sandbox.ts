import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import type { CommandInfo } from "@satyr/proto";

/**
 * A run's sandbox, laid out like a Mesos agent's work directory:
 * `<workDir>/slaves/<agent>/frameworks/<framework>/executors/<executor>/runs/<container>`.
 *
 * @example
 * ```ts
 * const dir = sandboxPath(workDir, agentId, frameworkId, executorId, containerId);
 * ```
 */
export function sandboxPath(
  workDir: string,
  agentId: string,
  frameworkId: string,
  executorId: string,
  containerId: string,
): string {
  return join(
    workDir,
    "slaves",
    agentId,
    "frameworks",
    frameworkId,
    "executors",
    executorId,
    "runs",
    containerId,
  );
}

/**
 * Starts a CommandInfo as Mesos does: `shell` (the default) runs `/bin/sh -c value`, otherwise `value` is the
 * program and `arguments` its argv. Runs in the sandbox, in its own process group (so a kill reaches its
 * children), stdout and stderr going to the sandbox's `stdout` and `stderr` files.
 *
 * @example
 * ```ts
 * const child = spawnCommand(task.command!, sandbox, { MESOS_SANDBOX: sandbox });
 * ```
 */
export function spawnCommand(
  command: CommandInfo,
  sandbox: string,
  env: Record<string, string>,
): ChildProcess {
  mkdirSync(sandbox, { recursive: true });
  const stdout = openSync(join(sandbox, "stdout"), "a");
  const stderr = openSync(join(sandbox, "stderr"), "a");
  const variables: Record<string, string> = { ...(process.env as Record<string, string>), ...env };
  for (const variable of command.environment?.variables ?? []) variables[variable.name] = variable.value;
  try {
    const options = {
      cwd: sandbox,
      env: variables,
      stdio: ["ignore", stdout, stderr] as ["ignore", number, number],
      detached: true,
    };
    return command.shell
      ? spawn("/bin/sh", ["-c", command.value], options)
      : spawn(command.value, command.arguments.slice(1), {
          ...options,
          argv0: command.arguments[0] ?? command.value,
        });
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
}

/**
 * Signals a process group (falling back to the process itself), ignoring processes already gone.
 *
 * @example
 * ```ts
 * signalGroup(child, "SIGTERM");
 * ```
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already exited.
    }
  }
}

const SIGNAL_TEXT: Record<string, string> = {
  SIGTERM: "Terminated",
  SIGKILL: "Killed",
  SIGINT: "Interrupt",
  SIGHUP: "Hangup",
  SIGQUIT: "Quit",
  SIGABRT: "Aborted",
  SIGSEGV: "Segmentation fault",
  SIGPIPE: "Broken pipe",
  SIGUSR1: "User defined signal 1",
  SIGUSR2: "User defined signal 2",
};

/**
 * The wording of Mesos's command executor for how a command ended (`WSTRINGIFY`): "exited with status 0",
 * "terminated with signal Terminated".
 *
 * @example
 * ```ts
 * describeExit(null, "SIGTERM"); // "Command terminated with signal Terminated"
 * ```
 */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `Command terminated with signal ${SIGNAL_TEXT[signal] ?? signal}`;
  return `Command exited with status ${code ?? 0}`;
}

/**
 * The raw POSIX wait status Mesos reports in FAILURE events: exit code shifted left by 8, or the signal number.
 *
 * @example
 * ```ts
 * waitStatus(3, null); // 768
 * ```
 */
export function waitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null) return (constants.signals as Record<string, number>)[signal] ?? 0;
  return ((code ?? 0) & 0xff) << 8;
}
