import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** The `satyr-local` program of the built `@satyr/local` this package depends on (jest runs in its directory). */
export function satyrLocalBin(): string {
  return join(process.cwd(), "node_modules", "@satyr", "local", "dist", "bin", "satyr-local.js");
}

/** A free loopback port (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** A `satyr-local` running as its own process: its master URL, its output, and a way to kill it. */
export interface LocalProcess {
  readonly child: ChildProcess;
  readonly masterUrl: string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once it has exited. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `satyr-local` with `args` and resolves once it printed its master URL; rejects with its stderr if it
 * exits first or takes longer than `timeoutMs`.
 */
export async function startSatyrLocal(args: readonly string[], timeoutMs = 20_000): Promise<LocalProcess> {
  const child = spawn(process.execPath, [satyrLocalBin(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const masterUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`satyr-local printed no URL within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line !== undefined) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`satyr-local exited (${code}) before printing its URL: ${stderr}`));
    });
  });
  return { child, masterUrl, stderr: () => stderr, exited };
}

/**
 * Kills (SIGKILL) every process whose environment mentions `marker` — the executors a killed `satyr-local`
 * left behind (they run in their own process groups). Returns how many there were. Linux only (/proc).
 */
export function killProcessesWithEnv(marker: string): number {
  let killed = 0;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(marker)) {
        process.kill(pid, "SIGKILL");
        killed++;
      }
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return killed;
}
