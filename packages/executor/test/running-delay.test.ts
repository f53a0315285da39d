import { TaskState } from "@satyr/proto";
import { FunctionExecutor } from "../src/index.js";
import { startHarness } from "./helpers/harness.js";
import { functionTask, resultOf } from "./helpers/tasks.js";

const { TASK_RUNNING, TASK_FINISHED, TASK_KILLED } = TaskState;

// TASK_RUNNING is only sent for tasks still running after SATYR_EXECUTOR_RUNNING_DELAY; shorter ones go from
// STAGING straight to their terminal state.
describe("running delay", () => {
  test("a task ending within the delay sends only its terminal update; a slower one RUNNING first", async () => {
    const harness = await startHarness({ env: { SATYR_EXECUTOR_RUNNING_DELAY: "150ms" } });
    const { agent } = harness;
    try {
      // The first task also waits for its worker thread to start; time the next ones on warm workers.
      agent.launch(functionTask("warm-up", () => undefined));
      await agent.terminal("warm-up");
      agent.launch(functionTask("quick", (x: number) => x * 2, [[21]]));
      agent.launch(
        functionTask("slow", () => new Promise((resolve) => setTimeout(() => resolve("late"), 600))),
      );
      expect(resultOf(await agent.terminal("quick")).outcomes).toEqual([{ ok: true, value: 42 }]);
      expect(agent.updatesOf("quick").map((s) => s.state)).toEqual([TASK_FINISHED]);
      await agent.waitFor(() => agent.updatesOf("slow").length > 0, "slow RUNNING");
      expect(agent.updatesOf("slow").map((s) => s.state)).toEqual([TASK_RUNNING]);
      expect(resultOf(await agent.terminal("slow")).outcomes).toEqual([{ ok: true, value: "late" }]);
      expect(agent.updatesOf("slow").map((s) => s.state)).toEqual([TASK_RUNNING, TASK_FINISHED]);
      expect(agent.rejected).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  test("with 0 every task is reported RUNNING, however short", async () => {
    const harness = await startHarness({ env: { SATYR_EXECUTOR_RUNNING_DELAY: "0" } });
    const { agent } = harness;
    try {
      for (let i = 0; i < 5; i++) agent.launch(functionTask(`t${i}`, () => undefined));
      for (let i = 0; i < 5; i++) {
        await agent.terminal(`t${i}`);
        expect(agent.updatesOf(`t${i}`).map((s) => s.state)).toEqual([TASK_RUNNING, TASK_FINISHED]);
      }
    } finally {
      await harness.close();
    }
  });

  test("the runningDelayMs option wins over the environment", async () => {
    const harness = await startHarness({
      env: { SATYR_EXECUTOR_RUNNING_DELAY: "10mins" },
      executor: new FunctionExecutor({ runningDelayMs: 0 }),
    });
    const { agent } = harness;
    try {
      agent.launch(functionTask("eager", () => 1));
      await agent.terminal("eager");
      expect(agent.updatesOf("eager").map((s) => s.state)).toEqual([TASK_RUNNING, TASK_FINISHED]);
    } finally {
      await harness.close();
    }
  });

  test("a task killed within the delay gets only TASK_KILLED; one killed after it RUNNING, then KILLED", async () => {
    const harness = await startHarness({
      agent: { executorCpus: 2 },
      env: { SATYR_EXECUTOR_RUNNING_DELAY: "300ms" },
    });
    const { agent } = harness;
    try {
      const spin = () => {
        for (;;) {}
      };
      agent.launch(functionTask("early", spin));
      agent.launch(functionTask("late", spin));
      // Both are taken by a worker at once (two cpus): kill one well within the delay.
      await new Promise((resolve) => setTimeout(resolve, 50));
      agent.kill("early");
      expect((await agent.terminal("early")).state).toBe(TASK_KILLED);
      await agent.waitFor(() => agent.updatesOf("late").length > 0, "late RUNNING");
      agent.kill("late");
      expect((await agent.terminal("late")).state).toBe(TASK_KILLED);
      // The delay of the killed task never fires afterwards.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(agent.updatesOf("early").map((s) => s.state)).toEqual([TASK_KILLED]);
      expect(agent.updatesOf("late").map((s) => s.state)).toEqual([TASK_RUNNING, TASK_KILLED]);
      expect(agent.rejected).toEqual([]);
    } finally {
      await harness.close();
    }
  });
});
