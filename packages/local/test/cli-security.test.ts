import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "../src/cli.js";
import { bindWarning, isLocalClusterError, parseCredentials } from "../src/index.js";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin", "satyr-local.js");

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

test("credentials files in both Mesos formats; bad ones are refused without echoing a secret", () => {
  const expected = [
    { principal: "ops", secret: "s3cret" },
    { principal: "ci", secret: "t0ken" },
  ];
  expect(
    parseCredentials(
      '{"credentials": [{"principal": "ops", "secret": "s3cret"}, {"principal": "ci", "secret": "t0ken"}]}',
    ),
  ).toEqual(expected);
  expect(parseCredentials("# operators\nops s3cret\n\nci t0ken\n")).toEqual(expected);
  for (const bad of [
    '{"credentials": [{"principal": "", "secret": "s3cret"}]}',
    "ops s3cret extra",
    "",
    "{nope",
  ]) {
    const error = thrown(() => parseCredentials(bad));
    expect(isLocalClusterError(error) && error.code).toBe("invalid-options");
    expect((error as Error).message).not.toContain("s3cret");
  }
  const dir = mkdtempSync(join(tmpdir(), "satyr-cred-"));
  try {
    const file = join(dir, "credentials");
    writeFileSync(file, "ops s3cret\n");
    expect(parseCli(["--credentials", file])).toEqual({
      credentials: [{ principal: "ops", secret: "s3cret" }],
    });
    const missing = thrown(() => parseCli(["--credentials", join(dir, "absent")]));
    expect(isLocalClusterError(missing) && missing.message).toMatch(/cannot read the credentials file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("binding anything but loopback is reported", () => {
  for (const host of ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
    expect(bindWarning(host)).toBeUndefined();
  expect(bindWarning("0.0.0.0")).toMatch(/WARNING: listening on every interface/);
  expect(bindWarning("::")).toMatch(/every interface/);
  expect(bindWarning("192.168.1.5")).toMatch(/192\.168\.1\.5, not only loopback/);
});

test("satyr-local prints the warning when told to bind a non-loopback address", async () => {
  // --agents 0 is refused before anything binds: the test sees the warning without listening on 0.0.0.0.
  const child = spawn(process.execPath, [bin, "--host", "0.0.0.0", "--agents", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code).toBe(1);
  expect(stderr).toMatch(/WARNING: listening on every interface/);
  expect(stderr).toMatch(/agents must be an integer/);
});
