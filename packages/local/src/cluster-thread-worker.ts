/**
 * The worker-thread side of {@link startClusterThread}: starts a {@link LocalCluster} with the options it was
 * given, reports its addresses, and stops it when asked. Not imported by anything; Node loads it as a worker.
 *
 * @example
 * ```ts
 * new Worker(new URL("./cluster-thread-worker.js", import.meta.url), { workerData: { agents: 2 } });
 * ```
 * @packageDocumentation
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ThreadReport, ThreadRequest } from "./cluster-thread-protocol.js";
import { LocalCluster } from "./local-cluster.js";
import type { LocalClusterOptions } from "./options.js";

const port = parentPort;
if (port === null) throw new Error("cluster-thread-worker must run as a worker thread");

const options = workerData as LocalClusterOptions;
// Buffers arrive as plain Uint8Arrays after the structured clone; TLS wants Buffers or strings.
const tls =
  options.tls === undefined
    ? undefined
    : { key: asTlsInput(options.tls.key), cert: asTlsInput(options.tls.cert) };

function asTlsInput(value: string | Uint8Array): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value);
}

function report(message: ThreadReport): void {
  port!.postMessage(message);
}

try {
  const cluster = await LocalCluster.start({ ...options, ...(tls === undefined ? {} : { tls }) });
  port.on("message", (request: ThreadRequest) => {
    if (request.kind !== "stop") return;
    cluster.stop().then(
      () => report({ kind: "stopped" }),
      (error: unknown) => report({ kind: "stopped", error: String(error) }),
    );
  });
  report({
    kind: "started",
    masterUrl: cluster.masterUrl,
    dashboardUrl: cluster.dashboardUrl,
    workDir: cluster.workDir,
    agents: cluster.agents,
  });
} catch (error) {
  report({
    kind: "failed",
    code: (error as { code?: unknown }).code === "invalid-options" ? "invalid-options" : "start-failed",
    message: error instanceof Error ? error.message : String(error),
  });
  port.close();
}
