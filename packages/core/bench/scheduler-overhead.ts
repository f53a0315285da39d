// Core's own cost per task, without a cluster: QueueScheduler + FunctionTask against an in-memory client that
// accepts every launch and answers each task with RUNNING and FINISHED. What is left of a cluster run's time is
// spent in the master, agents, executors and HTTP.
import { create } from "@bufbuild/protobuf";
import {
  encodeTaskResult,
  OfferSchema,
  ResourceSchema,
  scheduler,
  type TaskInfo,
  TaskState,
  TaskStatusSchema,
  Value_Type,
} from "@satyr/proto";
import { BehaviorSubject, Subject } from "rxjs";
import {
  type ConnectionState,
  cpus,
  FunctionTask,
  mem,
  QueueScheduler,
  type SchedulerClient,
  type TaskUpdate,
} from "../src/index.js";

const TASKS = Number(process.env.BENCH_TASKS ?? 1000);

function offer(id: number, agent: number) {
  const scalar = (name: string, value: number) =>
    create(ResourceSchema, { name, type: Value_Type.SCALAR, scalar: { value } });
  return create(OfferSchema, {
    id: { value: `o${id}` },
    frameworkId: { value: "fw" },
    agentId: { value: `a${agent}` },
    hostname: `h${agent}`,
    resources: [scalar("cpus", 64), scalar("mem", 65536), scalar("disk", 65536)],
  });
}

async function main(): Promise<void> {
  const events = new Subject<scheduler.Event>();
  const updates = new Subject<TaskUpdate>();
  const state = new BehaviorSubject<ConnectionState>({ kind: "disconnected", reason: "start" });
  const result = encodeTaskResult({ outcomes: [{ ok: true, value: 1 }] });
  let offerId = 0;
  const sendOffers = () =>
    events.next(
      create(scheduler.EventSchema, {
        type: scheduler.Event_Type.OFFERS,
        offers: { offers: [offer(offerId++, 1), offer(offerId++, 2)] },
      }),
    );
  const answer = (infos: readonly TaskInfo[]) => {
    setImmediate(() => {
      for (const info of infos) {
        for (const s of [TaskState.TASK_RUNNING, TaskState.TASK_FINISHED]) {
          const status = create(TaskStatusSchema, {
            taskId: { value: info.taskId?.value ?? "" },
            agentId: { value: info.agentId?.value ?? "" },
            state: s,
            ...(s === TaskState.TASK_FINISHED ? { data: result } : {}),
          });
          updates.next({ status, needsAcknowledgement: false, acknowledge: async () => undefined });
        }
      }
      sendOffers();
    });
  };
  const client = {
    events$: events.asObservable(),
    updates$: updates.asObservable(),
    state$: state.asObservable(),
    rescinds$: new Subject().asObservable(),
    launch: async (_ids: readonly string[], infos: readonly TaskInfo[]) => answer(infos),
    decline: async () => undefined,
    kill: async () => undefined,
    revive: async () => sendOffers(),
    suppress: async () => undefined,
  } as unknown as SchedulerClient;

  const queue = new QueueScheduler({ offerHoldMs: 1000 });
  const subscription = queue.attach(client);
  state.next({ kind: "subscribed", frameworkId: "fw", master: "mem", heartbeatIntervalSeconds: 15 });
  events.next(
    create(scheduler.EventSchema, {
      type: scheduler.Event_Type.SUBSCRIBED,
      subscribed: { frameworkId: { value: "fw" } },
    }),
  );

  const square = (x: number) => x * x;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const results = Array.from({ length: TASKS }, (_, i) =>
    queue.submit(new FunctionTask({ fn: square, args: [i], resources: [cpus(0.1), mem(32)] })),
  );
  sendOffers();
  await Promise.all(results);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  subscription.unsubscribe();
  console.log(
    `@satyr/core scheduler overhead: ${TASKS} function tasks through QueueScheduler with an in-memory client`,
  );
  console.table([
    {
      tasks: TASKS,
      seconds: Number(seconds.toFixed(3)),
      cpuSeconds: Number(cpuSeconds.toFixed(3)),
      tasksPerSecond: Math.round(TASKS / seconds),
      tasksPerCpuSecond: Math.round(TASKS / cpuSeconds),
    },
  ]);
}

await main();
