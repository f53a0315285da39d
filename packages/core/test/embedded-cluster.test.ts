import { isLocalClusterUnavailableError, startEmbeddedCluster } from "../src/index.js";

describe("startEmbeddedCluster", () => {
  it("says how to install @satyr/local when it is missing", async () => {
    const missing = Object.assign(new Error("Cannot find package '@satyr/local'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const error = await startEmbeddedCluster({}, async () => Promise.reject(missing)).catch(
      (e: unknown) => e,
    );
    expect(isLocalClusterUnavailableError(error)).toBe(true);
    expect((error as Error).message).toMatch(/pnpm add @satyr\/local/);
    expect((error as Error).message).toMatch(/MESOS_MASTER/);
    expect((error as Error).cause).toBe(missing);
  });

  it("passes other import failures through", async () => {
    const broken = new SyntaxError("bad module");
    await expect(startEmbeddedCluster({}, async () => Promise.reject(broken))).rejects.toBe(broken);
  });

  it("starts the cluster with the given options", async () => {
    const seen: unknown[] = [];
    const fake = { masterUrl: "http://127.0.0.1:1", stop: async () => undefined };
    const cluster = await startEmbeddedCluster({ agents: 3 }, async () => ({
      LocalCluster: {
        start: async (options: unknown) => {
          seen.push(options);
          return fake;
        },
      },
    }));
    expect(cluster).toBe(fake);
    expect(seen).toEqual([{ agents: 3 }]);
  });

  it("prefers the cluster on its own thread when @satyr/local offers one", async () => {
    const seen: string[] = [];
    const fake = { masterUrl: "http://127.0.0.1:2", stop: async () => undefined };
    const cluster = await startEmbeddedCluster({ agents: 1 }, async () => ({
      startClusterThread: async () => {
        seen.push("thread");
        return fake;
      },
      LocalCluster: {
        start: async () => {
          seen.push("in-process");
          return fake;
        },
      },
    }));
    expect(cluster).toBe(fake);
    expect(seen).toEqual(["thread"]);
  });

  it("runs the real embedded cluster on another thread, reachable over HTTP", async () => {
    const cluster = await startEmbeddedCluster({ agents: 1, dashboard: false });
    try {
      const response = await fetch(`${cluster.masterUrl}/master/state`);
      expect(response.status).toBe(200);
      const state = (await response.json()) as { slaves: unknown[] };
      expect(state.slaves).toHaveLength(1);
    } finally {
      await cluster.stop();
    }
    await expect(fetch(`${cluster.masterUrl}/master/state`)).rejects.toThrow();
  });
});
