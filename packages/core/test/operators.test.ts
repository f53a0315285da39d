import { equals } from "@bufbuild/protobuf";
import { ExecutorInfoSchema } from "@satyr/proto";
import { BehaviorSubject, lastValueFrom, of, Subject, toArray } from "rxjs";
import {
  attributeEquals,
  attributeMatches,
  byTask,
  CommandTask,
  cpus,
  declineRest,
  FunctionTask,
  type LaunchOutcome,
  launchOn,
  mem,
  type OfferPlacement,
  Placer,
  packWith,
  ports,
  spread,
  type Task,
  taskStatuses,
  terminalStatuses,
  unique,
  wrapOffer,
} from "../src/index.js";
import { FakeClient, tick, until } from "./helpers/fake-client.js";
import { makeOffer, makeStatus, TaskState } from "./helpers/offers.js";

const cmd = (
  name: string,
  c: number,
  m: number,
  extra: Partial<ConstructorParameters<typeof CommandTask>[0]> = {},
) => new CommandTask({ name, command: "true", resources: [cpus(c), mem(m)], ...extra });

function pipeline(client: FakeClient, pending: readonly Task<unknown>[], holdMs = 0) {
  const offers = new Subject<ReturnType<typeof makeOffer>>();
  const pending$ = new BehaviorSubject<readonly Task<unknown>[]>(pending);
  const out: LaunchOutcome[] = [];
  const subscription = offers
    .pipe(
      packWith(pending$, { heuristic: "bfd", holdMs }),
      launchOn(client.asClient),
      declineRest(client.asClient, { refuseSeconds: 7 }),
    )
    .subscribe((o) => out.push(o));
  return { offers, pending$, out, subscription };
}

describe("packWith / launchOn / declineRest", () => {
  it("places one task on the first offer and declines the second (the original test_launch_decline)", async () => {
    const client = new FakeClient();
    const task = cmd("t", 0.1, 128);
    const { offers, out, subscription } = pipeline(client, [task]);
    offers.next(makeOffer({ id: "first", cpus: 2, mem: 256, disk: 1024 }));
    offers.next(makeOffer({ id: "second", agentId: "agent-2", cpus: 1, mem: 1024, disk: 2048 }));
    await until(() => out.length === 2);
    expect(client.callsOf("launch").map((c) => c.offerIds)).toEqual([["first"]]);
    expect(client.callsOf("launch")[0]?.refuseSeconds).toBe(0);
    expect(client.callsOf("decline").map((c) => [c.offerIds, c.refuseSeconds])).toEqual([[["second"], 7]]);
    expect(task.state).toBe("staging");
    subscription.unsubscribe();
  });

  it("batches every task that fits into one ACCEPT per offer and leaves the rest pending", async () => {
    const client = new FakeClient();
    const tasks = Array.from({ length: 5 }, (_, i) => cmd(`t${i}`, 1, 100));
    const { offers, out, subscription } = pipeline(client, tasks);
    offers.next(makeOffer({ id: "o1", cpus: 2, mem: 1000 }));
    offers.next(makeOffer({ id: "o2", agentId: "agent-2", cpus: 2.5, mem: 1000 }));
    await until(() => out.length === 2);
    const launches = client.callsOf("launch");
    expect(launches).toHaveLength(2);
    expect(launches.reduce((n, c) => n + (c.tasks?.length ?? 0), 0)).toBe(4);
    expect(tasks.filter((t) => t.state === "pending")).toHaveLength(1);
    subscription.unsubscribe();
  });

  it("hands placement no more copies of one demand than the offers could hold, and still places the rest", async () => {
    const client = new FakeClient();
    const big = Array.from({ length: 200 }, (_, i) => cmd(`big${i}`, 1, 10));
    const small = cmd("small", 0.5, 10);
    const placer = new Placer({ heuristic: "bfd" });
    const considered: number[] = [];
    const place = placer.place.bind(placer);
    placer.place = (tasks, offers) => {
      considered.push(tasks.length);
      return place(tasks, offers);
    };
    const offers = new Subject<ReturnType<typeof makeOffer>>();
    const out: LaunchOutcome[] = [];
    const subscription = offers
      .pipe(packWith(new BehaviorSubject([...big, small]), { placer, holdMs: 0 }), launchOn(client.asClient))
      .subscribe((o) => out.push(o));
    offers.next(makeOffer({ id: "o1", cpus: 3.5, mem: 10_000 }));
    await until(() => out.length === 1);
    // Three of the 200 equal tasks can fit in 3.5 cpus; the different one behind them is still considered.
    expect(considered).toEqual([4]);
    expect(
      client
        .callsOf("launch")[0]
        ?.tasks?.map((t) => t.name)
        .sort(),
    ).toEqual(["big0", "big1", "big2", "small"]);
    expect(big.filter((t) => t.state === "pending")).toHaveLength(197);
    subscription.unsubscribe();
  });

  it("holds unused offers for work that arrives soon, then declines them", async () => {
    const client = new FakeClient();
    const { offers, pending$, out, subscription } = pipeline(client, [], 200);
    offers.next(makeOffer({ id: "held", cpus: 1, mem: 256 }));
    await tick(20);
    expect(out).toHaveLength(0);
    const late = cmd("late", 0.5, 64);
    pending$.next([late]);
    await until(() => out.length === 1);
    expect(out[0]?.launched).toBe(true);
    expect(client.callsOf("launch")[0]?.offerIds).toEqual(["held"]);
    offers.next(makeOffer({ id: "spare", cpus: 1, mem: 256 }));
    await until(() => out.length === 2, 2000);
    expect(client.callsOf("decline")[0]?.offerIds).toEqual(["spare"]);
    subscription.unsubscribe();
  });

  it("puts tasks back to pending when the launch fails, and places them again", async () => {
    const client = new FakeClient();
    client.failNextLaunch = new Error("offer gone");
    const task = cmd("t", 0.5, 64);
    const { offers, out, subscription } = pipeline(client, [task]);
    offers.next(makeOffer({ id: "o1", cpus: 1, mem: 128 }));
    await until(() => out.length === 1);
    expect(out[0]?.launched).toBe(false);
    expect(out[0]?.error?.message).toBe("offer gone");
    expect(task.state).toBe("pending");
    offers.next(makeOffer({ id: "o2", cpus: 1, mem: 128 }));
    await until(() => out.length === 2);
    expect(out[1]?.launched).toBe(true);
    expect(task.state).toBe("staging");
    subscription.unsubscribe();
  });

  it("assigns ports from the offer's ranges", async () => {
    const client = new FakeClient();
    const a = new CommandTask({ command: "serve", resources: [cpus(0.1), ports(2)] });
    const b = new CommandTask({ command: "serve", resources: [cpus(0.1), ports(1)] });
    const { offers, out, subscription } = pipeline(client, [a, b]);
    offers.next(
      makeOffer({
        id: "o1",
        cpus: 1,
        mem: 128,
        ports: [
          [31000, 31001],
          [31010, 31020],
        ],
      }),
    );
    await until(() => out.length === 1);
    const assigned = (out[0]?.tasks ?? []).flatMap((t) => t.ports);
    expect(new Set(assigned).size).toBe(3);
    for (const p of assigned) expect(p === 31000 || p === 31001 || (p >= 31010 && p <= 31020)).toBe(true);
    subscription.unsubscribe();
  });

  it("honours hard constraints: equals, pattern and unique host", async () => {
    const client = new FakeClient();
    const linux = cmd("linux", 0.1, 16, { constraints: [attributeEquals("os", "linux")] });
    const rack = cmd("rack", 0.1, 16, { constraints: [attributeMatches("rack", /r[12]/)] });
    const replicas = [0, 1, 2].map(() => cmd("replica", 0.1, 16, { constraints: [unique()] }));
    const { offers, out, subscription } = pipeline(client, [linux, rack, ...replicas]);
    offers.next(
      makeOffer({
        id: "win",
        agentId: "a1",
        hostname: "h1",
        cpus: 4,
        mem: 1024,
        attributes: { os: "windows", rack: "r3" },
      }),
    );
    offers.next(
      makeOffer({
        id: "lin",
        agentId: "a2",
        hostname: "h2",
        cpus: 4,
        mem: 1024,
        attributes: { os: "linux", rack: "r1" },
      }),
    );
    await until(() => out.length === 2);
    const where = (t: Task<unknown>) => out.find((o) => o.tasks.some((p) => p.task === t))?.offer.id;
    expect(where(linux)).toBe("lin");
    expect(where(rack)).toBe("lin");
    const placedReplicas = replicas.filter((r) => r.state !== "pending");
    expect(placedReplicas).toHaveLength(2);
    expect(new Set(placedReplicas.map(where)).size).toBe(2);
    subscription.unsubscribe();
  });

  it("spreads a group over hosts (soft)", async () => {
    const client = new FakeClient();
    const tasks = [0, 1, 2, 3].map(() => cmd("web", 0.1, 16, { constraints: [spread()] }));
    const { offers, out, subscription } = pipeline(client, tasks);
    offers.next(makeOffer({ id: "o1", agentId: "a1", hostname: "h1", cpus: 4, mem: 1024 }));
    offers.next(makeOffer({ id: "o2", agentId: "a2", hostname: "h2", cpus: 4, mem: 1024 }));
    await until(() => out.length === 2);
    expect(out.map((o) => o.tasks.length).sort()).toEqual([2, 2]);
    subscription.unsubscribe();
  });

  it("drops rescinded offers and hands back held offers when the offers end", async () => {
    const client = new FakeClient();
    const rescinds = new Subject<string>();
    const source = new Subject<ReturnType<typeof makeOffer>>();
    const placements: OfferPlacement[] = [];
    const done = lastValueFrom(
      source.pipe(
        packWith(of([]), { holdMs: 10_000, rescinds$: rescinds }),
        declineRest(client.asClient),
        toArray(),
      ),
    );
    source.next(makeOffer({ id: "a", cpus: 1 }));
    source.next(makeOffer({ id: "b", cpus: 1 }));
    await tick(5);
    rescinds.next("a");
    source.complete();
    placements.push(...(await done));
    expect(placements.map((p) => p.offer.id)).toEqual(["b"]);
    expect(client.callsOf("decline").map((c) => c.offerIds)).toEqual([["b"]]);
  });

  it("fails only the task that cannot be placed, and survives a failing round", async () => {
    class Broken extends CommandTask {
      override executor(): never {
        throw new Error("no executor for you");
      }
    }
    class FlakyPlacer extends Placer {
      failures = 1;
      override place(...args: Parameters<Placer["place"]>): ReturnType<Placer["place"]> {
        if (this.failures-- > 0) throw new Error("placement bug");
        return super.place(...args);
      }
    }
    const client = new FakeClient();
    const broken = new Broken({ command: "true", resources: [cpus(0.1)] });
    const fine = cmd("fine", 0.1, 16);
    const errors: Error[] = [];
    const pending$ = new BehaviorSubject<readonly Task<unknown>[]>([broken, fine]);
    const offers = new Subject<ReturnType<typeof makeOffer>>();
    const out: LaunchOutcome[] = [];
    const sub = offers
      .pipe(
        packWith(pending$, { holdMs: 0, placer: new FlakyPlacer(), onError: (e) => errors.push(e) }),
        launchOn(client.asClient),
      )
      .subscribe((o) => out.push(o));
    offers.next(makeOffer({ id: "o1", cpus: 1, mem: 64 }));
    await expect(broken.result).rejects.toThrow(/cannot be placed: no executor for you/);
    await until(() => out.length === 1);
    expect(errors.map((e) => e.message)).toEqual(["placement bug"]);
    expect(out[0]?.tasks).toHaveLength(0);
    offers.next(makeOffer({ id: "o2", cpus: 1, mem: 64 }));
    await until(() => out.length === 2);
    expect(out[1]?.tasks.map((t) => t.task)).toEqual([fine]);
    sub.unsubscribe();
  });

  it("accepts wrapped offers as well as raw ones", async () => {
    const client = new FakeClient();
    const task = cmd("t", 0.1, 16);
    const pending$ = new BehaviorSubject<readonly Task<unknown>[]>([task]);
    const out: OfferPlacement[] = [];
    const sub = of(wrapOffer(makeOffer({ id: "w", cpus: 1, mem: 64 })))
      .pipe(packWith(pending$), launchOn(client.asClient))
      .subscribe((p) => out.push(p));
    await until(() => out.length === 1);
    expect(out[0]?.tasks[0]?.task).toBe(task);
    sub.unsubscribe();
  });
});

describe("update operators", () => {
  const updates = [
    makeStatus("t1", TaskState.TASK_STARTING),
    makeStatus("t2", TaskState.TASK_RUNNING),
    makeStatus("t1", TaskState.TASK_RUNNING),
    makeStatus("t1", TaskState.TASK_FINISHED),
    makeStatus("t1", TaskState.TASK_RUNNING),
    makeStatus("t2", TaskState.TASK_FAILED),
  ];

  it("taskStatuses follows one task until its terminal state", async () => {
    const states = await lastValueFrom(of(...updates).pipe(taskStatuses("t1"), toArray()));
    expect(states.map((s) => s.state)).toEqual([
      TaskState.TASK_STARTING,
      TaskState.TASK_RUNNING,
      TaskState.TASK_FINISHED,
    ]);
  });

  it("terminalStatuses keeps only terminal states", async () => {
    const states = await lastValueFrom(of(...updates).pipe(terminalStatuses(), toArray()));
    expect(states.map((s) => [s.taskId?.value, s.state])).toEqual([
      ["t1", TaskState.TASK_FINISHED],
      ["t2", TaskState.TASK_FAILED],
    ]);
  });

  it("byTask splits per task and completes each at its terminal state", async () => {
    const seen = new Map<string, TaskState[]>();
    const completed: string[] = [];
    of(...updates)
      .pipe(byTask())
      .subscribe(({ taskId, statuses$ }) => {
        const list: TaskState[] = [];
        seen.set(`${taskId}#${seen.size}`, list);
        statuses$.subscribe({ next: (s) => list.push(s.state), complete: () => completed.push(taskId) });
      });
    expect([...seen.entries()]).toEqual([
      ["t1#0", [TaskState.TASK_STARTING, TaskState.TASK_RUNNING, TaskState.TASK_FINISHED]],
      ["t2#1", [TaskState.TASK_RUNNING, TaskState.TASK_FAILED]],
      ["t1#2", [TaskState.TASK_RUNNING]],
    ]);
    expect(completed).toEqual(["t1", "t2", "t1"]);
  });
});

describe("Placer and executors", () => {
  it("starts a task's executor once per agent and reuses its exact ExecutorInfo", () => {
    const placer = new Placer();
    const fn = (x: number) => x;
    const first = new FunctionTask({ fn, args: [1], resources: [cpus(0.5), mem(64)] });
    const spec = first.executor();
    // No executor on the agent yet: the executor's resources come out of the offer too.
    const round1 = placer.place(
      [first],
      [wrapOffer(makeOffer({ cpus: 1, mem: 256, allocationRole: "batch" }))],
    );
    const info1 = round1.placements[0]?.tasks[0]?.taskInfo.executor;
    expect(info1?.executorId?.value).toBe(spec.id);
    expect(info1?.resources.map((r) => [r.name, r.allocationInfo?.role])).toEqual([
      ["cpus", "batch"],
      ["mem", "batch"],
    ]);
    // The executor runs now: a full offer's worth goes to tasks, with the same ExecutorInfo.
    const many = [0, 1].map((i) => new FunctionTask({ fn, args: [i], resources: [cpus(0.5), mem(64)] }));
    const round2 = placer.place(many, [
      wrapOffer(makeOffer({ cpus: 1, mem: 256, allocationRole: "batch", executorIds: [spec.id] })),
    ]);
    expect(round2.placements[0]?.tasks).toHaveLength(2);
    for (const placed of round2.placements[0]?.tasks ?? []) {
      expect(
        info1 && placed.taskInfo.executor && equals(ExecutorInfoSchema, info1, placed.taskInfo.executor),
      ).toBe(true);
    }
    // An offer made before the executor registered does not list it: the info built again is the same.
    const late = new FunctionTask({ fn, args: [3], resources: [cpus(0.5), mem(64)] });
    const round3 = placer.place(
      [late],
      [wrapOffer(makeOffer({ cpus: 1, mem: 256, allocationRole: "batch" }))],
    );
    const info3 = round3.placements[0]?.tasks[0]?.taskInfo.executor;
    expect(info1 && info3 && equals(ExecutorInfoSchema, info1, info3)).toBe(true);
  });
});
