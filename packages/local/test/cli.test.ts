import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCli } from "../src/cli.js";
import { isLocalClusterError } from "../src/index.js";
import { Subscription } from "./helpers.js";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin", "satyr-local.js");

test("parseCli maps flags to options and rejects bad ones with a clear error", () => {
  expect(
    parseCli([
      "--agents",
      "2",
      "--port",
      "5050",
      "--cpus",
      "2",
      "--ports",
      "31000-31099",
      "--resource",
      "fpgas=1",
      "--attribute",
      "rack=a",
    ]),
  ).toEqual({
    agents: 2,
    port: 5050,
    resources: { cpus: 2, ports: [[31000, 31099]], fpgas: 1 },
    attributes: { rack: "a" },
  });
  expect(parseCli(["--help"])).toBe("help");
  let error: unknown;
  try {
    parseCli(["--agents", "two"]);
  } catch (e) {
    error = e;
  }
  expect(
    isLocalClusterError(error) && error.code === "invalid-options" && error.message.includes("--agents"),
  ).toBe(true);
});

test("satyr-local --agents 2 prints the master URL, streams SUBSCRIBED then OFFERS, and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [bin, "--agents", "2", "--allocation-interval", "200"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}`)));
  });
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const sub = await Subscription.open(`${url}/api/v1/scheduler`, {
    type: "SUBSCRIBE",
    subscribe: { framework_info: { user: "root", name: "cli" } },
  });
  const offers = await sub.next((e) => e.type === "OFFERS");
  expect(sub.events[0].type).toBe("SUBSCRIBED");
  const agents = new Set(offers.offers.offers.map((o: { agent_id: { value: string } }) => o.agent_id.value));
  expect(agents.size).toBe(2);
  sub.close();
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});
