import { isLocalClusterError, startClusterThread } from "../src/index.js";
import { httpsStatus, Scheduler, selfSignedCertificate } from "./helpers.js";

describe("startClusterThread", () => {
  it("runs a cluster that schedulers reach over HTTP, and stops it", async () => {
    const cluster = await startClusterThread({
      agents: 2,
      resources: { cpus: 1, mem: 256 },
      dashboard: false,
    });
    expect(cluster.masterUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.dashboardUrl).toBeUndefined();
    expect(cluster.agents).toHaveLength(2);
    const s = await Scheduler.subscribe(cluster.masterUrl);
    const offers = await s.sub.offers();
    expect(offers.length).toBeGreaterThan(0);
    await s.call("TEARDOWN");
    s.sub.close();
    await cluster.stop();
    await cluster.stop(); // idempotent
    await expect(fetch(`${cluster.masterUrl}/health`)).rejects.toThrow();
  });

  it("refuses bad options with a typed error naming them, before any thread starts", async () => {
    const error = await startClusterThread({ agents: -1 }).catch((e: unknown) => e);
    expect(isLocalClusterError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("invalid-options");
    expect((error as Error).message).toMatch(/agents/);
  });

  it("reports a port that cannot be bound as start-failed", async () => {
    await using first = await startClusterThread({ resources: { cpus: 1, mem: 128 }, dashboard: false });
    const port = Number(new URL(first.masterUrl).port);
    const error = await startClusterThread({ port, dashboard: false }).catch((e: unknown) => e);
    expect(isLocalClusterError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("start-failed");
    expect((error as Error).message).toMatch(/EADDRINUSE/);
  });

  it("serves TLS with key and certificate passed as Buffers", async () => {
    const tls = selfSignedCertificate();
    await using cluster = await startClusterThread({
      tls,
      resources: { cpus: 1, mem: 128 },
      dashboard: false,
    });
    expect(cluster.masterUrl).toMatch(/^https:/);
    expect(await httpsStatus(`${cluster.masterUrl}/health`, tls.cert)).toBe(200);
  });
});
