import {
  cpus,
  FunctionTask,
  isConnectionError,
  mem,
  QueueScheduler,
  type Running,
  run,
  scalar,
} from "@satyr/core";
import {
  decodeTaskPayload,
  encodeTaskResult,
  scheduler as proto,
  TaskState,
  type Value_Type,
} from "@satyr/proto";
import { FakeMaster } from "../../../packages/core/test/support/fake-master.js";
import { FaultProxy } from "../../../packages/core/test/support/fault-proxy.js";
import { Harness, QUICK_CONNECT, RecordingLogger, until } from "./support/harness.js";
import { closeLedger, SettleLedger } from "./support/ledger.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A settlement's error, or undefined when it was fulfilled. */
function errorOf(outcome: { ok: boolean; error?: unknown }): unknown {
  return outcome.ok ? undefined : outcome.error;
}

describe("bad input through the pools", () => {
  it("unserializable, huge and malformed inputs each settle with a clear typed error; good ones still work", async () => {
    const harness = await Harness.start("faults-bad-input", { maxWorkers: 4, proxy: false });
    cleanup.push(() => harness.stop());
    const { executor } = harness;
    const ledger = new SettleLedger("bad input: unserializable/10 MB args, oversized result, bad resources");
    const identity = (x: unknown) => x;
    // Submissions that throw synchronously are settled too: a caller gets an error, not silence.
    const attempt = <T>(key: string, submit: () => PromiseLike<T>) =>
      ledger.track(key, Promise.resolve().then(submit)).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    const fnArg = attempt("function argument", () => executor.submit(identity, [() => 1]));
    const symbolArg = attempt("symbol argument", () => executor.submit(identity, [Symbol("s")]));
    const big = new Uint8Array(10 * 1024 * 1024).fill(7);
    const bigArg = attempt("10 MB argument", () =>
      executor.submit((bytes: Uint8Array) => bytes.length + bytes[bytes.length - 1]!, [big]),
    );
    const hugeResult = attempt("result over the limit", () =>
      executor.submit(() => "x".repeat(17 * 1024 * 1024), []),
    );
    const negative = attempt("negative cpus", () =>
      executor.submit(identity, [1], { resources: [cpus(-1)] }),
    );
    const nan = attempt("NaN mem", () => executor.submit(identity, [1], { resources: [mem(Number.NaN)] }));
    const unknownUnit = attempt("unknown resource kind", () =>
      executor.submit(identity, [1], { resources: [scalar("mem_gb", 2)] }),
    );
    const plainObject = attempt("resource as a plain object", () =>
      executor.submit(identity, [1], { resources: [{ name: "cpus", amount: "lots" }] as never }),
    );
    const fine = attempt("well-formed call", () => executor.submit((a: number) => a + 1, [41]));

    const outcomes = {
      fnArg: await fnArg,
      symbolArg: await symbolArg,
      bigArg: await bigArg,
      hugeResult: await hugeResult,
      negative: await negative,
      nan: await nan,
      unknownUnit: await unknownUnit,
      plainObject: await plainObject,
      fine: await fine,
    };
    const summary = Object.fromEntries(
      Object.entries(outcomes).map(([k, o]) => [
        k,
        o.ok ? "ok" : `${(o.error as Error).name}: ${(o.error as Error).message.slice(0, 120)}`,
      ]),
    );
    expect(outcomes.fine).toEqual({ ok: true, value: 42 });
    expect(outcomes.bigArg).toEqual({ ok: true, value: 10 * 1024 * 1024 + 7 });
    for (const key of [
      "fnArg",
      "symbolArg",
      "hugeResult",
      "negative",
      "nan",
      "unknownUnit",
      "plainObject",
    ] as const) {
      const error = errorOf(outcomes[key]);
      expect({ key, summary: summary[key], isError: error instanceof Error }).toEqual({
        key,
        summary: expect.stringMatching(/^[A-Z]\w*Error: .+/),
        isError: true,
      });
    }
    expect(summary.fnArg).toMatch(/function/i);
    expect(summary.symbolArg).toMatch(/symbol/i);
    expect(summary.hugeResult).toMatch(/limit|too large|bytes/i);
    expect(summary.negative).toMatch(/cpus/);
    expect(summary.nan).toMatch(/mem/);
    expect(summary.unknownUnit).toMatch(/mem_gb/);
    harness.expectQueueSettled();
    closeLedger(ledger, harness.retried, JSON.stringify(summary));
  });

  it("malformed payload bytes reach satyr-executor: the task fails with a message saying so", async () => {
    const harness = await Harness.start("faults-bad-payload", { maxWorkers: 2, proxy: false });
    cleanup.push(() => harness.stop());
    const ledger = new SettleLedger("malformed payload bytes to satyr-executor");

    /** A function task whose TaskInfo.data is replaced by bytes that are no satyr payload. */
    class GarbledTask extends FunctionTask<unknown> {
      protected override buildTaskInfo(context: Parameters<FunctionTask<unknown>["toTaskInfo"]>[0]) {
        const parts = super.buildTaskInfo(context);
        return { ...parts, data: new Uint8Array([0xc1, 0xff, 0x00, 0x13, 0x37]) };
      }
    }
    const results = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        ledger
          .track(
            `garbled-${i}`,
            harness.scheduler.submit(
              new GarbledTask({ fn: (x: number) => x, args: [i], resources: [cpus(0.1), mem(32)] }),
            ),
          )
          .then(
            () => undefined,
            (error: unknown) => error,
          ),
      ),
    );
    for (const error of results) {
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: expect.stringMatching(/TaskFailedError|RemoteTaskError/) });
      expect((error as Error).message).toMatch(/payload|decode|malformed|invalid/i);
    }
    // Not an infrastructure failure: a payload that cannot be decoded is not retried.
    expect(harness.retried).toBe(0);
    closeLedger(ledger, harness.retried, (results[0] as Error).message.slice(0, 160));
  });
});

describe("a misbehaving master", () => {
  it("garbage RecordIO, a wrong content type, unknown enum values and unknown resource types", async () => {
    const master = await FakeMaster.start({ heartbeatIntervalSeconds: 0.5, frameworkId: "fw-garbage" });
    cleanup.push(() => master.stop());
    const proxy = await FaultProxy.start(master.url);
    cleanup.push(() => proxy.stop());
    const ledger = new SettleLedger(
      "fake master: garbage RecordIO, wrong content type, unknown enums/resources",
    );
    // The first SUBSCRIBE is answered as a web server would: 200, but HTML.
    proxy.answer({
      status: 200,
      headers: { "content-type": "text/html" },
      body: "<html>not a master</html>",
      match: (r) => r.subscribe,
    });
    const log = new RecordingLogger();
    const scheduler = new QueueScheduler({ offerHoldMs: 100, refuseSeconds: 1, logger: log });
    const disconnects: string[] = [];
    let running: Running | undefined;
    const started = run(scheduler, { name: "garbage", master: proxy.url, connect: QUICK_CONNECT });
    running = await started;
    cleanup.push(() => running!.stop({ drain: false, teardown: false }));
    running.client.state$.subscribe((s) => {
      if (s.kind === "disconnected") {
        disconnects.push(
          isConnectionError(s.error) ? `${s.error.code}: ${s.reason}` : `${s.error?.name}: ${s.reason}`,
        );
      }
    });
    expect(proxy.subscribeCount).toBeGreaterThanOrEqual(2);

    // Launches are answered by the fake master: one update with an unknown state, then TASK_FINISHED.
    let updates = 0;
    master.onCall = (call, m) => {
      if (call.type !== proto.Call_Type.ACCEPT) return;
      for (const operation of call.accept!.operations) {
        for (const task of operation.launch?.taskInfos ?? []) {
          const payload = decodeTaskPayload(task.data);
          const status = (state: number, data?: Uint8Array) => ({
            type: proto.Event_Type.UPDATE,
            update: {
              status: {
                taskId: task.taskId!,
                agentId: { value: "agent-x" },
                state,
                reason: 999,
                source: 77,
                uuid: crypto.getRandomValues(new Uint8Array(16)),
                ...(data === undefined ? {} : { data }),
              },
            },
          });
          setTimeout(() => {
            m.send(status(4242));
            m.send(
              status(
                TaskState.TASK_FINISHED,
                encodeTaskResult({ outcomes: payload.calls.map((args) => ({ ok: true, value: args[0] })) }),
              ),
            );
            updates += 2;
          }, 10);
        }
      }
    };
    const tasks = Array.from({ length: 20 }, (_, i) =>
      ledger.track(
        `task-${i}`,
        scheduler.submit(
          new FunctionTask({ fn: (x: number) => x, args: [i], resources: [cpus(0.1), mem(32)] }),
        ),
      ),
    );
    // Garbage on the stream: not a RecordIO length, then a length far beyond the cap.
    const before = proxy.subscribeCount;
    master.sendRaw(new TextEncoder().encode("this is not recordio\n{}"));
    await until(
      () => proxy.subscribeCount > before && running!.client.state.kind === "subscribed",
      10_000,
      "resubscribed",
    );
    const before2 = proxy.subscribeCount;
    master.sendRaw(new TextEncoder().encode("99999999999999999999\n"));
    await until(
      () => proxy.subscribeCount > before2 && running!.client.state.kind === "subscribed",
      10_000,
      "resubscribed",
    );
    // The broken stream is dropped with a message naming the RecordIO fault, and the client resubscribes.
    expect(disconnects).toEqual([
      expect.stringMatching(/RecordIO header has a non-digit byte/),
      expect.stringMatching(/RecordIO record longer than the \d+-byte cap/),
    ]);

    // An offer with an unknown resource type and an unknown resource name, beside usable cpus and mem.
    master.send({
      type: proto.Event_Type.OFFERS,
      offers: {
        offers: [
          {
            id: { value: "offer-1" },
            frameworkId: { value: "fw-garbage" },
            agentId: { value: "agent-x" },
            hostname: "127.0.0.1",
            resources: [
              { name: "cpus", type: 0, scalar: { value: 8 } },
              { name: "mem", type: 0, scalar: { value: 4096 } },
              { name: "quantum-flux", type: 0, scalar: { value: 3 } },
              { name: "warp", type: 42 as Value_Type, scalar: { value: 1 } },
            ],
          },
        ],
      },
    });
    await until(() => ledger.settled === 20, 20_000, "every task settled").catch((error: unknown) => {
      const calls = master.calls.map((c) => `${proto.Call_Type[c.call.type]}:${c.status}`);
      throw new Error(
        `${String(error)}; settled ${ledger.settled}; updates sent ${updates}; calls ${calls.join(" ")}; log ${log.messages.map((m) => m.message).join(" | ")}; state ${running!.client.state.kind}`,
      );
    });
    const values = await Promise.all(tasks);
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(updates).toBe(40);
    closeLedger(ledger, scheduler.stats.retried, `disconnects: ${disconnects.join(", ")}`);
  });
});
