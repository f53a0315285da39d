import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { connect, isAuthenticationError, isBrokenPoolError, isConnectionError } from "@satyr/core";
import { MesosPoolExecutor } from "@satyr/futures";
import { LocalCluster } from "@satyr/local";
import { FaultProxy } from "../../../packages/core/test/support/fault-proxy.js";
import { Harness, QUICK_CONNECT, sleep, trackFuture, until } from "./support/harness.js";
import { closeLedger, SettleLedger } from "./support/ledger.js";
import { type LocalProcess, startSatyrLocal } from "./support/local-process.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function stopProcess(p: LocalProcess): () => Promise<void> {
  return async () => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p.exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    p.child.kill("SIGKILL");
  };
}

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1 signed by it, made with openssl, or
 * why they could not be made.
 */
function testPki(): { ca: string; key: string; cert: string } | string {
  const dir = mkdtempSync(join(tmpdir(), "satyr-pki-"));
  try {
    const step = (args: string[]) => spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    const probe = step(["version"]);
    if (probe.error !== undefined || probe.status !== 0) return "openssl is not installed";
    writeFileSync(
      join(dir, "server.ext"),
      "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    const steps = [
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=satyr faults test CA",
      ].concat([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
      ]),
      [
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
      ],
      [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
      ].concat(["-extfile", "server.ext", "-out", "server.pem"]),
    ];
    for (const args of steps) {
      const made = step(args);
      if (made.status !== 0) return `openssl ${args[0]} failed: ${made.stderr}`;
    }
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    return { ca: read("ca.pem"), key: read("server.key"), cert: read("server.pem") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pki = testPki();
if (typeof pki === "string") console.warn(`Skipping the TLS scenario: ${pki}`);
const itTls = typeof pki === "string" ? it.skip : it;

describe("security", () => {
  it("satyr-local with a credentials file: the right secret works; a wrong one is a 401 → AuthenticationError, once", async () => {
    const dir = tempDir("satyr-faults-auth-");
    const file = join(dir, "credentials.json");
    writeFileSync(file, JSON.stringify({ credentials: [{ principal: "faults", secret: "right-secret" }] }));
    const local = await startSatyrLocal([
      "--credentials",
      file,
      "--agents",
      "1",
      "--cpus",
      "2",
      "--mem",
      "2048",
    ]);
    cleanup.push(stopProcess(local));
    const ledger = new SettleLedger("HTTP basic auth: right secret (30 calls) / wrong secret (5 calls)");

    const harness = await Harness.start("faults-auth", {
      master: local.masterUrl,
      maxWorkers: 4,
      connect: { credentials: { principal: "faults", secret: "right-secret" } },
    });
    cleanup.push(() => harness.stop());
    const good = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        trackFuture(
          ledger,
          `right-${i}`,
          harness.executor.submit((x: number) => x * 7, [i]),
        ),
      ),
    );
    expect(good.map((o) => o.ok && o.value)).toEqual(Array.from({ length: 30 }, (_, i) => i * 7));

    // The wrong secret, through a proxy that counts the attempts.
    const proxy = await FaultProxy.start(local.masterUrl);
    cleanup.push(() => proxy.stop());
    const client = connect({
      master: proxy.url,
      framework: { name: "faults-wrong-secret" },
      credentials: { principal: "faults", secret: "wrong-secret" },
      ...QUICK_CONNECT,
    });
    cleanup.push(() => client.close());
    // The client is cold: watching its state starts it.
    const watching = client.state$.subscribe(() => undefined);
    cleanup.push(() => watching.unsubscribe());
    await until(() => client.state.kind === "failed", 10_000, "the client to fail").catch(
      (error: unknown) => {
        throw new Error(
          `${String(error)}: state ${JSON.stringify(client.state)}, ${proxy.requests.length} requests: ${proxy.requests.map((r) => `${r.method} ${r.path}`).join(", ")}`,
        );
      },
    );
    const failed = client.state as { kind: "failed"; error: Error };
    expect(isAuthenticationError(failed.error)).toBe(true);
    expect(failed.error).toMatchObject({ status: 401 });
    await sleep(1500);
    // No retry storm: one SUBSCRIBE, refused, and nothing after it.
    expect(proxy.requests.filter((r) => r.subscribe)).toHaveLength(1);

    const wrongPool = new MesosPoolExecutor({
      name: "faults-wrong-secret-pool",
      master: proxy.url,
      maxWorkers: 2,
      run: { connect: { ...QUICK_CONNECT, credentials: { principal: "faults", secret: "wrong-secret" } } },
    });
    cleanup.push(() => wrongPool.shutdown({ wait: true }));
    const refused = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        trackFuture(
          ledger,
          `wrong-${i}`,
          wrongPool.submit((x: number) => x, [i]),
        ),
      ),
    );
    for (const outcome of refused) {
      expect(outcome.ok).toBe(false);
      const error = (outcome as { error: Error }).error;
      expect(isBrokenPoolError(error)).toBe(true);
      expect(isAuthenticationError(error.cause)).toBe(true);
    }
    expect(proxy.requests.filter((r) => r.subscribe)).toHaveLength(2);
    harness.expectQueueSettled();
    const row = closeLedger(ledger, harness.retried, "wrong secret: 1 SUBSCRIBE per client, 401, no retry");
    expect(row).toMatchObject({ fulfilled: 30, rejected: 5 });
  });

  itTls("TLS to an https master with a test CA; an untrusted certificate is refused", async () => {
    if (typeof pki === "string") return;
    const cluster = await LocalCluster.start({
      tls: { key: pki.key, cert: pki.cert },
      agents: 1,
      resources: { cpus: 2, mem: 2048, disk: 2048 },
      allocationIntervalMs: 100,
      dashboard: false,
    });
    cleanup.push(() => cluster.stop());
    expect(cluster.masterUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ledger = new SettleLedger("TLS master with a test CA (30 calls)");
    const harness = await Harness.start("faults-tls", {
      master: cluster.masterUrl,
      proxy: false,
      maxWorkers: 4,
      connect: { tls: { ca: pki.ca } },
    });
    cleanup.push(() => harness.stop());
    expect(harness.running.client.state).toMatchObject({ kind: "subscribed", master: cluster.masterUrl });
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        trackFuture(
          ledger,
          `tls-${i}`,
          harness.executor.submit((x: number) => `${x}`, [i]),
        ),
      ),
    );
    expect(outcomes.map((o) => o.ok && o.value)).toEqual(Array.from({ length: 30 }, (_, i) => `${i}`));

    const untrusted = connect({
      master: cluster.masterUrl,
      framework: { name: "faults-untrusted" },
      ...QUICK_CONNECT,
    });
    cleanup.push(() => untrusted.close());
    const reasons: string[] = [];
    untrusted.state$.subscribe((s) => {
      if (s.kind === "disconnected" && isConnectionError(s.error))
        reasons.push(`${s.error.code}: ${s.reason}`);
    });
    await until(() => reasons.length > 0, 10_000, "the untrusted client to be refused");
    expect(reasons[0]).toMatch(/^unreachable: .*certificate/i);
    harness.expectQueueSettled();
    const row = closeLedger(ledger, harness.retried, `untrusted: ${reasons[0]!.slice(0, 100)}`);
    expect(row.fulfilled).toBe(30);
  });

  it("the local cluster binds loopback only by default", async () => {
    const cluster = await LocalCluster.start({ agents: 2, dashboard: false });
    cleanup.push(() => cluster.stop());
    const urls = [cluster.masterUrl, ...cluster.agents.map((a) => a.url)];
    for (const url of urls) expect(new URL(url).hostname).toBe("127.0.0.1");
    // From another interface of this machine, if it has one, nothing answers on those ports.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && !i.internal && i.family === "IPv4");
    if (external === undefined) {
      console.warn("no non-loopback IPv4 interface: only the advertised addresses were checked");
      return;
    }
    for (const url of urls) {
      const port = Number(new URL(url).port);
      const outcome = await new Promise<string>((resolve) => {
        const socket = netConnect({ host: external!.address, port });
        socket.once("connect", () => {
          socket.destroy();
          resolve("connected");
        });
        socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      });
      expect({ url, outcome }).toEqual({ url, outcome: "ECONNREFUSED" });
    }
  });
});
