import { type Executor, type ExecutorExit, FunctionExecutor, runExecutor } from "../../src/index.js";
import { FakeAgent, type FakeAgentOptions } from "./fake-agent.js";

/** A fake agent with an executor subscribed to it, run in this process. */
export interface Harness {
  readonly agent: FakeAgent;
  readonly run: Promise<ExecutorExit>;
  /** Shuts the executor down (if still running) and stops the agent. */
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    agent?: FakeAgentOptions;
    env?: Record<string, string>;
    executor?: Executor;
    initialBackoffMs?: number;
  } = {},
): Promise<Harness> {
  const agent = await FakeAgent.start({ executorCpus: 2, ...options.agent });
  const controller = new AbortController();
  const run = runExecutor(options.executor ?? new FunctionExecutor(), {
    env: agent.env(options.env),
    signal: controller.signal,
    ...(options.initialBackoffMs === undefined ? {} : { initialBackoffMs: options.initialBackoffMs }),
  });
  let exited = false;
  void run.then(() => {
    exited = true;
  });
  await agent.waitFor(() => agent.subscribed, "the executor to subscribe");
  return {
    agent,
    run,
    async close() {
      if (!exited && agent.subscribed) agent.shutdown();
      else controller.abort();
      await run;
      await agent.stop();
    },
  };
}
