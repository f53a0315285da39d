#!/usr/bin/env node
import { bindWarning } from "../bind-warning.js";
import { parseCli, USAGE } from "../cli.js";
import { isLocalClusterError } from "../errors.js";
import { LocalCluster } from "../local-cluster.js";

async function main(): Promise<number> {
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `satyr-local: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
    );
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const warning = bindWarning(options.host ?? "127.0.0.1");
  if (warning !== undefined) process.stderr.write(`${warning}\n`);
  const cluster = await LocalCluster.start(options);
  process.stdout.write(`${cluster.masterUrl}\n`);
  for (const agent of cluster.agents)
    process.stderr.write(`satyr-local: agent ${agent.id} at ${agent.url}\n`);
  if (cluster.dashboardUrl !== undefined)
    process.stderr.write(`satyr-local: dashboard at ${cluster.dashboardUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`satyr-local: ${signal}, stopping\n`);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await cluster.stop();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = isLocalClusterError(error) ? error.code : "error";
    process.stderr.write(`satyr-local: ${code}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
