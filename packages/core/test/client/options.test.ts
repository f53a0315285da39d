import { FrameworkInfo_Capability_Type } from "@satyr/proto";
import {
  Backoff,
  buildFrameworkInfo,
  CancelScope,
  leaderFromMasterInfoJson,
  masterBaseUrl,
  normalizeOptions,
  parseMaster,
  resolveRedirect,
  withDeadline,
} from "../../src/client/index.js";
import {
  AuthenticationError,
  CallError,
  CancelledError,
  ConnectionError,
  InvalidOfferError,
  InvalidOptionsError,
  isAuthenticationError,
  isCallError,
  isCancelledError,
  isConnectionError,
  isInvalidOfferError,
  isInvalidOptionsError,
  isMasterError,
  isSatyrError,
  isTimeoutError,
  MasterError,
  TimeoutError,
} from "../../src/errors/index.js";
import { rejection } from "../support/wait.js";

describe("parseMaster", () => {
  it("reads URLs, bare host:port and comma lists into scheduler endpoints", () => {
    const parsed = parseMaster("http://m1:5050, m2:5051 ,https://m3:5050/prefix/");
    expect(parsed.kind).toBe("urls");
    if (parsed.kind !== "urls") return;
    expect(parsed.endpoints.map(String)).toEqual([
      "http://m1:5050/api/v1/scheduler",
      "http://m2:5051/api/v1/scheduler",
      "https://m3:5050/prefix/api/v1/scheduler",
    ]);
    const secure = parseMaster("m2:5051", "https");
    expect(secure.kind === "urls" ? secure.endpoints.map(String) : []).toEqual([
      "https://m2:5051/api/v1/scheduler",
    ]);
  });

  it("reads zk:// URLs with several servers, a path and digest credentials", () => {
    expect(parseMaster("zk://zk1:2181,zk2:2182/mesos")).toEqual({
      kind: "zookeeper",
      servers: "zk1:2181,zk2:2182",
      path: "/mesos",
    });
    expect(parseMaster("zk://user:pw@zk1:2181/a/b/")).toEqual({
      kind: "zookeeper",
      servers: "zk1:2181",
      path: "/a/b",
      digest: "user:pw",
    });
    expect(parseMaster("zk://zk1:2181")).toEqual({ kind: "zookeeper", servers: "zk1:2181", path: "/" });
  });

  it.each([
    ["", "master"],
    ["ftp://m:21", "master[0]"],
    ["http://user:pw@m:5050", "master[0]"],
    ["http://m:5050?x=1", "master[0]"],
    ["http://m:99999", "master[0]"],
    ["zk://zk1:abc/mesos", "master"],
    ["zk://zk1:2181/a//b", "master"],
    ["zk://nocolon@zk1/mesos", "master"],
  ])("rejects %j naming %s", (text, option) => {
    let error: unknown;
    try {
      parseMaster(text);
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionsError(error)).toBe(true);
    expect((error as InvalidOptionsError).option).toBe(option);
  });
});

describe("redirects and master URLs", () => {
  it("resolves Mesos's protocol-relative Location, keeping the scheme", () => {
    const from = new URL("https://m1:5050/api/v1/scheduler");
    expect(resolveRedirect("//m2:5051/api/v1/scheduler", from).href).toBe("https://m2:5051/api/v1/scheduler");
    expect(resolveRedirect("//m2:5051", from).href).toBe("https://m2:5051/api/v1/scheduler");
    expect(resolveRedirect("http://m3:5050/master/api/v1/scheduler", from).href).toBe(
      "http://m3:5050/master/api/v1/scheduler",
    );
    expect(masterBaseUrl(new URL("http://m1:5050/prefix/api/v1/scheduler"))).toBe("http://m1:5050/prefix");
  });

  it("reads the leader's address from JSON MasterInfo, preferring `address`", () => {
    const full = leaderFromMasterInfoJson(
      JSON.stringify({
        id: "m",
        ip: 16777343,
        port: 5050,
        hostname: "old",
        address: { hostname: "new", ip: "10.0.0.1", port: 5051 },
      }),
      "http",
      "/mesos/json.info_0000000001",
    );
    expect(full.endpoint.href).toBe("http://new:5051/api/v1/scheduler");
    expect(full.id).toBe("m");
    expect(
      leaderFromMasterInfoJson('{"address":{"ip":"10.0.0.2","port":5050}}', "https", "n").endpoint.href,
    ).toBe("https://10.0.0.2:5050/api/v1/scheduler");
    expect(leaderFromMasterInfoJson('{"pid":"master@10.0.0.3:5052"}', "http", "n").endpoint.href).toBe(
      "http://10.0.0.3:5052/api/v1/scheduler",
    );
    // The packed top-level ip (MESOS-1201) as a last resort: 16777343 is 127.0.0.1.
    expect(leaderFromMasterInfoJson('{"ip":16777343,"port":5050}', "http", "n").endpoint.hostname).toBe(
      "127.0.0.1",
    );
    expect(() => leaderFromMasterInfoJson("not json", "http", "n")).toThrow(
      /does not hold a JSON MasterInfo/,
    );
    expect(() => leaderFromMasterInfoJson("{}", "http", "n")).toThrow(/no master address/);
  });
});

describe("normalizeOptions and buildFrameworkInfo", () => {
  it("defaults the master to MESOS_MASTER and fails clearly without one", () => {
    expect(
      normalizeOptions({ framework: { name: "x" } }, { MESOS_MASTER: "zk://z:2181/mesos" }).master.kind,
    ).toBe("zookeeper");
    expect(() => normalizeOptions({ framework: { name: "x" } }, {})).toThrow(/MESOS_MASTER/);
  });

  it("uses https for bare hosts when TLS is configured, and fills defaults", () => {
    const options = normalizeOptions({ master: "m:5050", framework: { name: "x" }, tls: { ca: "PEM" } }, {});
    expect(options.scheme).toBe("https");
    expect(options.tls).toEqual({ ca: "PEM", rejectUnauthorized: true });
    expect(options.codec).toBe("protobuf");
    expect(options.heartbeatTolerance).toBe(5);
    expect(options.acknowledge).toBe("auto");
    expect(options.frameworkInfo.failoverTimeout).toBe(60);
    expect(options.frameworkInfo.user).not.toBe("");
  });

  it("builds FrameworkInfo from plain options", () => {
    const info = buildFrameworkInfo({
      name: "fw",
      user: "alice",
      roles: ["a", "b/c"],
      capabilities: ["PARTITION_AWARE", "GPU_RESOURCES"],
      checkpoint: true,
      hostname: "host",
      labels: { team: "x" },
      id: "fw-1",
      failoverTimeoutSeconds: 3600,
    });
    expect(info.roles).toEqual(["a", "b/c"]);
    expect(info.capabilities.map((c) => c.type).sort()).toEqual(
      [
        FrameworkInfo_Capability_Type.PARTITION_AWARE,
        FrameworkInfo_Capability_Type.GPU_RESOURCES,
        FrameworkInfo_Capability_Type.MULTI_ROLE,
      ].sort(),
    );
    expect(info.checkpoint).toBe(true);
    expect(info.labels?.labels.map((l) => [l.key, l.value])).toEqual([["team", "x"]]);
    expect(info.id?.value).toBe("fw-1");
    expect(info.failoverTimeout).toBe(3600);
  });

  it.each([
    [{ name: "x", roles: [] }, "framework.roles"],
    [{ name: "x", roles: ["-a"] }, "framework.roles[0]"],
    [{ name: "x", roles: ["a", "a"] }, "framework.roles"],
    [{ name: "x", roles: ["a b"] }, "framework.roles[0]"],
    [{ name: "x", id: ".." }, "framework.id"],
    [{ name: "x", labels: { k: 1 } }, "framework.labels.k"],
    [{ name: "x", principal: "other" }, "framework.principal"],
  ])("rejects framework %j naming %s", (framework, option) => {
    let error: unknown;
    try {
      buildFrameworkInfo(framework as never, "me");
    } catch (e) {
      error = e;
    }
    expect(isInvalidOptionsError(error)).toBe(true);
    expect((error as InvalidOptionsError).option).toBe(option);
  });
});

describe("Backoff", () => {
  it("doubles up to the cap, jitter only shortening, and resets", () => {
    const fixed = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => fixed.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    fixed.reset();
    expect(fixed.next()).toBe(100);
    const jittered = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 1);
    expect(jittered.next()).toBe(50);
    const random = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 });
    for (let i = 0; i < 20; i++) {
      const delay = random.next();
      const base = Math.min(1000, 100 * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });
});

describe("withDeadline", () => {
  it("times out, cancels, and returns the work's value otherwise", async () => {
    expect(await withDeadline("ok", {}, 1000, undefined, async () => 42)).toBe(42);
    const never = () => new Promise<never>(() => undefined);
    const timedOut = await rejection(withDeadline("slow", { timeoutMs: 20 }, 1000, undefined, never));
    expect(isTimeoutError(timedOut)).toBe(true);
    expect((timedOut as TimeoutError).timeoutMs).toBe(20);
    const controller = new AbortController();
    const pending = withDeadline("cancelled", { signal: controller.signal }, 1000, undefined, never);
    controller.abort("because");
    const cancelled = await rejection(pending);
    expect(isCancelledError(cancelled)).toBe(true);
    expect((cancelled as Error).cause).toBe("because");
    await expect(withDeadline("bad", { timeoutMs: -1 }, 1000, undefined, never)).rejects.toThrow(RangeError);
  });

  it("cancels every member of a scope at once, and late members immediately", async () => {
    const scope = new CancelScope();
    const never = () => new Promise<never>(() => undefined);
    const pending = [1, 2, 3].map(() => rejection(withDeadline("member", {}, 10_000, scope, never)));
    const finished = await withDeadline("quick", {}, 10_000, scope, async () => "done");
    expect(finished).toBe("done");
    const reason = new Error("closing");
    scope.cancel(reason);
    expect(await Promise.all(pending)).toEqual([reason, reason, reason]);
    expect(scope.cancelled).toBe(true);
    expect(await rejection(withDeadline("late", {}, 10_000, scope, never))).toBe(reason);
  });
});

describe("error classes", () => {
  it("have explicit names, causes and name-based guards", () => {
    const cause = new Error("root");
    const errors: [Error, (e: unknown) => boolean, string][] = [
      [new AuthenticationError(401, "http://m", "", { cause }), isAuthenticationError, "AuthenticationError"],
      [new CallError("KILL", 400, "bad", "http://m", { cause }), isCallError, "CallError"],
      [new CancelledError("x", { cause }), isCancelledError, "CancelledError"],
      [new ConnectionError("unreachable", "x", "http://m", { cause }), isConnectionError, "ConnectionError"],
      [new InvalidOfferError(["o"], { cause }), isInvalidOfferError, "InvalidOfferError"],
      [new InvalidOptionsError("master", "bad", { cause }), isInvalidOptionsError, "InvalidOptionsError"],
      [new MasterError("Framework failed over", { cause }), isMasterError, "MasterError"],
      [new TimeoutError("x", 5, { cause }), isTimeoutError, "TimeoutError"],
    ];
    for (const [error, guard, name] of errors) {
      expect(error.name).toBe(name);
      expect(error.cause).toBe(cause);
      expect(guard(error)).toBe(true);
      expect(isSatyrError(error)).toBe(true);
      // A copy from another package instance: same name, different class.
      const foreign = Object.assign(new Error("x"), { name });
      expect(guard(foreign)).toBe(true);
      expect(guard(new Error("x"))).toBe(false);
    }
    expect(new MasterError("Framework has been removed").kind).toBe("removed");
    expect(new MasterError("Framework failed over").kind).toBe("failed-over");
    expect(new MasterError("Not authorized to use role").kind).toBe("refused");
    expect(isCancelledError(new DOMException("x", "AbortError"))).toBe(true);
  });
});
