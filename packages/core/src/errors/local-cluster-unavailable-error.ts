import { hasErrorName, SatyrError } from "./satyr-error.js";

/**
 * `run()` found no master (no `master` option, no `MESOS_MASTER`) and could not load the optional peer
 * dependency `@satyr/local` to start an embedded cluster. The message says how to install it.
 *
 * @example
 * ```ts
 * await run(scheduler, { name: "x" }).catch((e) => { if (isLocalClusterUnavailableError(e)) console.log(e.message); });
 * ```
 */
export class LocalClusterUnavailableError extends SatyrError {
  override readonly name = "LocalClusterUnavailableError" as const;

  constructor(cause: unknown) {
    super(
      "No Mesos master given (option `master` or MESOS_MASTER) and the embedded cluster package @satyr/local " +
        "is not installed: install it with `pnpm add @satyr/local` (or `npm install @satyr/local`), or set MESOS_MASTER.",
      { cause },
    );
  }
}

/**
 * True for a {@link LocalClusterUnavailableError} (name-based).
 *
 * @example
 * ```ts
 * if (isLocalClusterUnavailableError(error)) process.exitCode = 2;
 * ```
 */
export function isLocalClusterUnavailableError(error: unknown): error is LocalClusterUnavailableError {
  return hasErrorName(error, "LocalClusterUnavailableError");
}
