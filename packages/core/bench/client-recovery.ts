/**
 * Recovery times of the scheduler client under faults: how long from the fault to a working subscription again
 * (or, for a stall, to its detection). Runs against the fake master and the real embedded LocalCluster through the
 * fault proxy, and against a real ZooKeeper when one is installed. Prints one row per scenario (milliseconds).
 *
 * Settings are the library defaults except where a scenario needs small numbers to finish: heartbeats every
 * 0.2 s with tolerance 3 (a real master beats every 15 s, so detection there takes 5 × 15 s by default).
 */
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
import {
  type ConnectionState,
  type ConnectOptions,
  connect,
  type SchedulerClient,
} from "../src/client/index.js";
import { FakeMaster } from "../test/support/fake-master.js";
import { FaultProxy } from "../test/support/fault-proxy.js";
import { registerMaster, ZookeeperServer, zookeeperUnavailable } from "../test/support/zookeeper-server.js";

const RUNS = Number(process.env.SATYR_BENCH_RUNS ?? 10);
const HEARTBEAT_SECONDS = 0.2;
const TOLERANCE = 3;
/** The library's default backoff (500 ms doubling to 15 s, jitter 0.5) unless SATYR_BENCH_FAST is set. */
const BACKOFF = process.env.SATYR_BENCH_FAST ? { initialMs: 50, maxMs: 1000, jitter: 0.5 } : undefined;

function options(master: string, name: string, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    master,
    framework: { name, failoverTimeoutSeconds: 60 },
    heartbeatTolerance: TOLERANCE,
    reconcile: { implicitIntervalMs: 0 },
    ...(BACKOFF === undefined ? {} : { backoff: BACKOFF }),
    ...extra,
  };
}

function whenState(
  client: SchedulerClient,
  predicate: (state: ConnectionState) => boolean,
  timeoutMs = 30_000,
): Promise<ConnectionState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`state not reached within ${timeoutMs} ms; now ${client.state.kind}`));
    }, timeoutMs);
    const sub = client.state$.subscribe((state) => {
      if (predicate(state)) {
        clearTimeout(timer);
        queueMicrotask(() => sub.unsubscribe());
        resolve(state);
      }
    });
  });
}

const subscribedAgain = (client: SchedulerClient, after: number) => {
  let sawDown = false;
  return whenState(client, (s) => {
    if (s.kind === "disconnected" || s.kind === "connecting") sawDown = true;
    return sawDown && s.kind === "subscribed" && Date.now() >= after;
  });
};

interface Row {
  scenario: string;
  samples: number[];
}

const rows: Row[] = [];

async function measure(scenario: string, run: () => Promise<number>): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await run());
  rows.push({ scenario, samples });
  print({ scenario, samples });
}

function print(row: Row): void {
  const sorted = [...row.samples].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  console.log(
    `${row.scenario.padEnd(72)} n=${String(sorted.length).padStart(2)}  min ${fmt(sorted[0]!)}  median ${fmt(pick(0.5))}  mean ${fmt(mean)}  p90 ${fmt(pick(0.9))}  max ${fmt(sorted.at(-1)!)}`,
  );
}

const fmt = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;

async function fakeMasterScenarios(): Promise<void> {
  const master = await FakeMaster.start({
    heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
    frameworkId: "fw-bench",
  });
  const proxy = await FaultProxy.start(master.url);
  const client = connect(options(proxy.url, "bench-fake"));
  await whenState(client, (s) => s.kind === "subscribed");

  await measure("fake master: stream cut → resubscribed", async () => {
    const started = Date.now();
    const back = subscribedAgain(client, started);
    proxy.cut();
    await back;
    return Date.now() - started;
  });

  await measure(
    `fake master: stalled stream → detected (limit ${Math.round(HEARTBEAT_SECONDS * TOLERANCE * 1000)} ms)`,
    async () => {
      const started = Date.now();
      const detected = whenState(client, (s) => s.kind === "disconnected");
      proxy.stall();
      await detected;
      const ms = Date.now() - started;
      proxy.resume();
      await whenState(client, (s) => s.kind === "subscribed");
      return ms;
    },
  );

  await measure("fake master: stalled stream → resubscribed (stall healed at detection)", async () => {
    const started = Date.now();
    const back = subscribedAgain(client, started);
    const detected = whenState(client, (s) => s.kind === "disconnected");
    proxy.stall();
    await detected;
    proxy.resume();
    await back;
    return Date.now() - started;
  });

  await measure("fake master: 3 × 503 then leader → subscribed", async () => {
    proxy.answer({ status: 503, body: "Master has not finished recovery", match: (r) => r.subscribe }, 3);
    const started = Date.now();
    const back = subscribedAgain(client, started);
    proxy.cut();
    await back;
    return Date.now() - started;
  });

  await measure("fake master: connection refused 300 ms → resubscribed after reopen", async () => {
    const started = Date.now();
    const back = subscribedAgain(client, started);
    await proxy.refuse();
    await new Promise((r) => setTimeout(r, 300));
    const reopened = Date.now();
    await proxy.reopen();
    await back;
    return Date.now() - reopened;
  });

  await client.close();
  await proxy.stop();
  await master.stop();

  const leader = await FakeMaster.start({ heartbeatIntervalSeconds: HEARTBEAT_SECONDS });
  const follower = await FakeMaster.start();
  follower.redirectTo = `//127.0.0.1:${leader.port}`;
  await measure("307 from a non-leader → subscribed to the leader (cold start)", async () => {
    const started = Date.now();
    const redirected = connect(options(follower.url, "bench-redirect"));
    await whenState(redirected, (s) => s.kind === "subscribed");
    const ms = Date.now() - started;
    await redirected.close();
    return ms;
  });
  await leader.stop();
  await follower.stop();
}

async function localClusterScenarios(): Promise<void> {
  const cluster = await LocalCluster.start({
    allocationIntervalMs: 50,
    heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
  });
  const proxy = await FaultProxy.start(cluster.masterUrl);
  const client = connect(options(proxy.url, "bench-local"));
  await whenState(client, (s) => s.kind === "subscribed");
  // One running task, so each resubscription has something to reconcile.
  const offer = await new Promise<Offer>((resolve) => {
    const sub = client.offers$.subscribe((o) => {
      sub.unsubscribe();
      resolve(o);
    });
  });
  const running = new Promise<void>((resolve) => {
    client.updates$.subscribe((u) => {
      if (u.status.state === TaskState.TASK_RUNNING) resolve();
    });
  });
  const pick = (name: string, value: number) => {
    const r = clone(ResourceSchema, offer.resources.find((x) => x.name === name)!);
    r.scalar = create(Value_ScalarSchema, { value });
    return r;
  };
  await client.launch(
    [offer.id!.value],
    [
      create(TaskInfoSchema, {
        name: "bench-sleeper",
        taskId: { value: "bench-sleeper" },
        resources: [pick("cpus", 0.1), pick("mem", 32)],
        command: { value: "sleep 600", shell: true },
      }),
    ],
  );
  await running;

  await measure("LocalCluster: stream cut → resubscribed", async () => {
    const started = Date.now();
    const back = subscribedAgain(client, started);
    proxy.cut();
    await back;
    return Date.now() - started;
  });

  await measure("LocalCluster: stream cut → running task reconciled", async () => {
    const started = Date.now();
    const reconciled = new Promise<void>((resolve) => {
      const sub = client.updates$.subscribe((u) => {
        if (
          u.status.reason === TaskStatus_Reason.RECONCILIATION &&
          u.status.taskId?.value === "bench-sleeper"
        ) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    proxy.cut();
    await reconciled;
    return Date.now() - started;
  });

  await measure(
    `LocalCluster: stalled stream → detected (limit ${Math.round(HEARTBEAT_SECONDS * TOLERANCE * 1000)} ms)`,
    async () => {
      const started = Date.now();
      const detected = whenState(client, (s) => s.kind === "disconnected");
      proxy.stall();
      await detected;
      const ms = Date.now() - started;
      proxy.resume();
      await whenState(client, (s) => s.kind === "subscribed");
      return ms;
    },
  );

  await client.kill("bench-sleeper").catch(() => undefined);
  await client.close();
  await proxy.stop();
  const port = Number(new URL(cluster.masterUrl).port);
  await cluster.stop();

  // Master restart on the same port: measured from the moment the new master listens.
  let current = await LocalCluster.start({ port, heartbeatIntervalSeconds: HEARTBEAT_SECONDS });
  const restarting = connect(options(current.masterUrl, "bench-restart"));
  await whenState(restarting, (s) => s.kind === "subscribed");
  await measure("LocalCluster: master restart on the same port → resubscribed", async () => {
    const down = whenState(restarting, (s) => s.kind === "disconnected");
    await current.stop();
    await down;
    await new Promise((r) => setTimeout(r, 100));
    current = await LocalCluster.start({ port, heartbeatIntervalSeconds: HEARTBEAT_SECONDS });
    const listening = Date.now();
    await whenState(restarting, (s) => s.kind === "subscribed");
    return Date.now() - listening;
  });
  await restarting.close();
  await current.stop();
}

async function zookeeperScenarios(): Promise<void> {
  const unavailable = zookeeperUnavailable();
  if (unavailable !== undefined) {
    console.log(`ZooKeeper scenarios skipped: ${unavailable}`);
    return;
  }
  const zk = await ZookeeperServer.start();
  const masters = await Promise.all(
    [0, 1].map(() => FakeMaster.start({ heartbeatIntervalSeconds: HEARTBEAT_SECONDS, frameworkId: "fw-zk" })),
  );
  const registrations = await Promise.all(
    masters.map((m, i) => registerMaster(zk, "/mesos", { id: `m${i}`, host: "127.0.0.1", port: m.port })),
  );
  const client = connect(options(`zk://${zk.connectString}/mesos`, "bench-zk"));
  let state = await whenState(client, (s) => s.kind === "subscribed");
  await measure("ZooKeeper: leader's session closed → subscribed to the next leader", async () => {
    const leaderUrl = state.kind === "subscribed" ? state.master : "";
    const leaderIndex = masters.findIndex((m) => m.url === leaderUrl);
    const started = Date.now();
    const moved = whenState(client, (s) => s.kind === "subscribed" && s.master !== leaderUrl);
    registrations[leaderIndex]!.client.close();
    state = await moved;
    const ms = Date.now() - started;
    // The old leader rejoins at the back of the line.
    registrations[leaderIndex] = await registerMaster(zk, "/mesos", {
      id: `m${leaderIndex}`,
      host: "127.0.0.1",
      port: masters[leaderIndex]!.port,
    });
    return ms;
  });
  await client.close();
  for (const r of registrations) r.client.close();
  for (const m of masters) await m.stop();
  await zk.stop();
}

async function main(): Promise<void> {
  console.log(
    `client recovery (${RUNS} runs each; heartbeat ${HEARTBEAT_SECONDS} s × tolerance ${TOLERANCE}; backoff ${BACKOFF === undefined ? "default 500 ms..15 s, jitter 0.5" : JSON.stringify(BACKOFF)})`,
  );
  await fakeMasterScenarios();
  await localClusterScenarios();
  await zookeeperScenarios();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
