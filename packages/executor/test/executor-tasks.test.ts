import { TaskState } from "@satyr/proto";
import { FunctionExecutor, runExecutor } from "../src/index.js";
import { FakeAgent } from "./helpers/fake-agent.js";
import { functionTask, resultOf } from "./helpers/tasks.js";

describe("FunctionExecutor against a fake agent", () => {
  let agent: FakeAgent;
  beforeEach(async () => {
    agent = await FakeAgent.start({ executorCpus: 2 });
  });
  afterEach(async () => {
    await agent.stop();
  });

  test("runs a source function and reports RUNNING then FINISHED with the result", async () => {
    const run = runExecutor(new FunctionExecutor(), { env: agent.env() });
    await agent.waitFor(() => agent.subscribed, "SUBSCRIBE");
    agent.launch(functionTask("sum", (xs: number[]) => xs.reduce((a, b) => a + b, 0), [[[0, 1, 2, 3]]]));
    const done = await agent.terminal("sum");
    expect(agent.updatesOf("sum").map((s) => s.state)).toEqual([
      TaskState.TASK_RUNNING,
      TaskState.TASK_FINISHED,
    ]);
    expect(resultOf(done)).toEqual({ outcomes: [{ ok: true, value: 6 }] });
    agent.shutdown();
    await expect(run).resolves.toMatchObject({ reason: "shutdown", unacknowledgedUpdates: 0 });
  });
});
