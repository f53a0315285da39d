import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { CommandInfo_URI } from "@satyr/proto";

const run = promisify(execFile);
const ARCHIVES = [".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip"];

/**
 * Mesos's fetcher, for the sources a local cluster can reach: each `CommandInfo.URI` (a local path, `file://`,
 * `http://` or `https://`) lands in the sandbox under its base name (or `output_file`); `executable` makes it
 * executable; otherwise archives are extracted in place (`extract`, default true). Throws on the first URI that
 * cannot be fetched, naming it.
 *
 * @example
 * ```ts
 * await fetchUris(command.uris, sandbox);
 * ```
 */
export async function fetchUris(uris: readonly CommandInfo_URI[], sandbox: string): Promise<void> {
  await mkdir(sandbox, { recursive: true });
  for (const uri of uris) {
    const source = uri.value;
    const name = uri.outputFile !== "" ? uri.outputFile : basename(new URL(source, "file:///").pathname);
    const target = join(sandbox, name);
    try {
      if (/^https?:\/\//.test(source)) {
        const response = await fetch(source);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        await writeFile(target, Buffer.from(await response.arrayBuffer()));
      } else {
        await copyFile(source.startsWith("file://") ? fileURLToPath(source) : source, target);
      }
      if (uri.executable) {
        await chmod(target, 0o755);
      } else if (uri.extract && ARCHIVES.some((ext) => name.endsWith(ext))) {
        if (name.endsWith(".zip")) await run("unzip", ["-o", "-q", target, "-d", sandbox]);
        else await run("tar", ["-xf", target, "-C", sandbox]);
      }
    } catch (error) {
      throw new Error(
        `Failed to fetch '${source}': ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}
