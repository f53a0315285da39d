import { open, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { DashboardError } from "./dashboard-error.js";

/** The most `/files/read` returns at once; the page asks again from the new offset for more. */
export const MAX_READ_BYTES = 1024 * 1024;

/** What `/files/read` answers, as a Mesos agent does: the text read and the byte offset it starts at. */
export interface FileChunk {
  readonly data: string;
  readonly offset: number;
}

/** One entry of `/files/browse`, with the fields a Mesos agent reports. */
export interface FileEntry {
  readonly path: string;
  readonly size: number;
  readonly mode: string;
  readonly mtime: number;
  readonly nlink: number;
  readonly uid: string;
  readonly gid: string;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * Resolves `path` (absolute, or relative to `root`) with every symlink followed and checks that it stays inside
 * `root`, so neither `..` nor a symlink a task leaves in its sandbox can reach the rest of the machine.
 *
 * @throws {@link DashboardError} `bad-request` for an empty path, `not-found` when it does not exist,
 * `forbidden` when it resolves outside `root`.
 * @example
 * ```ts
 * const file = await resolveWithin(cluster.workDir, `${sandbox}/stdout`);
 * ```
 */
export async function resolveWithin(root: string, path: string | null): Promise<string> {
  if (path === null || path === "") throw new DashboardError("bad-request", "missing 'path' query parameter");
  if (path.includes("\0")) throw new DashboardError("bad-request", "'path' contains a NUL character");
  const realRoot = await realpath(root);
  const requested = resolve(realRoot, path);
  // Check the lexical path first: a path outside must be refused even when it does not exist, so that the
  // answer does not reveal which files exist elsewhere on the machine. Both spellings of the root count (the
  // temporary directory may sit behind a symlink, as /tmp does on macOS).
  if (!inside(realRoot, requested) && !inside(resolve(root), resolve(root, path))) throw forbidden(path);
  let real: string;
  try {
    real = await realpath(requested);
  } catch (cause) {
    if (isErrno(cause, "ENOENT") || isErrno(cause, "ENOTDIR")) {
      throw new DashboardError("not-found", `no file or directory at ${path}`, { cause });
    }
    throw cause;
  }
  if (!inside(realRoot, real)) throw forbidden(path);
  return real;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function forbidden(path: string): DashboardError {
  return new DashboardError("forbidden", `path ${path} is outside the cluster's work directory`);
}

/**
 * Parses an integer query parameter, naming it when it is not one.
 *
 * @throws {@link DashboardError} `bad-request` naming the parameter.
 * @example
 * ```ts
 * integerParam(url.searchParams, "offset", -1); // -1 when absent
 * ```
 */
export function integerParam(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) {
    throw new DashboardError("bad-request", `'${name}' must be an integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Reads part of a file under `root` the way a Mesos agent's `/files/read` does: `offset` -1 (the default)
 * answers no data and the file's size as the offset, so a viewer can start at the end or learn how far to read;
 * otherwise up to `length` bytes (default and cap {@link MAX_READ_BYTES}) from `offset`.
 *
 * @throws {@link DashboardError} `bad-request` for a directory, a negative length, or an offset past the end;
 * plus whatever {@link resolveWithin} throws.
 * @example
 * ```ts
 * const { data, offset } = await readSandboxFile(workDir, `${sandbox}/stdout`, 0, 4096);
 * ```
 */
export async function readSandboxFile(
  root: string,
  path: string | null,
  offset: number,
  length?: number,
): Promise<FileChunk> {
  const file = await resolveWithin(root, path);
  const info = await stat(file);
  if (info.isDirectory()) throw new DashboardError("bad-request", `cannot read ${path}: it is a directory`);
  if (offset === -1) return { data: "", offset: info.size };
  if (offset < 0) throw new DashboardError("bad-request", `'offset' must be -1 or ≥ 0, got ${offset}`);
  if (offset > info.size) {
    throw new DashboardError(
      "bad-request",
      `'offset' ${offset} is beyond the size of ${path} (${info.size} bytes)`,
    );
  }
  if (length !== undefined && length < 0)
    throw new DashboardError("bad-request", `'length' must be ≥ 0, got ${length}`);
  const want = Math.min(length ?? MAX_READ_BYTES, MAX_READ_BYTES, info.size - offset);
  const buffer = Buffer.alloc(want);
  const handle = await open(file, "r");
  try {
    const { bytesRead } = await handle.read(buffer, 0, want, offset);
    return { data: buffer.subarray(0, bytesRead).toString("utf8"), offset };
  } finally {
    await handle.close();
  }
}

/**
 * Lists a directory under `root` like a Mesos agent's `/files/browse`.
 *
 * @throws {@link DashboardError} `bad-request` when the path is a file; plus whatever {@link resolveWithin} throws.
 * @example
 * ```ts
 * const entries = await browseSandbox(workDir, sandbox); // [{ path: ".../stdout", size: 16, … }, …]
 * ```
 */
export async function browseSandbox(root: string, path: string | null): Promise<FileEntry[]> {
  const dir = await resolveWithin(root, path);
  if (!(await stat(dir)).isDirectory())
    throw new DashboardError("bad-request", `cannot browse ${path}: it is a file`);
  const names = (await readdir(dir)).sort();
  const entries: FileEntry[] = [];
  for (const name of names) {
    const full = join(dir, name);
    try {
      const info = await stat(full);
      entries.push({
        path: full,
        size: info.size,
        mode: modeString(info.mode, info.isDirectory()),
        mtime: Math.floor(info.mtimeMs / 1000),
        nlink: info.nlink,
        uid: String(info.uid),
        gid: String(info.gid),
      });
    } catch (error) {
      // A file removed between readdir and stat is simply no longer there.
      if (!isErrno(error, "ENOENT")) throw error;
    }
  }
  return entries;
}

function modeString(mode: number, directory: boolean): string {
  const bits = "rwxrwxrwx";
  let out = directory ? "d" : "-";
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : "-";
  return out;
}

/** Where a task's sandbox lives, as `/dashboard/sandbox` answers. */
export interface SandboxLocation {
  /** The newest run's directory (a Mesos agent's `runs/latest`). */
  readonly directory: string;
  /** Every run of that executor, oldest first (one unless the executor id was reused). */
  readonly runs: readonly string[];
}

const ID_PATTERN = /^[^/\\\0]+$/;

function idParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === "")
    throw new DashboardError("bad-request", `missing '${name}' query parameter`);
  if (!ID_PATTERN.test(value) || value === "." || value === "..") {
    throw new DashboardError("bad-request", `'${name}' is not a valid id: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Finds the sandbox of an executor (a command task's executor id is its task id) on an agent, in the layout
 * the local agents use: `<workDir>/slaves/<agent>/frameworks/<framework>/executors/<executor>/runs/<container>`.
 * `/master/state` does not carry sandbox directories (a Mesos master does not know them either), so the page
 * asks for it here.
 *
 * @throws {@link DashboardError} `bad-request` naming a missing or malformed id, `not-found` when that executor
 * never ran (yet).
 * @example
 * ```ts
 * const { directory } = await locateSandbox(workDir, new URLSearchParams({ agent_id, framework_id, executor_id }));
 * ```
 */
export async function locateSandbox(root: string, params: URLSearchParams): Promise<SandboxLocation> {
  const agent = idParam(params, "agent_id");
  const framework = idParam(params, "framework_id");
  const executor = idParam(params, "executor_id");
  const runsDir = join(
    await realpath(root),
    "slaves",
    agent,
    "frameworks",
    framework,
    "executors",
    executor,
    "runs",
  );
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch (cause) {
    if (isErrno(cause, "ENOENT") || isErrno(cause, "ENOTDIR")) {
      throw new DashboardError(
        "not-found",
        `no sandbox yet for executor ${executor} of framework ${framework} on agent ${agent}`,
        { cause },
      );
    }
    throw cause;
  }
  const runs: { path: string; born: number }[] = [];
  for (const name of names) {
    const path = join(runsDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) runs.push({ path, born: info.birthtimeMs || info.ctimeMs });
  }
  if (runs.length === 0) {
    throw new DashboardError(
      "not-found",
      `no sandbox yet for executor ${executor} of framework ${framework} on agent ${agent}`,
    );
  }
  runs.sort((a, b) => a.born - b.born);
  return { directory: runs[runs.length - 1]!.path, runs: runs.map((r) => r.path) };
}
