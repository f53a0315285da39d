import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readRecords, scheduler, schedulerCodecs } from "@satyr/proto";
import { connect } from "../../src/client/index.js";
import { FakeMaster } from "../support/fake-master.js";
import { FAST, until, waitForState } from "../support/wait.js";

// Streams recorded from a real Apache Mesos 1.12 master (the shared reference directory sits next to the
// repository: <repo>/../shared), replayed to the client byte for byte.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const captures = path.resolve(repoRoot, "..", "shared", "reference", "mesos-captures");
const present = existsSync(captures);
if (!present) console.warn(`Skipping the recorded-master tests: ${captures} does not exist.`);
const describeIfPresent = present ? describe : describe.skip;

async function eventsOf(bytes: Uint8Array, codec: "json" | "protobuf"): Promise<scheduler.Event[]> {
  const events: scheduler.Event[] = [];
  async function* whole() {
    yield bytes;
  }
  for await (const record of readRecords(whole())) events.push(schedulerCodecs(codec).event.decode(record));
  return events;
}

describeIfPresent("a real master's recorded event stream", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it.each(["json", "protobuf"] as const)(
    "(%s) subscribes, emits every offer and update, and acknowledges exactly the updates with a uuid",
    async (codec: "json" | "protobuf") => {
      const bytes = new Uint8Array(
        readFileSync(path.join(captures, `scheduler-subscribe.${codec}.recordio`)),
      );
      const recorded = await eventsOf(bytes, codec);
      const frameworkId = recorded[0]!.subscribed!.frameworkId!.value;
      const offerCount = recorded.flatMap((e) => e.offers?.offers ?? []).length;
      const updates = recorded
        .filter((e) => e.type === scheduler.Event_Type.UPDATE)
        .map((e) => e.update!.status!);
      const withUuid = updates.filter((s) => s.uuid.length > 0);
      expect(offerCount).toBeGreaterThan(0);
      // The JSON recording goes on to launch a task; the protobuf one stops after the first offers.
      if (codec === "json") expect(withUuid.length).toBeGreaterThan(0);

      const master = await FakeMaster.start();
      cleanup.push(() => master.stop());
      master.replay = { bytes, codec, frameworkId };
      const client = connect({ master: master.url, framework: { name: "replay" }, codec, ...FAST });
      cleanup.push(() => client.close());
      const offers: string[] = [];
      client.offers$.subscribe((o) => offers.push(o.id!.value));
      const seen: string[] = [];
      client.updates$.subscribe((u) => seen.push(`${u.status.taskId?.value}:${u.status.state}`));
      const state = await waitForState(client, "subscribed");
      expect(state.frameworkId).toBe(frameworkId);
      expect(state.heartbeatIntervalSeconds).toBe(15);
      await until(() => seen.length === updates.length && offers.length === offerCount, 3000, "every event");
      expect(seen).toEqual(updates.map((s) => `${s.taskId?.value}:${s.state}`));
      await master.waitFor(
        () => master.callsOf(scheduler.Call_Type.ACKNOWLEDGE).length === withUuid.length,
        3000,
        "the acknowledgements",
      );
      await new Promise((r) => setTimeout(r, 100));
      const acks = master.callsOf(scheduler.Call_Type.ACKNOWLEDGE).map((c) => c.acknowledge!);
      expect(acks.map((a) => Buffer.from(a.uuid).toString("hex")).sort()).toEqual(
        withUuid.map((s) => Buffer.from(s.uuid).toString("hex")).sort(),
      );
      for (const ack of acks) expect(ack.agentId?.value).toBe(updates[0]!.agentId?.value);
    },
  );

  it("(json) a recorded takeover ends in failed/failed-over, with reconciliation answers never acknowledged", async () => {
    const bytes = new Uint8Array(
      readFileSync(path.join(captures, "scheduler-executor-kill-reconcile-takeover.json.recordio")),
    );
    const recorded = await eventsOf(bytes, "json");
    const frameworkId = recorded[0]!.subscribed!.frameworkId!.value;
    const statuses = recorded
      .filter((e) => e.type === scheduler.Event_Type.UPDATE)
      .map((e) => e.update!.status!);
    const withUuid = statuses.filter((s) => s.uuid.length > 0).length;
    const withoutUuid = statuses.length - withUuid;
    expect(withoutUuid).toBeGreaterThan(0); // the reconciliation answers
    expect(recorded.at(-1)!.error?.message).toBe("Framework failed over");

    const master = await FakeMaster.start();
    cleanup.push(() => master.stop());
    master.replay = { bytes, codec: "json", frameworkId };
    const client = connect({
      master: master.url,
      framework: { name: "replay-takeover" },
      codec: "json",
      ...FAST,
    });
    cleanup.push(() => client.close());
    const failed = await waitForState(client, "failed");
    expect(failed.error).toMatchObject({
      name: "MasterError",
      kind: "failed-over",
      mesosMessage: "Framework failed over",
    });
    // The whole recording arrives at once, so the ERROR may stop acknowledgements still in flight (after a
    // takeover this client must not act); those that were sent all name updates that carried a uuid.
    await new Promise((r) => setTimeout(r, 200));
    const recordedUuids = new Set(
      statuses.filter((s) => s.uuid.length > 0).map((s) => Buffer.from(s.uuid).toString("hex")),
    );
    const acked = master
      .callsOf(scheduler.Call_Type.ACKNOWLEDGE)
      .map((c) => Buffer.from(c.acknowledge!.uuid).toString("hex"));
    expect(acked.length).toBeLessThanOrEqual(withUuid);
    for (const uuid of acked) expect(recordedUuids.has(uuid)).toBe(true);
  });
});
