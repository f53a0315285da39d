// The third-party scheduler ../shared/interop/mesos-go-probe (the Go library mesos-go) against the local
// cluster, with both codecs and 20 tasks.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalCluster } from "../src/index.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const shared = resolve(repoRoot, "..", "shared");
const buildScript = join(shared, "interop", "mesos-go-probe", "build.sh");

// Built while the suite is collected (the first go build takes a minute or two); a machine where Go cannot
// be installed skips these tests with the reason.
const build = spawnSync("sh", [buildScript], { encoding: "utf8", timeout: 600_000 });
const binary = build.status === 0 ? build.stdout.trim().split("\n").pop() : undefined;
if (binary === undefined) {
  process.stderr.write(
    `mesos-go probe skipped: ${buildScript} could not build the probe (Go or mesos-go could not be installed):\n${build.stderr ?? build.error}\n`,
  );
}
const probeTest = binary === undefined ? test.skip : test;

let cluster: LocalCluster;
beforeAll(async () => {
  cluster = await LocalCluster.start({
    resources: { cpus: 2, mem: 2048, disk: 4096 },
    allocationIntervalMs: 200,
  });
});
afterAll(() => cluster.stop());

function runProbe(codec: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary!, [
      "-master",
      cluster.masterUrl,
      "-codec",
      codec,
      "-tasks",
      "20",
      "-timeout",
      "60s",
    ]);
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolvePromise({ code, output }));
  });
}

probeTest.each(["protobuf", "json"])(
  "mesos-go runs 20 command tasks to TASK_FINISHED with the %s codec",
  async (codec) => {
    const { code, output } = await runProbe(codec);
    const summary = output.split("\n").find((line) => line.startsWith("mesos-go scheduler: 20/20"));
    if (code !== 0) throw new Error(`probe exited ${code}:\n${output.slice(-3000)}`);
    expect(summary).toContain(`20/20 finished, codec=${codec}`);
    expect(output).toContain("call TEARDOWN -> accepted");
  },
  90_000,
);
