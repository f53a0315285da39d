import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { examples } from "../src/examples.js";
import { useCluster } from "./support/cluster.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

test("every example file is in run-all's list", () => {
  const helpers = new Set(["examples", "run-all", "one-off-executor-program"]);
  const files = readdirSync(new URL("../src", import.meta.url))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.slice(0, -3))
    .filter((f) => !helpers.has(f));
  expect(examples.map((e) => e.name).sort()).toEqual(files.sort());
});

describe("the built programs", () => {
  let cluster: Awaited<ReturnType<typeof useCluster>>;
  beforeAll(async () => {
    cluster = await useCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  test("an example runs on its own with node and prints its summary", async () => {
    const { stdout } = await run(process.execPath, ["dist/command-task.js"], {
      cwd: root,
      env: { ...process.env, MESOS_MASTER: cluster.master },
    });
    expect(stdout).toContain('CommandTask "echo 100": TASK_FINISHED');
    expect(stdout).toMatch(/^ok: echo 100 finished;/m);
  });

  test("run-all runs a selection on MESOS_MASTER and ends with the summary table", async () => {
    const { stdout } = await run(process.execPath, ["dist/run-all.js", "custom-task", "docker-task"], {
      cwd: root,
      env: { ...process.env, MESOS_MASTER: cluster.master },
    });
    expect(stdout).toContain(`MESOS_MASTER=${cluster.master}`);
    expect(stdout).toMatch(/^docker-task +\| ok +\|/m);
    expect(stdout).toMatch(/^custom-task +\| ok +\|/m);
    expect(stdout).toMatch(/2\/2 examples succeeded/);
  });

  test("run-all refuses an unknown example name", async () => {
    const failure = await run(process.execPath, ["dist/run-all.js", "no-such-example"], { cwd: root }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("unknown example(s): no-such-example");
  });
});
