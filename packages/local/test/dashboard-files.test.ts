// The dashboard's server side without a browser: the page and its assets at `/`, the Mesos-style sandbox file
// endpoints confined to the work directory, `/dashboard/sandbox`, and turning it all off.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCli } from "../src/cli.js";
import { DashboardError, isDashboardError } from "../src/dashboard/dashboard-error.js";
import { isLocalClusterError, LocalCluster } from "../src/index.js";
import { commandTask, type Json, post, Scheduler, teardownAll } from "./helpers.js";

let cluster: LocalCluster;
let sandbox: string;
let ids: { agent_id: string; framework_id: string; executor_id: string };

async function get(
  path: string,
): Promise<{ status: number; headers: Headers; text: string; json: () => Json }> {
  const response = await fetch(`${cluster.masterUrl}${path}`);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

const read = (params: Record<string, string>) => get(`/files/read?${new URLSearchParams(params)}`);

beforeAll(async () => {
  cluster = await LocalCluster.start({
    resources: { cpus: 2, mem: 1024, disk: 1024 },
    allocationIntervalMs: 100,
  });
  const s = await Scheduler.subscribe(cluster.masterUrl, { name: "files-test" });
  const [offer] = await s.sub.offers();
  await s.launch(offer, [commandTask("files-1", "printf 'hello-files\\nsecond line\\n'; echo oops >&2")], 0);
  await s.until("files-1", "TASK_FINISHED");
  ids = { agent_id: offer.agent_id.value, framework_id: s.frameworkId, executor_id: "files-1" };
  const located = await get(`/dashboard/sandbox?${new URLSearchParams(ids)}`);
  expect(located.status).toBe(200);
  sandbox = located.json().directory;
});
afterAll(async () => {
  await teardownAll();
  await cluster.stop();
});

describe("the page", () => {
  test("/ serves the HTML page with a strict Content-Security-Policy; assets have their content types", async () => {
    expect(cluster.dashboardUrl).toBe(`${cluster.masterUrl}/`);
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.text).toContain('<script type="module" src="dashboard/app.js"></script>');
    for (const [path, type] of [
      ["/dashboard/app.js", "text/javascript; charset=utf-8"],
      ["/dashboard/render.js", "text/javascript; charset=utf-8"],
      ["/dashboard/format.js", "text/javascript; charset=utf-8"],
      ["/dashboard/sandbox-viewer.js", "text/javascript; charset=utf-8"],
      ["/dashboard/style.css", "text/css; charset=utf-8"],
      ["/dashboard/favicon.svg", "image/svg+xml"],
    ] as const) {
      const asset = await get(path);
      expect([path, asset.status, asset.headers.get("content-type")]).toEqual([path, 200, type]);
      expect(asset.text.length).toBeGreaterThan(100);
    }
  });

  test("unknown asset paths are 404 and other methods 405 with Allow", async () => {
    expect((await get("/dashboard/../package.json")).status).toBe(404);
    expect((await get("/dashboard/nope.js")).status).toBe(404);
    const posted = await post(`${cluster.masterUrl}/`, "x", { "Content-Type": "text/plain" });
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe("GET, HEAD");
    expect(posted.body).toBe("/ answers GET and HEAD, not POST");
  });

  test("the scheduler API and /master/state are still routed as before", async () => {
    expect((await get("/master/state")).json().slaves).toHaveLength(1);
    expect((await get("/api/v1/scheduler")).status).toBe(405);
  });
});

describe("/dashboard/sandbox", () => {
  test("locates a finished command task's sandbox inside the work directory", async () => {
    expect(sandbox).toMatch(
      new RegExp(
        `/slaves/${ids.agent_id}/frameworks/${ids.framework_id}/executors/files-1/runs/[0-9a-f-]{36}$`,
      ),
    );
    const browse = await get(`/files/browse?${new URLSearchParams({ path: sandbox })}`);
    expect(browse.status).toBe(200);
    const entries = browse.json() as Json[];
    expect(entries.map((e) => e.path)).toEqual([join(sandbox, "stderr"), join(sandbox, "stdout")]);
    expect(entries[1]).toMatchObject({ size: 24, mode: expect.stringMatching(/^-rw/) });
  });

  test("names a missing or malformed id (400) and an executor that never ran (404)", async () => {
    const missing = await get(`/dashboard/sandbox?${new URLSearchParams({ ...ids, agent_id: "" })}`);
    expect([missing.status, missing.text]).toEqual([400, "missing 'agent_id' query parameter"]);
    const dotted = await get(`/dashboard/sandbox?${new URLSearchParams({ ...ids, executor_id: ".." })}`);
    expect([dotted.status, dotted.text]).toEqual([400, `'executor_id' is not a valid id: ".."`]);
    const slashed = await get(
      `/dashboard/sandbox?${new URLSearchParams({ ...ids, framework_id: "a/../../b" })}`,
    );
    expect(slashed.status).toBe(400);
    const never = await get(
      `/dashboard/sandbox?${new URLSearchParams({ ...ids, executor_id: "never-ran" })}`,
    );
    expect(never.status).toBe(404);
    expect(never.text).toContain("no sandbox yet for executor never-ran");
  });
});

describe("/files/read", () => {
  test("reads like a Mesos agent: offset -1 gives the size, otherwise data from the offset", async () => {
    const path = join(sandbox, "stdout");
    expect(await read({ path, offset: "-1" }).then((r) => r.json())).toEqual({ data: "", offset: 24 });
    expect(await read({ path }).then((r) => r.json())).toEqual({ data: "", offset: 24 });
    expect(await read({ path, offset: "0" }).then((r) => r.json())).toEqual({
      data: "hello-files\nsecond line\n",
      offset: 0,
    });
    expect(await read({ path, offset: "6", length: "5" }).then((r) => r.json())).toEqual({
      data: "files",
      offset: 6,
    });
    expect(await read({ path, offset: "24" }).then((r) => r.json())).toEqual({ data: "", offset: 24 });
    expect(await read({ path: join(sandbox, "stderr"), offset: "0" }).then((r) => r.json())).toEqual({
      data: "oops\n",
      offset: 0,
    });
    const json = await read({ path, offset: "0" });
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(
      (await get(`/files/read.json?${new URLSearchParams({ path, offset: "0", length: "5" })}`)).json().data,
    ).toBe("hello");
  });

  test("a path relative to the work directory works too", async () => {
    const relative = join(sandbox, "stdout").slice(cluster.workDir.length + 1);
    expect(relative.startsWith("slaves/")).toBe(true);
    expect((await read({ path: relative, offset: "0", length: "5" })).json().data).toBe("hello");
  });

  test("refuses paths outside the work directory with 403, even through .. or a symlink", async () => {
    const outside = await read({ path: "/etc/passwd", offset: "0" });
    expect([outside.status, outside.text]).toEqual([
      403,
      "path /etc/passwd is outside the cluster's work directory",
    ]);
    const dotdot = await read({ path: `${sandbox}/../../../../../../../../../../etc/passwd`, offset: "0" });
    expect(dotdot.status).toBe(403);
    const relative = await read({ path: "../../../../../../../../etc/passwd", offset: "0" });
    expect(relative.status).toBe(403);
    // A symlink a task leaves in its sandbox must not become a way out.
    symlinkSync("/etc/passwd", join(sandbox, "escape"));
    const viaLink = await read({ path: join(sandbox, "escape"), offset: "0" });
    expect(viaLink.status).toBe(403);
    expect(viaLink.text).not.toContain("root:");
    // An outside path that does not exist is refused the same way (no probing of other files).
    expect((await read({ path: "/no/such/file", offset: "0" })).status).toBe(403);
  });

  test("404 for a missing file; 400 naming the bad parameter", async () => {
    expect((await read({ path: join(sandbox, "nothing-here"), offset: "0" })).status).toBe(404);
    const noPath = await get("/files/read?offset=0");
    expect([noPath.status, noPath.text]).toEqual([400, "missing 'path' query parameter"]);
    const badOffset = await read({ path: join(sandbox, "stdout"), offset: "abc" });
    expect([badOffset.status, badOffset.text]).toEqual([400, `'offset' must be an integer, got "abc"`]);
    const beyond = await read({ path: join(sandbox, "stdout"), offset: "25" });
    expect(beyond.status).toBe(400);
    expect(beyond.text).toContain("'offset' 25 is beyond the size");
    const negative = await read({ path: join(sandbox, "stdout"), offset: "-2" });
    expect([negative.status, negative.text]).toEqual([400, "'offset' must be -1 or ≥ 0, got -2"]);
    const badLength = await read({ path: join(sandbox, "stdout"), offset: "0", length: "-1" });
    expect([badLength.status, badLength.text]).toEqual([400, "'length' must be ≥ 0, got -1"]);
    const directory = await read({ path: sandbox, offset: "0" });
    expect(directory.status).toBe(400);
    expect(directory.text).toContain("it is a directory");
    const browseFile = await get(`/files/browse?${new URLSearchParams({ path: join(sandbox, "stdout") })}`);
    expect(browseFile.status).toBe(400);
  });

  test("a file larger than one read comes back in pieces of at most 1 MiB", async () => {
    const dir = join(cluster.workDir, "slaves", "big");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "big.txt"), "x".repeat(1024 * 1024 + 10));
    const first = (await read({ path: join(dir, "big.txt"), offset: "0" })).json();
    expect(first.data.length).toBe(1024 * 1024);
    const rest = (await read({ path: join(dir, "big.txt"), offset: String(1024 * 1024) })).json();
    expect(rest).toEqual({ data: "x".repeat(10), offset: 1024 * 1024 });
  });
});

describe("turning it off", () => {
  test("dashboard: false leaves /, the assets and /files/* unrouted (404) and dashboardUrl undefined", async () => {
    await using plain = await LocalCluster.start({ dashboard: false, resources: { cpus: 1, mem: 256 } });
    expect(plain.dashboardUrl).toBeUndefined();
    for (const path of [
      "/",
      "/dashboard/app.js",
      `/files/read?path=${encodeURIComponent(plain.workDir)}`,
      "/dashboard/sandbox",
    ]) {
      expect([path, (await fetch(`${plain.masterUrl}${path}`)).status]).toEqual([path, 404]);
    }
    expect((await fetch(`${plain.masterUrl}/master/state`)).status).toBe(200);
  });

  test("satyr-local --no-dashboard; a non-boolean option is a named invalid-options error", async () => {
    expect(parseCli(["--no-dashboard"])).toEqual({ dashboard: false });
    expect(parseCli([])).toEqual({});
    const error = await LocalCluster.start({ dashboard: "no" as unknown as boolean }).catch(
      (e: unknown) => e,
    );
    expect(isLocalClusterError(error) && error.code).toBe("invalid-options");
    expect((error as Error).message).toBe("dashboard must be true or false, got no");
  });

  test("DashboardError carries its HTTP status and a name-based guard", () => {
    const error = new DashboardError("forbidden", "nope", { cause: "why" });
    expect([error.name, error.status, error.cause, isDashboardError(error)]).toEqual([
      "DashboardError",
      403,
      "why",
      true,
    ]);
    expect(isDashboardError(new Error("x"))).toBe(false);
  });
});
