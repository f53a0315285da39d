#!/usr/bin/env node
import { FunctionExecutor } from "../function-executor.js";
import { OneOffExecutor } from "../one-off-executor.js";
import { runExecutor } from "../run-executor.js";

// The program a Mesos agent starts: reads MESOS_* and SATYR_* from the environment, runs function tasks until
// SHUTDOWN, the idle timeout or the loss of the agent, and exits 0 (1 when the agent was lost, 2 on bad usage).
const USAGE = `usage: satyr-executor [--one-off]

Runs satyr function tasks for a Mesos agent (which sets MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID,
MESOS_EXECUTOR_ID, ...). Options:
  --one-off   run a single task, then exit (the original satyr OneOffExecutor)
Environment: SATYR_EXECUTOR_CODEC=protobuf|json, SATYR_MODULE_ROOT=<dir>,
  SATYR_EXECUTOR_IDLE_TIMEOUT=<duration>, SATYR_MAX_RESULT_BYTES=<bytes>,
  SATYR_EXECUTOR_RUNNING_DELAY=<duration> (TASK_RUNNING only for tasks running longer; 0 always)
`;

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== "--one-off" && arg !== "--help" && arg !== "-h");
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (unknown.length > 0) {
    process.stderr.write(`satyr-executor: unknown argument ${JSON.stringify(unknown[0])}\n${USAGE}`);
    return 2;
  }
  const executor = argv.includes("--one-off") ? new OneOffExecutor() : new FunctionExecutor();
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    const exit = await runExecutor(executor, { signal: controller.signal });
    if (exit.error !== undefined) process.stderr.write(`satyr-executor: ${exit.error.message}\n`);
    return exit.reason === "agent-lost" ? 1 : 0;
  } catch (error) {
    process.stderr.write(`satyr-executor: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

// Exit explicitly: task code may have left handles (timers, sockets) open in the workers or here.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`satyr-executor: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
