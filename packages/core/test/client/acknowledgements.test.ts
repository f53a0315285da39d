import { scheduler, TaskState } from "@satyr/proto";
import { connect, type TaskUpdate } from "../../src/client/index.js";
import { FakeMaster } from "../support/fake-master.js";
import { FAST, until, waitForState } from "../support/wait.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function update(taskId: string, state: TaskState, uuid?: number) {
  return {
    type: scheduler.Event_Type.UPDATE,
    update: {
      status: {
        taskId: { value: taskId },
        agentId: { value: "agent-1" },
        state,
        ...(uuid === undefined ? {} : { uuid: new Uint8Array(16).fill(uuid) }),
      },
    },
  };
}

async function setup(extra: { acknowledge?: "auto" | "manual"; maxPendingUpdates?: number } = {}) {
  const master = await FakeMaster.start({ heartbeatIntervalSeconds: 0.1, frameworkId: "fw-acks" });
  cleanup.push(() => master.stop());
  const client = connect({
    master: master.url,
    framework: { name: "acks" },
    heartbeatTolerance: 3,
    ...FAST,
    ...extra,
  });
  cleanup.push(() => client.close());
  return { master, client };
}

const acked = (master: FakeMaster) =>
  master
    .callsOf(scheduler.Call_Type.ACKNOWLEDGE)
    .map((c) => [c.acknowledge!.taskId!.value, c.acknowledge!.uuid[0]]);

describe("acknowledgements", () => {
  it("acknowledges an update with a uuid after the handlers returned, and never one without", async () => {
    const { master, client } = await setup();
    const order: string[] = [];
    client.updates$.subscribe((u) => {
      order.push(`handled ${u.status.taskId!.value}`);
      // The ack must not have been sent while the handler runs.
      order.push(`acks so far ${master.callsOf(scheduler.Call_Type.ACKNOWLEDGE).length}`);
    });
    await waitForState(client, "subscribed");
    master.send(update("reconciled", TaskState.TASK_RUNNING)); // no uuid, as reconciliation answers
    master.send(update("lost", TaskState.TASK_LOST)); // master-generated: no uuid
    master.send(update("real", TaskState.TASK_RUNNING, 7));
    await master.waitFor(() => acked(master).length === 1, 2000, "the ack");
    await new Promise((r) => setTimeout(r, 150));
    expect(acked(master)).toEqual([["real", 7]]);
    expect(order).toEqual([
      "handled reconciled",
      "acks so far 0",
      "handled lost",
      "acks so far 0",
      "handled real",
      "acks so far 0",
    ]);
    const ack = master.callsOf(scheduler.Call_Type.ACKNOWLEDGE)[0]!.acknowledge!;
    expect(ack.agentId?.value).toBe("agent-1");
    expect(ack.uuid).toEqual(new Uint8Array(16).fill(7));
  });

  it("gates a task's next update on the ack, as a real master does", async () => {
    const { master, client } = await setup();
    // The master sends STARTING, and RUNNING only once STARTING was acknowledged, then FINISHED likewise.
    const script = [TaskState.TASK_RUNNING, TaskState.TASK_FINISHED];
    master.onCall = (call, m) => {
      if (call.type === scheduler.Call_Type.ACKNOWLEDGE) {
        const next = script.shift();
        if (next !== undefined) m.send(update("gated", next, 10 + next));
      }
    };
    const seen: TaskState[] = [];
    client.updates$.subscribe((u) => seen.push(u.status.state));
    await waitForState(client, "subscribed");
    master.send(update("gated", TaskState.TASK_STARTING, 1));
    await until(() => seen.length === 3, 3000, "three updates");
    expect(seen).toEqual([TaskState.TASK_STARTING, TaskState.TASK_RUNNING, TaskState.TASK_FINISHED]);
    await master.waitFor(() => acked(master).length === 3, 2000, "three acks");
  });

  it("in manual mode acknowledges only when asked, once, and stops reading past maxPendingUpdates", async () => {
    const { master, client } = await setup({ acknowledge: "manual", maxPendingUpdates: 2 });
    const received: TaskUpdate[] = [];
    client.updates$.subscribe((u) => received.push(u));
    let events = 0;
    client.events$.subscribe(() => events++);
    await waitForState(client, "subscribed");
    for (let i = 1; i <= 5; i++) master.send(update(`t${i}`, TaskState.TASK_RUNNING, i));
    await until(() => received.length === 2, 2000, "two updates");
    const heldEvents = events;
    // The client is not reading: neither updates nor heartbeats get through, and it does not mistake its own
    // pause for a dead master.
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toHaveLength(2);
    expect(events).toBe(heldEvents);
    expect(client.state.kind).toBe("subscribed");
    expect(acked(master)).toEqual([]);
    await Promise.all([received[0]!.acknowledge(), received[0]!.acknowledge()]);
    await until(() => received.length === 3, 2000, "a third update after one ack");
    await Promise.all(received.map((u) => u.acknowledge()));
    await until(() => received.length === 5, 2000, "all updates");
    await Promise.all(received.map((u) => u.acknowledge()));
    expect(acked(master).map(([task]) => task)).toEqual(["t1", "t2", "t3", "t4", "t5"]);
  });

  it("retries an acknowledgement across a reconnection", async () => {
    const { master, client } = await setup({ acknowledge: "manual" });
    const received: TaskUpdate[] = [];
    client.updates$.subscribe((u) => received.push(u));
    await waitForState(client, "subscribed");
    master.send(update("survivor", TaskState.TASK_RUNNING, 9));
    await until(() => received.length === 1);
    master.endStream();
    await waitForState(client, "disconnected");
    const ack = received[0]!.acknowledge();
    await ack;
    expect(acked(master)).toEqual([["survivor", 9]]);
    expect(master.calls.find((c) => c.call.type === scheduler.Call_Type.ACKNOWLEDGE)!.streamId).toBe(
      master.streamId,
    );
  });

  it("acknowledges a burst of updates concurrently without listener build-up", async () => {
    const { master, client } = await setup();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      await waitForState(client, "subscribed");
      for (let i = 0; i < 40; i++) master.send(update(`burst-${i}`, TaskState.TASK_RUNNING, i + 1));
      await master.waitFor(() => acked(master).length === 40, 5000, "40 acks");
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
