import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where an example writes what it did; `console.log` when run on its own. */
export type Log = (line: string) => void;

/** Every example module exports one of these: it runs the example, logs as it goes and returns a one-line summary. */
export type ExampleMain = (log?: Log) => Promise<string>;

/**
 * Runs `main` when the module at `moduleUrl` is the program Node.js was started with (`node dist/futures.js`),
 * and not when it is imported (by run-all or a test). A failure prints the error and sets a non-zero exit code.
 */
export function runIfMain(moduleUrl: string, main: ExampleMain): void {
  const entry = process.argv[1];
  if (entry === undefined) return;
  let same: boolean;
  try {
    same = realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    same = false;
  }
  if (!same) return;
  main().then(
    (summary) => console.log(`ok: ${summary}`),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    },
  );
}

/**
 * A file of this package's build, found from `src/` (under jest) and from `dist/` alike: both sit one level
 * below the package root, so `../dist/<name>` names the built file either way.
 */
export function builtFile(name: string, moduleUrl: string): URL {
  return new URL(`../dist/${name}`, moduleUrl);
}

/** Throws with `message` when `condition` is false: examples check what they print, so a wrong result fails them. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`example check failed: ${message}`);
}
