import type { LocalAgent } from "./local-cluster.js";

/**
 * What the thread running a cluster tells the thread that started it.
 *
 * @example
 * ```ts
 * worker.on("message", (report: ThreadReport) => {
 *   if (report.kind === "started") console.log(report.masterUrl);
 * });
 * ```
 */
export type ThreadReport =
  | {
      readonly kind: "started";
      readonly masterUrl: string;
      readonly dashboardUrl: string | undefined;
      readonly workDir: string;
      readonly agents: readonly LocalAgent[];
    }
  | { readonly kind: "failed"; readonly code: "invalid-options" | "start-failed"; readonly message: string }
  | { readonly kind: "stopped"; readonly error?: string };

/**
 * What the starting thread asks of the cluster's thread.
 *
 * @example
 * ```ts
 * worker.postMessage({ kind: "stop" } satisfies ThreadRequest);
 * ```
 */
export type ThreadRequest = { readonly kind: "stop" };
