import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Harness, sleep, until } from "./support/harness.js";
import { closeLedger, SettleLedger } from "./support/ledger.js";
import {
  freePort,
  killProcessesWithEnv,
  type LocalProcess,
  startSatyrLocal,
} from "./support/local-process.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe("master crash", () => {
  it("satyr-local SIGKILLed and restarted on the same port mid-map: every item settles once", async () => {
    const port = await freePort();
    const workDir = mkdtempSync(join(tmpdir(), "satyr-faults-master-"));
    cleanup.push(() => rmSync(workDir, { recursive: true, force: true }));
    const processes: LocalProcess[] = [];
    cleanup.push(async () => {
      for (const p of processes) {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          p.child.kill("SIGTERM");
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([p.exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
          clearTimeout(timer);
          p.child.kill("SIGKILL");
        }
      }
      // Executors of the killed master run in their own process groups; reap any that linger.
      killProcessesWithEnv(workDir);
    });
    const args = ["--port", String(port), "--agents", "2", "--cpus", "5", "--mem", "4096"].concat([
      "--allocation-interval",
      "100",
      "--heartbeat-interval",
      "1",
      "--no-dashboard",
      "--work-dir",
      workDir,
    ]);
    const first = await startSatyrLocal(args);
    processes.push(first);
    const harness = await Harness.start("faults-master-crash", {
      master: first.masterUrl,
      proxy: false,
      maxWorkers: 8,
    });
    cleanup.push(() => harness.stop());
    const ledger = new SettleLedger(
      "satyr-local SIGKILLed + restarted on the same port, 300-item map (chunksize 5)",
    );
    const inputs = Array.from({ length: 300 }, (_, i) => i);
    let done = 0;
    const run = harness.executor.map(
      async (x: number) => {
        await new Promise((r) => setTimeout(r, 30));
        return x * x;
      },
      [inputs],
      { chunksize: 5, onProgress: (p) => (done = p.done) },
    );
    for (const i of inputs.keys()) ledger.submit(`item-${i}`);
    const crash = (async () => {
      await until(() => done >= 60, 60_000, "60 items");
      const states: string[] = [];
      const subscription = harness.running.client.state$.subscribe((s) => states.push(s.kind));
      first.child.kill("SIGKILL");
      expect(await first.exited).toBe("SIGKILL");
      await until(() => states.includes("disconnected"), 10_000, "the scheduler to notice");
      await sleep(300);
      const second = await startSatyrLocal(args);
      processes.push(second);
      expect(second.masterUrl).toBe(first.masterUrl);
      await until(
        () => states.lastIndexOf("subscribed") > states.indexOf("disconnected"),
        20_000,
        "resubscribed",
      );
      subscription.unsubscribe();
      return done;
    })();
    const values: number[] = [];
    for await (const value of run) {
      ledger.settle(`item-${values.length}`, { ok: true });
      values.push(value);
    }
    const crashedAt = await crash;
    expect(values).toEqual(inputs.map((x) => x * x));
    // The tasks the old master had were lost with it: the new master's reconciliation answers send them back.
    expect(harness.retried).toBeGreaterThanOrEqual(1);
    harness.expectQueueSettled();
    const row = closeLedger(
      ledger,
      harness.retried,
      `killed at item ${crashedAt}; retries: ${harness.log.retryReasons() || "none"}`,
    );
    expect(row.fulfilled).toBe(300);
  });
});
