import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ApiCodecs,
  CodecError,
  executor,
  executorCodecs,
  scheduler,
  schedulerCodecs,
  TaskState,
  TaskStatus_Source,
} from "../src/index.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "mesos-docs");
const text = new TextEncoder();

function load(file: string): [string, Uint8Array][] {
  const all = JSON.parse(readFileSync(path.join(fixtures, file), "utf8")) as Record<string, unknown>;
  return Object.entries(all).map(([name, json]) => [name, text.encode(JSON.stringify(json, null, 2))]);
}

type Codec = ApiCodecs<unknown, unknown>["call"];
const cases: [string, Codec, (name: string) => number][] = [
  [
    "scheduler-calls.json",
    schedulerCodecs("json").call as Codec,
    (n) => scheduler.Call_Type[n.split(" ")[0] as keyof typeof scheduler.Call_Type],
  ],
  [
    "scheduler-events.json",
    schedulerCodecs("json").event as Codec,
    (n) => scheduler.Event_Type[n as keyof typeof scheduler.Event_Type],
  ],
  [
    "executor-calls.json",
    executorCodecs("json").call as Codec,
    (n) => executor.Call_Type[n as keyof typeof executor.Call_Type],
  ],
  [
    "executor-events.json",
    executorCodecs("json").event as Codec,
    (n) => executor.Event_Type[n as keyof typeof executor.Event_Type],
  ],
];

/**
 * Examples that lose a required field because the documentation misnames it: they decode (a decoder is lenient),
 * but cannot be encoded again, and the error names the field.
 */
const MISSING_REQUIRED: Record<string, string> = {
  "scheduler-events.json OFFERS": "mesos.v1.Offer.id", // written as offer_id
  "executor-events.json SUBSCRIBED": "mesos.v1.AgentInfo.hostname", // written as host
};

describe.each(cases)("Apache Mesos documentation examples: %s", (file, codec, typeOf) => {
  it.each(load(file))("%s decodes and re-encodes", (name, bytes) => {
    const message = codec.decode(bytes) as { type: number };
    expect(message.type).toBe(typeOf(name));
    const missing = MISSING_REQUIRED[`${file} ${name}`];
    if (missing === undefined) {
      expect(codec.decode(codec.encode(message))).toEqual(message);
    } else {
      expect(() => codec.encode(message)).toThrow(CodecError);
      expect(() => codec.encode(message)).toThrow(`${missing} to JSON: required field not set`);
    }
  });
});

describe("Apache Mesos documentation examples: contents", () => {
  const decode = <T>(codec: { decode(b: Uint8Array): T }, file: string, name: string): T => {
    const entry = load(file).find(([n]) => n === name);
    if (entry === undefined) throw new Error(`no fixture ${name} in ${file}`);
    return codec.decode(entry[1]);
  };

  it("reads the scheduler calls' fields", () => {
    const calls = schedulerCodecs("json").call;
    const subscribe = decode(calls, "scheduler-calls.json", "SUBSCRIBE");
    expect(subscribe.subscribe?.frameworkInfo?.name).toBe("Example HTTP Framework");
    const accept = decode(calls, "scheduler-calls.json", "ACCEPT");
    expect(accept.accept?.offerIds.map((o) => o.value)).toEqual([
      "12220-3440-12532-O12",
      "12220-3440-12532-O12",
    ]);
    expect(accept.accept?.operations[0]?.launch?.taskInfos[0]?.command?.value).toBe("echo 100");
    expect(accept.accept?.filters?.refuseSeconds).toBe(5);
    const ack = decode(calls, "scheduler-calls.json", "ACKNOWLEDGE");
    expect(ack.acknowledge?.uuid.length).toBe(16);
    const reconcile = decode(calls, "scheduler-calls.json", "RECONCILE");
    expect(reconcile.reconcile?.tasks[0]?.agentId?.value).toBe("123535");
    expect(decode(calls, "scheduler-calls.json", "REQUEST").request?.requests[0]?.agentId?.value).toBe(
      "12220-3440-12532-S1233",
    );
  });

  it("reads the scheduler events' fields, ignoring the keys the protos do not define", () => {
    const events = schedulerCodecs("json").event;
    expect(decode(events, "scheduler-events.json", "SUBSCRIBED").subscribed?.heartbeatIntervalSeconds).toBe(
      15,
    );
    const offer = decode(events, "scheduler-events.json", "OFFERS").offers?.offers[0];
    expect(offer?.hostname).toBe("agent.host");
    expect(offer?.id).toBeUndefined(); // the documentation calls it offer_id, which Mesos does not define
    expect(offer?.attributes[0]?.text?.value).toBe("r1");
    const status = decode(events, "scheduler-events.json", "UPDATE").update?.status;
    expect(status?.state).toBe(TaskState.TASK_RUNNING);
    expect(status?.source).toBe(TaskStatus_Source.EXECUTOR);
    expect(status?.uuid.length).toBe(18);
    expect(decode(events, "scheduler-events.json", "FAILURE").failure?.status).toBe(1);
    expect(decode(events, "scheduler-events.json", "ERROR").error?.message).toBe(
      "Framework is not authorized",
    );
  });

  it("reads the executor messages' fields", () => {
    const subscribe = decode(executorCodecs("json").call, "executor-calls.json", "SUBSCRIBE");
    expect(subscribe.subscribe?.unacknowledgedTasks[0]?.command?.arguments).toEqual(["-l", "/tmp"]);
    expect(subscribe.subscribe?.unacknowledgedUpdates[0]?.status?.state).toBe(TaskState.TASK_RUNNING);
    const message = decode(executorCodecs("json").call, "executor-calls.json", "MESSAGE");
    expect(message.message).toBeUndefined(); // the documentation puts data at the top level
    const subscribed = decode(executorCodecs("json").event, "executor-events.json", "SUBSCRIBED");
    expect(subscribed.subscribed?.agentInfo?.port).toBe(5051);
    expect(subscribed.subscribed?.executorInfo?.command?.value).toBe("/path/to/executor");
    const launch = decode(executorCodecs("json").event, "executor-events.json", "LAUNCH");
    expect(launch.launch?.task?.command?.arguments).toEqual(["100"]);
    const ack = decode(executorCodecs("json").event, "executor-events.json", "ACKNOWLEDGED");
    expect(new TextDecoder().decode(ack.acknowledged?.uuid)).toBe("d40f3f3e-bbe3-44af-a230-4cb1eae72f67\n");
    const msg = decode(executorCodecs("json").event, "executor-events.json", "MESSAGE");
    expect(new TextDecoder().decode(msg.message?.data)).toBe("sample data");
  });

  it("refuses the two documented shapes that contradict the protos", () => {
    const events = schedulerCodecs("json").event;
    const offersAsList = '{"type":"OFFERS","offers":[{"hostname":"agent.host"}]}';
    const errorAsString = '{"type":"ERROR","message":"Framework is not authorized"}';
    expect(() => events.decode(text.encode(offersAsList))).toThrow(CodecError);
    expect(() => events.decode(text.encode(errorAsString))).toThrow(CodecError);
  });
});
