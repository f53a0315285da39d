import { readdirSync, readFileSync } from "node:fs";
import { cpus, isRemoteTaskError, isTimeoutError, isUnschedulableTaskError, mem } from "@satyr/core";
import { TaskState } from "@satyr/proto";
import { Harness, trackFuture, until } from "./support/harness.js";
import { closeLedger, SettleLedger } from "./support/ledger.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/**
 * The satyr-executor processes this test process started (the in-process agents spawn them), read from /proc so
 * the test needs no `ps`.
 */
function executorPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name before it may contain spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("satyr-executor")) pids.push(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

const slow = async (x: number) => {
  await new Promise((r) => setTimeout(r, 300));
  return x * 2;
};

describe("task and cluster faults", () => {
  it("an executor process killed mid-task: its tasks are retried and every call settles once", async () => {
    harness = await Harness.start("faults-executor-kill", { maxWorkers: 8 });
    const ledger = new SettleLedger("executor SIGKILLed mid-task, 60 calls");
    const futures = Array.from({ length: 60 }, (_, i) =>
      trackFuture(ledger, `call-${i}`, harness!.executor.submit(slow, [i])),
    );
    await until(
      () => harness!.tasks.filter((t) => t.state === "running").length >= 4,
      30_000,
      "running tasks",
    );
    const pids = executorPids();
    expect(pids.length).toBeGreaterThanOrEqual(1);
    process.kill(pids[0]!, "SIGKILL");
    const outcomes = await Promise.all(futures);
    expect(outcomes.every((o, i) => o.ok && o.value === i * 2)).toBe(true);
    expect(harness.retried).toBeGreaterThanOrEqual(1);
    expect(harness.log.retryReasons()).toContain("EXECUTOR_TERMINATED");
    harness.expectQueueSettled();
    const row = closeLedger(ledger, harness.retried, `retries: ${harness.log.retryReasons()}`);
    expect(row.fulfilled).toBe(60);
  });

  it("an agent removed mid-run: its tasks go LOST and are retried on another agent", async () => {
    harness = await Harness.start("faults-agent-removed", { maxWorkers: 8 });
    const { cluster } = harness;
    const ledger = new SettleLedger("agent removed mid-run (LOST → retried elsewhere), 60 calls");
    const futures = Array.from({ length: 60 }, (_, i) =>
      trackFuture(ledger, `call-${i}`, harness!.executor.submit(slow, [i])),
    );
    const removed = cluster!.agents[0]!.id;
    await until(
      () => harness!.tasks.some((t) => t.state === "running" && t.agentId === removed),
      30_000,
      "a task running on the first agent",
    );
    await cluster!.removeAgent(removed);
    const outcomes = await Promise.all(futures);
    expect(outcomes.every((o, i) => o.ok && o.value === i * 2)).toBe(true);
    const moved = harness.tasks.filter((t) => t.attempts > 1);
    expect(moved.length).toBeGreaterThanOrEqual(1);
    // A retried task finished on the agent that is left.
    for (const task of moved) expect(task.agentId).not.toBe(removed);
    expect(harness.log.retryReasons()).toMatch(/TASK_LOST|TASK_GONE|AGENT_REMOVED/);
    harness.expectQueueSettled();
    const row = closeLedger(ledger, harness.retried, `retries: ${harness.log.retryReasons()}`);
    expect(row.fulfilled).toBe(60);
  });

  it("tasks that throw, never return (timeout → killed, slot freed) or fit no agent", async () => {
    harness = await Harness.start("faults-task-errors", {
      maxWorkers: 2,
      scheduler: { unschedulableAfterMs: 1500 },
    });
    const { executor } = harness;
    const ledger = new SettleLedger("task throws / never returns / bigger than every agent");
    const thrown = Array.from({ length: 6 }, (_, i) =>
      trackFuture(
        ledger,
        `throws-${i}`,
        executor.submit(
          (n: number) => {
            if (n % 2 === 0) throw Object.assign(new RangeError(`bad ${n}`), { code: n });
            return n;
          },
          [i],
        ),
      ),
    );
    // Both slots taken by calls that never return; the quick calls behind them run once the timeouts free them.
    const hanging = Array.from({ length: 2 }, (_, i) =>
      trackFuture(
        ledger,
        `hangs-${i}`,
        executor.submit(() => new Promise<never>(() => setInterval(() => undefined, 1000)), [], {
          timeoutMs: 1000,
          name: "hangs",
        }),
      ),
    );
    const after = Array.from({ length: 4 }, (_, i) =>
      trackFuture(
        ledger,
        `after-${i}`,
        executor.submit((n: number) => n + 100, [i]),
      ),
    );
    const huge = trackFuture(
      ledger,
      "too-big",
      executor.submit((n: number) => n, [1], { resources: [cpus(64), mem(64)] }),
    );
    const thrownOutcomes = await Promise.all(thrown);
    for (const [i, outcome] of thrownOutcomes.entries()) {
      if (i % 2 === 0) {
        expect(outcome.ok).toBe(false);
        const error = (outcome as { error: unknown }).error;
        expect(isRemoteTaskError(error)).toBe(true);
        expect(error).toMatchObject({
          remoteName: "RangeError",
          message: expect.stringContaining(`bad ${i}`),
        });
      } else {
        expect(outcome).toEqual({ ok: true, value: i });
      }
    }
    for (const outcome of await Promise.all(hanging)) {
      expect(outcome.ok).toBe(false);
      expect(isTimeoutError((outcome as { error: unknown }).error)).toBe(true);
    }
    expect((await Promise.all(after)).map((o) => o.ok && o.value)).toEqual([100, 101, 102, 103]);
    const hugeOutcome = await huge;
    expect(hugeOutcome.ok).toBe(false);
    expect(isUnschedulableTaskError((hugeOutcome as { error: unknown }).error)).toBe(true);
    // The timed-out tasks were killed on the cluster, not just abandoned.
    const hangingTasks = harness.tasks.filter((t) => t.name === "hangs");
    expect(hangingTasks).toHaveLength(2);
    await until(
      () => hangingTasks.every((t) => t.status?.state === TaskState.TASK_KILLED) && harness!.scheduler.isIdle,
      10_000,
      "the hanging tasks reported TASK_KILLED",
    );
    expect(harness.scheduler.stats.running).toBe(0);
    harness.expectQueueSettled();
    const row = closeLedger(
      ledger,
      harness.retried,
      `errors: ${[...ledger.errors].map(([n, c]) => `${c}× ${n}`).join(", ")}`,
    );
    expect(row).toMatchObject({ submitted: 13, fulfilled: 7, rejected: 6 });
    expect(ledger.errors.get("RemoteTaskError")).toBe(3);
    expect(ledger.errors.get("TimeoutError")).toBe(2);
    expect(ledger.errors.get("UnschedulableTaskError")).toBe(1);
  });
});
