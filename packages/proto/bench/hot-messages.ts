/**
 * The messages a satyr framework exchanges most, shaped as in the throughput benchmark: a scheduler ACCEPT
 * launching a task with its executor and resources, ACKNOWLEDGE, OFFERS and UPDATE events, the executor's
 * UPDATE call, and its LAUNCH and ACKNOWLEDGED events. Shared by the codec bench and the codec tests.
 */
import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import {
  ExecutorInfo_Type,
  executor,
  Offer_Operation_Type,
  type ResourceSchema,
  scheduler,
  type TaskInfoSchema,
  TaskState,
  TaskStatus_Reason,
  TaskStatus_Source,
  type TaskStatusSchema,
  Value_Type,
} from "../src/index.js";

const FRAMEWORK = "60a26bd7-1523-4513-9dad-537df62bf032-0008";
const AGENT = "60a26bd7-1523-4513-9dad-537df62bf032-S3";

function scalar(name: string, value: number): MessageInitShape<typeof ResourceSchema> {
  return { name, type: Value_Type.SCALAR, scalar: { value }, allocationInfo: { role: "*" } };
}

function resources(): MessageInitShape<typeof ResourceSchema>[] {
  return [
    scalar("cpus", 0.5),
    scalar("mem", 256),
    {
      name: "ports",
      type: Value_Type.RANGES,
      ranges: { range: [{ begin: 31000n, end: 31001n }] },
      allocationInfo: { role: "*" },
    },
  ];
}

function uuid(seed: number): Uint8Array {
  const bytes = new Uint8Array(16);
  for (let b = 0; b < 16; b++) bytes[b] = (seed * 31 + b * 7) & 0xff;
  return bytes;
}

function taskInfo(i: number): MessageInitShape<typeof TaskInfoSchema> {
  return {
    name: `satyr-task-${i}`,
    taskId: { value: `satyr-task-${i}` },
    agentId: { value: AGENT },
    resources: resources(),
    executor: {
      type: ExecutorInfo_Type.CUSTOM,
      executorId: { value: "satyr-executor-1" },
      frameworkId: { value: FRAMEWORK },
      command: {
        value: "node executor.js",
        shell: true,
        environment: { variables: [{ name: "SATYR_EXECUTOR", value: "1" }] },
      },
      resources: [scalar("cpus", 0.1), scalar("mem", 64)],
      name: "satyr executor",
    },
    data: new Uint8Array(200).fill(i & 0xff),
    labels: { labels: [{ key: "satyr.fn", value: "sum" }] },
  };
}

function taskStatus(i: number): MessageInitShape<typeof TaskStatusSchema> {
  return {
    taskId: { value: `satyr-task-${i}` },
    state: TaskState.TASK_FINISHED,
    source: TaskStatus_Source.EXECUTOR,
    reason: TaskStatus_Reason.COMMAND_EXECUTOR_FAILED,
    message: "task finished",
    agentId: { value: AGENT },
    executorId: { value: "satyr-executor-1" },
    timestamp: 1_764_140_000.123,
    uuid: uuid(i),
    data: new Uint8Array(64).fill(7),
  };
}

/** One hot message: its name, schema and a sample. */
export interface HotMessage {
  readonly name: string;
  readonly schema: DescMessage;
  readonly message: MessageShape<DescMessage>;
}

function hot<Desc extends DescMessage>(name: string, schema: Desc, init: MessageInitShape<Desc>): HotMessage {
  return { name, schema, message: create(schema, init) };
}

/** The hot messages, with sample `i` (ids and payloads vary with it). */
export function hotMessages(i = 1): HotMessage[] {
  return [
    hot("scheduler Call ACCEPT", scheduler.CallSchema, {
      frameworkId: { value: FRAMEWORK },
      type: scheduler.Call_Type.ACCEPT,
      accept: {
        offerIds: [{ value: `60a26bd7-1523-4513-9dad-537df62bf032-O${i}` }],
        operations: [{ type: Offer_Operation_Type.LAUNCH, launch: { taskInfos: [taskInfo(i)] } }],
        filters: { refuseSeconds: 5 },
      },
    }),
    hot("scheduler Call ACKNOWLEDGE", scheduler.CallSchema, {
      frameworkId: { value: FRAMEWORK },
      type: scheduler.Call_Type.ACKNOWLEDGE,
      acknowledge: { agentId: { value: AGENT }, taskId: { value: `satyr-task-${i}` }, uuid: uuid(i) },
    }),
    hot("scheduler Event OFFERS", scheduler.EventSchema, {
      type: scheduler.Event_Type.OFFERS,
      offers: {
        offers: [
          {
            id: { value: `60a26bd7-1523-4513-9dad-537df62bf032-O${i}` },
            frameworkId: { value: FRAMEWORK },
            agentId: { value: AGENT },
            hostname: "agent-3.cluster.example",
            url: {
              scheme: "http",
              address: { hostname: "agent-3.cluster.example", ip: "10.0.0.7", port: 5051 },
              path: "/slave(1)",
            },
            resources: [
              scalar("cpus", 8),
              scalar("mem", 31_744),
              scalar("disk", 470_000),
              ...resources().slice(2),
            ],
            attributes: [{ name: "rack", type: Value_Type.TEXT, text: { value: "r3" } }],
            allocationInfo: { role: "*" },
          },
        ],
      },
    }),
    hot("scheduler Event UPDATE", scheduler.EventSchema, {
      type: scheduler.Event_Type.UPDATE,
      update: { status: taskStatus(i) },
    }),
    hot("executor Call UPDATE", executor.CallSchema, {
      executorId: { value: "satyr-executor-1" },
      frameworkId: { value: FRAMEWORK },
      type: executor.Call_Type.UPDATE,
      update: { status: taskStatus(i) },
    }),
    hot("executor Event LAUNCH", executor.EventSchema, {
      type: executor.Event_Type.LAUNCH,
      launch: { task: taskInfo(i) },
    }),
    hot("executor Event ACKNOWLEDGED", executor.EventSchema, {
      type: executor.Event_Type.ACKNOWLEDGED,
      acknowledged: { taskId: { value: `satyr-task-${i}` }, uuid: uuid(i) },
    }),
  ];
}
