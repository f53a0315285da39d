import { NO_DOCKER_MESSAGE } from "@satyr/local";
import { main as commandTask } from "../src/command-task.js";
import { main as customTask } from "../src/custom-task.js";
import { main as dockerTask } from "../src/docker-task.js";
import { main as functionTask } from "../src/function-task.js";
import { main as oneOffExecutor } from "../src/one-off-executor.js";
import { recorder, useCluster } from "./support/cluster.js";

let cluster: Awaited<ReturnType<typeof useCluster>>;
beforeAll(async () => {
  cluster = await useCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

test("command task: echo 100, the raw CommandInfo form, and exit 3 failing alone", async () => {
  const { lines, log } = recorder();
  const summary = await commandTask(log);
  expect(summary).toBe(
    "echo 100 finished; raw CommandInfo finished; exit 3 → TaskFailedError after 1 attempt",
  );
  expect(lines[2]).toMatch(/Command exited with status 3/);
});

test("docker task: the local cluster refuses Docker with a clear reason", async () => {
  const { lines, log } = recorder();
  const summary = await dockerTask(log);
  expect(summary).toContain("refused Docker clearly (REASON_CONTAINER_LAUNCH_FAILED)");
  expect(lines.at(-1)).toContain(NO_DOCKER_MESSAGE);
});

test("function task: function value, async lambda, module reference, and the captured-variable limit", async () => {
  const { lines, log } = recorder();
  const summary = await functionTask(log);
  expect(summary).toContain("sum → 10");
  expect(lines).toContain("sum(range(5)) = 10");
  expect(lines.at(-1)).toMatch(
    /^a function capturing a variable fails clearly: ReferenceError: factor is not defined/,
  );
});

test("custom task: onUpdate, own methods, decodes back into its class", async () => {
  const { lines, log } = recorder();
  const summary = await customTask(log);
  expect(summary).toMatch(/TASK_RUNNING → TASK_FINISHED; decodes back into CustomTask$/);
  expect(lines).toContain("uppercaseTaskName() = CUSTOM-TASK");
  expect(lines).toContain("its TaskInfo decodes back into CustomTask: customMethod() = Arbitrary stuff");
});

test("one-off executor: a custom executor program runs one task each, FINISHED and FAILED", async () => {
  const { lines, log } = recorder();
  const summary = await oneOffExecutor(log);
  expect(summary).toBe('custom executor program ran 2 tasks: FINISHED with 10, FAILED with "Booom!"');
  expect(lines[0]).toMatch(/^one-off-sum: TASK_FINISHED with 10, run by one-off-executor-program/);
  expect(lines[1]).toMatch(/^one-off-boom: TASK_FAILED, Error: Booom!, run by one-off-executor-program/);
});
