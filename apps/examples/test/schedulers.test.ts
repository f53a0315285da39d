import { main as customOffers } from "../src/custom-offers.js";
import { main as customScheduler } from "../src/custom-scheduler.js";
import { main as rxPipeline } from "../src/rx-pipeline.js";
import { main as workQueue } from "../src/work-queue.js";
import { recorder, useCluster } from "./support/cluster.js";

let cluster: Awaited<ReturnType<typeof useCluster>>;
beforeAll(async () => {
  cluster = await useCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

test("work queue: sum(range(10)) = 45; a failing task does not stop the framework", async () => {
  const { lines, log } = recorder();
  const summary = await workQueue(log);
  expect(summary).toContain("sum(range(10)) = 45");
  expect(lines).toContain("a throwing task rejects alone: RangeError: no such page");
  expect(lines).toContain("and the framework goes on: STILL HERE");
});

test("custom scheduler: onUpdate sees every update, the queue still resolves", async () => {
  const { lines, log } = recorder();
  const summary = await customScheduler(log);
  expect(summary).toBe("onUpdate saw TASK_RUNNING → TASK_FINISHED; sum(range(9)) = 36");
  expect(lines.filter((l) => l.startsWith("Status update received for task "))).toHaveLength(2);
});

test("custom offer handling: onOffers launches tasks on offers they fit", async () => {
  const { lines, log } = recorder();
  const summary = await customOffers(log);
  expect(summary).toContain("launched 2 tasks");
  expect(lines.filter((l) => l.startsWith("launching "))).toHaveLength(2);
  expect(lines.filter((l) => l.endsWith(": TASK_FINISHED"))).toHaveLength(2);
});

test("RxJS pipeline: packWith → launchOn → declineRest runs all three tasks", async () => {
  const { lines, log } = recorder();
  const summary = await rxPipeline(log);
  expect(summary).toMatch(/3 tasks in \d ACCEPT\(s\); 42, "rytas", echo finished$/);
  expect(lines).toContain('multiply(6, 7) = 42, reverse("satyr") = rytas, echo: TASK_FINISHED');
});
