import { main as futures } from "../src/futures.js";
import { main as multiprocessing } from "../src/multiprocessing.js";
import { recorder, useCluster } from "./support/cluster.js";

let cluster: Awaited<ReturnType<typeof useCluster>>;
beforeAll(async () => {
  cluster = await useCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

test("futures: submit, map in order, cancel of a running call", async () => {
  const { lines, log } = recorder();
  const summary = await futures(log);
  expect(summary).toContain("submit → 15");
  expect(lines).toContain("submit(mul, [3, 5]).result() = 15");
  expect(lines).toContain("map(mul, range(10), range(10)) = [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]");
  expect(lines.at(-1)).toBe(
    "cancel() on a running call: true, cancelled() = true, result() → CancelledError",
  );
});

test("multiprocessing: applyAsync, map and starmap", async () => {
  const { lines, log } = recorder();
  const summary = await multiprocessing(log);
  expect(summary).toBe("applyAsync → 3, 6; map → [1, 4, 9, 16, 25]; starmap → [2, 12]");
  expect(lines).toEqual([
    "applyAsync(lambda a, b: a + b, [1, 2]).get() = 3",
    "applyAsync(mul, [2, 3]).get() = 6",
    "map(x => x * x, [1..5], chunksize 2) = [1, 4, 9, 16, 25]",
    "starmap(mul, [[1, 2], [3, 4]]) = [2, 12]",
  ]);
});
