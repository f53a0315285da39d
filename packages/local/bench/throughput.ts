// Throughput of the local cluster, driven by a raw protobuf scheduler (no satyr client involved):
//  1. 1,000 command tasks running `true`, from the first offer to the last TASK_FINISHED;
//  2. 10,000 no-op tasks through one reused custom executor (test/fixtures/echo-executor.mjs).
// Every update is acknowledged, as a real framework must. Prints tasks per second.
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  FrameworkIDSchema,
  type Offer,
  readRecords,
  scheduler,
  schedulerCodecs,
  type TaskInfo,
  TaskInfoSchema,
  TaskState,
  Value_Type,
} from "@satyr/proto";
import { LocalCluster } from "../src/index.js";

const codecs = schedulerCodecs("protobuf");
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const here = dirname(fileURLToPath(import.meta.url));
const echoExecutor = `${process.execPath} ${join(here, "..", "..", "test", "fixtures", "echo-executor.mjs")}`;

interface Run {
  readonly total: number;
  readonly cpus: number;
  readonly mem: number;
  readonly task: (id: string, agentId: string) => TaskInfo;
  /** Keep room for a custom executor's own resources in every offer. */
  readonly executorRoom: boolean;
}

function scalar(name: string, value: number) {
  return { name, type: Value_Type.SCALAR, scalar: { value } };
}

function callMaster(url: string, streamId: string, call: scheduler.Call): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/api/v1/scheduler`,
      {
        method: "POST",
        agent,
        headers: { "Content-Type": "application/x-protobuf", "Mesos-Stream-Id": streamId },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () =>
          res.statusCode === 202
            ? resolve()
            : reject(new Error(`${scheduler.Call_Type[call.type]} answered ${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(codecs.call.encode(call));
  });
}

function withFramework(call: scheduler.Call, frameworkId: string): scheduler.Call {
  call.frameworkId = create(FrameworkIDSchema, { value: frameworkId });
  return call;
}

async function drive(masterUrl: string, run: Run): Promise<number> {
  const subscribe = create(scheduler.CallSchema, {
    type: scheduler.Call_Type.SUBSCRIBE,
    subscribe: { frameworkInfo: { user: "bench", name: "bench" } },
  });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(`${masterUrl}/api/v1/scheduler`, {
      method: "POST",
      headers: { "Content-Type": "application/x-protobuf", Accept: "application/x-protobuf" },
    });
    req.on("response", resolve);
    req.on("error", reject);
    req.end(codecs.call.encode(subscribe));
  });
  const streamId = String(res.headers["mesos-stream-id"]);
  let frameworkId = "";
  let launched = 0;
  let finished = 0;
  let started = 0;
  const send = (init: MessageInitShape<typeof scheduler.CallSchema>) =>
    callMaster(masterUrl, streamId, withFramework(create(scheduler.CallSchema, init), frameworkId));
  let done = false;
  let failure: unknown;
  const fire = (init: MessageInitShape<typeof scheduler.CallSchema>) => {
    send(init).catch((error: unknown) => {
      if (!done) failure = error;
    });
  };
  const onOffer = (offer: Offer) => {
    let cpus = 0;
    let mem = 0;
    for (const r of offer.resources) {
      if (r.name === "cpus") cpus = r.scalar?.value ?? 0;
      if (r.name === "mem") mem = r.scalar?.value ?? 0;
    }
    const tasks: TaskInfo[] = [];
    if (run.executorRoom) {
      cpus -= 0.1;
      mem -= 32;
    }
    while (launched < run.total && cpus >= run.cpus - 1e-9 && mem >= run.mem) {
      tasks.push(run.task(`t${launched++}`, offer.agentId?.value ?? ""));
      cpus -= run.cpus;
      mem -= run.mem;
    }
    if (started === 0) started = performance.now();
    fire({
      type: tasks.length === 0 ? scheduler.Call_Type.DECLINE : scheduler.Call_Type.ACCEPT,
      ...(tasks.length === 0
        ? { decline: { offerIds: [offer.id!], filters: { refuseSeconds: 0.05 } } }
        : {
            accept: {
              offerIds: [offer.id!],
              operations: [{ type: 1, launch: { taskInfos: tasks } }],
              filters: { refuseSeconds: 0 },
            },
          }),
    });
  };
  for await (const record of readRecords(res)) {
    const event = codecs.event.decode(record);
    if (event.type === scheduler.Event_Type.SUBSCRIBED)
      frameworkId = event.subscribed?.frameworkId?.value ?? "";
    else if (event.type === scheduler.Event_Type.OFFERS)
      for (const offer of event.offers?.offers ?? []) onOffer(offer);
    else if (event.type === scheduler.Event_Type.UPDATE) {
      const status = event.update!.status!;
      if (status.uuid.length > 0) {
        fire({
          type: scheduler.Call_Type.ACKNOWLEDGE,
          acknowledge: { agentId: status.agentId!, taskId: status.taskId!, uuid: status.uuid },
        });
      }
      if (status.state === TaskState.TASK_FINISHED) finished++;
      else if (status.state !== TaskState.TASK_STARTING && status.state !== TaskState.TASK_RUNNING) {
        throw new Error(`task ${status.taskId?.value} ended ${TaskState[status.state]}: ${status.message}`);
      }
      if (failure !== undefined) throw failure;
      if (finished === run.total) {
        const seconds = (performance.now() - started) / 1000;
        done = true;
        await send({ type: scheduler.Call_Type.TEARDOWN });
        return run.total / seconds;
      }
    }
  }
  throw new Error(`the event stream ended after ${finished} of ${run.total} tasks`);
}

async function main(): Promise<void> {
  const results: { benchmark: string; tasks: number; "tasks/s": number }[] = [];
  {
    await using cluster = await LocalCluster.start({ resources: { cpus: 8, mem: 8192, disk: 1024 } });
    const rate = await drive(cluster.masterUrl, {
      total: 1000,
      cpus: 0.1,
      mem: 32,
      executorRoom: false,
      task: (id, agentId) =>
        create(TaskInfoSchema, {
          name: id,
          taskId: { value: id },
          agentId: { value: agentId },
          resources: [scalar("cpus", 0.1), scalar("mem", 32)],
          command: { value: "true" },
        }),
    });
    results.push({
      benchmark: "command tasks `true`, offer to TASK_FINISHED",
      tasks: 1000,
      "tasks/s": Math.round(rate),
    });
  }
  {
    await using cluster = await LocalCluster.start({ resources: { cpus: 8, mem: 8192, disk: 1024 } });
    const executor = {
      type: 2,
      executorId: { value: "bench-exec" },
      command: { value: echoExecutor },
      resources: [scalar("cpus", 0.1), scalar("mem", 32)],
    };
    const rate = await drive(cluster.masterUrl, {
      total: 10_000,
      cpus: 0.01,
      mem: 1,
      executorRoom: true,
      task: (id, agentId) =>
        create(TaskInfoSchema, {
          name: id,
          taskId: { value: id },
          agentId: { value: agentId },
          resources: [scalar("cpus", 0.01), scalar("mem", 1)],
          executor,
        }),
    });
    results.push({
      benchmark: "no-op tasks through one reused custom executor",
      tasks: 10_000,
      "tasks/s": Math.round(rate),
    });
  }
  console.table(results);
}

await main();
