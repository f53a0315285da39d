import { connect, type Leader, zookeeperLeaders } from "../../src/client/index.js";
import { FakeMaster } from "../support/fake-master.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { FAST, until, waitForState } from "../support/wait.js";
import { registerMaster, ZookeeperServer, zookeeperUnavailable } from "../support/zookeeper-server.js";

const unavailable = zookeeperUnavailable();
if (unavailable !== undefined) {
  console.warn(`Skipping the ZooKeeper tests: ${unavailable}`);
}
const describeZk = unavailable === undefined ? describe : describe.skip;

describeZk("ZooKeeper leader detection (real ZooKeeper server)", () => {
  let server: ZookeeperServer;
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    server = await ZookeeperServer.start();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function watch(path: string): (Leader | undefined)[] {
    const seen: (Leader | undefined)[] = [];
    const subscription = zookeeperLeaders({
      servers: server.connectString,
      path,
      scheme: "http",
      sessionTimeoutMs: 2000,
    }).subscribe((leader) => seen.push(leader));
    cleanup.push(() => subscription.unsubscribe());
    return seen;
  }

  async function member(path: string, id: string, port: number) {
    const registration = await registerMaster(server, path, { id, host: "127.0.0.1", port });
    cleanup.push(() => registration.client.close());
    return registration;
  }

  it("reports no leader, then the member with the lowest json.info_ sequence, then the next on leader loss", async () => {
    const path = "/detect";
    const seen = watch(path);
    await until(() => seen.length === 1, 10_000, "the first report");
    expect(seen[0]).toBeUndefined(); // the group node does not exist yet
    const first = await member(path, "m-first", 5001);
    await member(path, "m-second", 5002);
    // Nodes that are not contenders are ignored.
    const other = await server.client();
    cleanup.push(() => other.close());
    await new Promise<void>((resolve, reject) =>
      other.create(`${path}/log_replicas`, (error) => (error ? reject(error) : resolve())),
    );
    await until(() => seen.at(-1)?.id === "m-first", 10_000, "the first leader");
    expect(seen.at(-1)!.endpoint.href).toBe("http://127.0.0.1:5001/api/v1/scheduler");
    expect(seen.at(-1)!.source).toBe(first.node);
    first.client.close();
    await until(() => seen.at(-1)?.id === "m-second", 10_000, "the next leader");
    expect(seen.at(-1)!.endpoint.port).toBe("5002");
  }, 30_000);

  it("the client subscribes to the ZooKeeper leader and follows a leader change", async () => {
    const path = "/mesos-change";
    const a = await FakeMaster.start({ heartbeatIntervalSeconds: 0.2, frameworkId: "fw-zk" });
    cleanup.push(() => a.stop());
    const b = await FakeMaster.start({ heartbeatIntervalSeconds: 0.2 });
    cleanup.push(() => b.stop());
    const leaderA = await member(path, "a", a.port);
    await member(path, "b", b.port);
    const client = connect({
      master: `zk://${server.connectString}${path}`,
      framework: { name: "zk-follower" },
      zookeeper: { sessionTimeoutMs: 2000 },
      ...FAST,
    });
    cleanup.push(() => client.close());
    const first = await waitForState(client, "subscribed", 10_000);
    expect(first.master).toBe(a.url);
    const changedAt = Date.now();
    leaderA.client.close(); // a loses its ZooKeeper session: b becomes the leader
    const second = await waitForState(client, "subscribed", 10_000, (s) => s.master === b.url);
    const ms = Date.now() - changedAt;
    expect(second.frameworkId).toBe("fw-zk");
    expect(b.subscribes[0]!.call.frameworkId?.value).toBe("fw-zk");
    expect(ms).toBeLessThan(5000);
    await client.revive();
    expect(b.callsOf(5 /* REVIVE */)).toHaveLength(1);
  }, 30_000);

  it("re-detects after its ZooKeeper session expires", async () => {
    const path = "/mesos-expiry";
    const a = await FakeMaster.start({ heartbeatIntervalSeconds: 0.2, frameworkId: "fw-exp" });
    cleanup.push(() => a.stop());
    const b = await FakeMaster.start({ heartbeatIntervalSeconds: 0.2 });
    cleanup.push(() => b.stop());
    const leaderA = await member(path, "a", a.port);
    // The client reaches ZooKeeper through a proxy that can partition it; the masters do not.
    const partitionable = await TcpProxy.start(server.port);
    cleanup.push(() => partitionable.stop());
    const client = connect({
      master: `zk://127.0.0.1:${partitionable.port}${path}`,
      framework: { name: "zk-expiry" },
      zookeeper: { sessionTimeoutMs: 1000 },
      ...FAST,
    });
    cleanup.push(() => client.close());
    const problems: Error[] = [];
    client.problems$.subscribe((p) => problems.push(p));
    await waitForState(client, "subscribed", 10_000);
    // Cut off for longer than the session timeout: ZooKeeper expires the session, and its watches with it.
    // Meanwhile the leader changes, which only a new session can see.
    partitionable.partition();
    leaderA.client.close();
    await member(path, "b", b.port);
    await new Promise((r) => setTimeout(r, 2500));
    partitionable.heal();
    await until(() => problems.some((p) => /expired/.test(p.message)), 15_000, "the expiry");
    const state = await waitForState(client, "subscribed", 15_000, (s) => s.master === b.url);
    expect(state.frameworkId).toBe("fw-exp");
  }, 45_000);

  it("rejects a zk URL without servers before connecting", () => {
    expect(() => connect({ master: "zk:///mesos", framework: { name: "x" } })).toThrow(/ZooKeeper server/);
  });
});
