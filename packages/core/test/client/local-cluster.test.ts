import { createServer } from "node:net";
import { clone, create } from "@bufbuild/protobuf";
import { LocalCluster } from "@satyr/local";
import {
  type Offer,
  ResourceSchema,
  TaskInfoSchema,
  TaskState,
  TaskStatus_Reason,
  Value_ScalarSchema,
} from "@satyr/proto";
import { connect, type SchedulerClient, type TaskUpdate } from "../../src/client/index.js";
import { isAuthenticationError, isConnectionError } from "../../src/errors/index.js";
import { FakeMaster } from "../support/fake-master.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { FAST, waitForState } from "../support/wait.js";

// End to end against the embedded Mesos-compatible cluster, with the fault proxy in between.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const HEARTBEAT_SECONDS = 0.2;
const TOLERANCE = 3;

async function cluster(port = 0): Promise<LocalCluster> {
  const started = await LocalCluster.start({
    port,
    allocationIntervalMs: 50,
    heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
    resources: { cpus: 2, mem: 1024, disk: 1024 },
  });
  cleanup.push(() => started.stop());
  return started;
}

function client(master: string, name: string): SchedulerClient {
  const created = connect({
    master,
    framework: { name, failoverTimeoutSeconds: 60 },
    heartbeatTolerance: TOLERANCE,
    ...FAST,
  });
  cleanup.push(() => created.close());
  return created;
}

function nextOffer(c: SchedulerClient): Promise<Offer> {
  return new Promise((resolve) => {
    const sub = c.offers$.subscribe((offer) => {
      sub.unsubscribe();
      resolve(offer);
    });
  });
}

/** Launches a long `sleep` on the first offer and waits for TASK_RUNNING. */
async function launchSleeper(c: SchedulerClient, taskId: string): Promise<void> {
  const offer = await nextOffer(c);
  const pick = (name: string, amount: number) => {
    const resource = clone(ResourceSchema, offer.resources.find((r) => r.name === name)!);
    resource.scalar = create(Value_ScalarSchema, { value: amount });
    return resource;
  };
  const running = new Promise<void>((resolve) => {
    const sub = c.updates$.subscribe((u) => {
      if (u.status.taskId?.value === taskId && u.status.state === TaskState.TASK_RUNNING) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
  await c.launch(
    [offer.id!.value],
    [
      create(TaskInfoSchema, {
        name: taskId,
        taskId: { value: taskId },
        resources: [pick("cpus", 0.1), pick("mem", 32)],
        command: { value: "sleep 30", shell: true },
      }),
    ],
  );
  await running;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("client against LocalCluster", () => {
  it("cut stream → resubscribed with the same framework id and the running task reconciled", async () => {
    const local = await cluster();
    const proxy = await FaultProxy.start(local.masterUrl);
    cleanup.push(() => proxy.stop());
    const c = client(proxy.url, "e2e-cut");
    const first = await waitForState(c, "subscribed");
    await launchSleeper(c, "sleeper-1");
    const reconciled = new Promise<TaskUpdate>((resolve) => {
      c.updates$.subscribe((u) => {
        if (u.status.taskId?.value === "sleeper-1" && u.status.reason === TaskStatus_Reason.RECONCILIATION)
          resolve(u);
      });
    });
    proxy.cut();
    await waitForState(c, "disconnected");
    const again = await waitForState(c, "subscribed");
    expect(again.frameworkId).toBe(first.frameworkId);
    const update = await reconciled;
    expect(update.status.state).toBe(TaskState.TASK_RUNNING);
    expect(update.needsAcknowledgement).toBe(false);
    await c.kill("sleeper-1");
  });

  it("stalled stream → detected within the tolerance, then resubscribed", async () => {
    const local = await cluster();
    const proxy = await FaultProxy.start(local.masterUrl);
    cleanup.push(() => proxy.stop());
    const c = client(proxy.url, "e2e-stall");
    const first = await waitForState(c, "subscribed");
    const stalledAt = Date.now();
    proxy.stall();
    const down = await waitForState(c, "disconnected", 5000);
    const detectedMs = Date.now() - stalledAt;
    expect(isConnectionError(down.error) && down.error.code).toBe("heartbeat-timeout");
    expect(detectedMs).toBeLessThan(HEARTBEAT_SECONDS * TOLERANCE * 1000 + 1000);
    proxy.resume();
    const again = await waitForState(c, "subscribed");
    expect(again.frameworkId).toBe(first.frameworkId);
  });

  it("master restart on the same port → reconnects with the same framework id", async () => {
    const port = await freePort();
    const before = await cluster(port);
    const c = client(before.masterUrl, "e2e-restart");
    const first = await waitForState(c, "subscribed");
    await before.stop();
    await waitForState(c, "disconnected");
    await cluster(port);
    const again = await waitForState(c, "subscribed", 10_000);
    expect(again.frameworkId).toBe(first.frameworkId);
    expect(again.master).toBe(`http://127.0.0.1:${port}`);
    // The new master offers its resources to the resubscribed framework.
    const offer = await nextOffer(c);
    expect(offer.frameworkId?.value).toBe(first.frameworkId);
  });

  it("307 from a non-leader → follows to the leader", async () => {
    const local = await cluster();
    const follower = await FakeMaster.start();
    cleanup.push(() => follower.stop());
    follower.redirectTo = local.masterUrl.replace(/^http:/, "");
    const c = client(follower.url, "e2e-redirect");
    const state = await waitForState(c, "subscribed");
    expect(state.master).toBe(local.masterUrl);
    await c.revive();
  });

  it("HTTP basic credentials: accepted when right, AuthenticationError without retries when wrong", async () => {
    const local = await LocalCluster.start({
      credentials: [{ principal: "ops", secret: "s3cret" }],
      heartbeatIntervalSeconds: 1,
    });
    cleanup.push(() => local.stop());
    const good = connect({
      master: local.masterUrl,
      framework: { name: "auth-ok" },
      credentials: { principal: "ops", secret: "s3cret" },
      ...FAST,
    });
    cleanup.push(() => good.close());
    await waitForState(good, "subscribed");
    await good.suppress();
    const proxy = await FaultProxy.start(local.masterUrl);
    cleanup.push(() => proxy.stop());
    const bad = connect({
      master: proxy.url,
      framework: { name: "auth-bad" },
      credentials: { principal: "ops", secret: "wrong" },
      ...FAST,
    });
    cleanup.push(() => bad.close());
    const failed = await waitForState(bad, "failed");
    expect(isAuthenticationError(failed.error)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(proxy.subscribeCount).toBe(1);
  });
});
