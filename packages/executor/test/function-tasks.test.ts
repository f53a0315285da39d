import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TaskState, TaskStatus_Reason } from "@satyr/proto";
import { type Harness, startHarness } from "./helpers/harness.js";
import { functionTask, resultOf } from "./helpers/tasks.js";

// The executor's own view of function tasks: sources and module references, async functions, chunks, errors.
describe("function tasks", () => {
  let sandbox: string;
  let moduleRoot: string;
  let harness: Harness;

  beforeAll(async () => {
    sandbox = mkdtempSync(join(tmpdir(), "satyr-executor-sandbox-"));
    moduleRoot = mkdtempSync(join(tmpdir(), "satyr-executor-modules-"));
    writeFileSync(
      join(sandbox, "jobs.mjs"),
      [
        "export const square = (x) => x * x;",
        "export async function slowDouble(x) { await new Promise((r) => setTimeout(r, 5)); return 2 * x; }",
        "export const answer = 42;",
        'export default function greet(name) { return "hello " + name; }',
      ].join("\n"),
    );
    writeFileSync(join(moduleRoot, "jobs.mjs"), "export const square = (x) => -1;\n");
    const pkg = join(moduleRoot, "node_modules", "@acme", "maths");
    mkdirSync(join(pkg, "lib"), { recursive: true });
    writeFileSync(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "@acme/maths",
        type: "module",
        exports: { ".": { import: "./lib/index.js" }, "./*": "./lib/*.js" },
      }),
    );
    writeFileSync(join(pkg, "lib", "index.js"), "export const cube = (x) => x ** 3;\n");
    writeFileSync(join(pkg, "lib", "extra.js"), "export const negate = (x) => -x;\n");
    harness = await startHarness({ env: { MESOS_SANDBOX: sandbox, SATYR_MODULE_ROOT: moduleRoot } });
  });

  afterAll(async () => {
    await harness.close();
    rmSync(sandbox, { recursive: true, force: true });
    rmSync(moduleRoot, { recursive: true, force: true });
  });

  test("a source function runs with msgpack arguments and sends RUNNING, then FINISHED with the result", async () => {
    const { agent } = harness;
    agent.launch(
      functionTask("structured", (m: Map<string, Date>, n: bigint) => ({ keys: [...m.keys()], n: n * 2n }), [
        [new Map([["a", new Date(0)]]), 21n],
      ]),
    );
    const done = await agent.terminal("structured");
    expect(agent.updatesOf("structured").map((s) => s.state)).toEqual([
      TaskState.TASK_RUNNING,
      TaskState.TASK_FINISHED,
    ]);
    expect(resultOf(done).outcomes).toEqual([{ ok: true, value: { keys: ["a"], n: 42n } }]);
  });

  test("an async function is awaited", async () => {
    const { agent } = harness;
    agent.launch(
      functionTask(
        "async",
        async (x: number) => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return x + 1;
        },
        [[41]],
      ),
    );
    expect(resultOf(await harness.agent.terminal("async")).outcomes).toEqual([{ ok: true, value: 42 }]);
  });

  test("a method written in shorthand is rebuilt too", async () => {
    const holder = {
      twice(x: number) {
        return x * 2;
      },
    };
    harness.agent.launch(functionTask("shorthand", holder.twice, [[4]]));
    expect(resultOf(await harness.agent.terminal("shorthand")).outcomes).toEqual([{ ok: true, value: 8 }]);
  });

  test("a chunk runs its calls in order; one throwing fails the task with every outcome and keeps the others", async () => {
    const { agent } = harness;
    agent.launch(
      functionTask(
        "chunk",
        (x: number) => {
          if (x === 2) throw Object.assign(new RangeError("two is not allowed"), { code: "E_TWO" });
          return x * 10;
        },
        [[1], [2], [3]],
      ),
    );
    const done = await agent.terminal("chunk");
    expect(done.state).toBe(TaskState.TASK_FAILED);
    expect(done.message).toBe("1 of 3 calls failed; the first, call 1: RangeError: two is not allowed");
    const [first, second, third] = resultOf(done).outcomes;
    expect(first).toEqual({ ok: true, value: 10 });
    expect(third).toEqual({ ok: true, value: 30 });
    expect(second).toMatchObject({
      ok: false,
      error: { name: "RangeError", message: "two is not allowed", props: { code: "E_TWO" } },
    });
    expect(second?.ok === false && second.error.stack).toContain("RangeError: two is not allowed");
  });

  test("a thrown error keeps its cause chain", async () => {
    harness.agent.launch(
      functionTask("cause", () => {
        throw new Error("outer", { cause: new TypeError("inner") });
      }),
    );
    const done = await harness.agent.terminal("cause");
    expect(done.message).toBe("Error: outer");
    expect(resultOf(done).outcomes[0]).toMatchObject({
      ok: false,
      error: { name: "Error", message: "outer", cause: { name: "TypeError", message: "inner" } },
    });
  });

  test("a huge error is cut to the size cap, keeping its name and the start of its message", async () => {
    harness.agent.launch(
      functionTask("huge-error", () => {
        throw Object.assign(new TypeError(`bad ${"x".repeat(500_000)}`), { detail: "y".repeat(500_000) });
      }),
    );
    const done = await harness.agent.terminal("huge-error");
    expect(done.data.length).toBeLessThan(80 * 1024);
    const outcome = resultOf(done).outcomes[0];
    expect(outcome).toMatchObject({ ok: false, error: { name: "TypeError" } });
    expect(outcome?.ok === false && outcome.error.message.startsWith("bad xxx")).toBe(true);
  });

  test("a free variable fails the call with a ReferenceError that says the function must be self-contained", async () => {
    const offset = 5;
    harness.agent.launch(functionTask("free", (x: number) => x + offset, [[1]]));
    const done = await harness.agent.terminal("free");
    expect(done.state).toBe(TaskState.TASK_FAILED);
    const outcome = resultOf(done).outcomes[0];
    expect(outcome).toMatchObject({ ok: false, error: { name: "ReferenceError" } });
    const message = outcome?.ok === false ? outcome.error.message : "";
    expect(message).toMatch(/^offset is not defined/);
    expect(message).toContain("must be self-contained");
    expect(message).toContain("module reference");
  });

  test("a module reference is imported relative to the module root, then the sandbox", async () => {
    const { agent } = harness;
    agent.launch(
      functionTask("root-first", { kind: "module", module: "./jobs.mjs", export: "square" }, [[3]]),
    );
    expect(resultOf(await agent.terminal("root-first")).outcomes).toEqual([{ ok: true, value: -1 }]);
    const url = pathToFileURL(join(sandbox, "jobs.mjs")).href;
    agent.launch(functionTask("by-url", { kind: "module", module: url, export: "slowDouble" }, [[4], [5]]));
    expect(resultOf(await agent.terminal("by-url")).outcomes).toEqual([
      { ok: true, value: 8 },
      { ok: true, value: 10 },
    ]);
    agent.launch(
      functionTask("default", { kind: "module", module: join(sandbox, "jobs.mjs"), export: "default" }, [
        ["you"],
      ]),
    );
    expect(resultOf(await agent.terminal("default")).outcomes).toEqual([{ ok: true, value: "hello you" }]);
  });

  test("a package specifier is resolved from node_modules under the module root, with its exports map", async () => {
    const { agent } = harness;
    agent.launch(functionTask("pkg", { kind: "module", module: "@acme/maths", export: "cube" }, [[3]]));
    expect(resultOf(await agent.terminal("pkg")).outcomes).toEqual([{ ok: true, value: 27 }]);
    agent.launch(
      functionTask("pkg-sub", { kind: "module", module: "@acme/maths/extra", export: "negate" }, [[3]]),
    );
    expect(resultOf(await agent.terminal("pkg-sub")).outcomes).toEqual([{ ok: true, value: -3 }]);
  });

  test("a missing export, a non-function export and a missing module fail that task with a clear message", async () => {
    const { agent } = harness;
    agent.launch(
      functionTask("no-export", { kind: "module", module: join(sandbox, "jobs.mjs"), export: "cube" }),
    );
    agent.launch(
      functionTask("not-fn", { kind: "module", module: join(sandbox, "jobs.mjs"), export: "answer" }),
    );
    agent.launch(functionTask("no-module", { kind: "module", module: "./missing.mjs", export: "x" }));
    agent.launch(functionTask("http", { kind: "module", module: "https://example.com/x.js", export: "x" }));
    const noExport = await agent.terminal("no-export");
    expect(noExport.state).toBe(TaskState.TASK_FAILED);
    expect(noExport.reason).toBe(TaskStatus_Reason.TASK_INVALID);
    expect(noExport.data.length).toBe(0);
    expect(noExport.message).toMatch(/has no export "cube" \(it exports: .*square/);
    expect((await agent.terminal("not-fn")).message).toContain('export "answer" of module');
    expect((await agent.terminal("not-fn")).message).toContain("is a number, not a function");
    expect((await agent.terminal("no-module")).message).toContain('cannot find module "./missing.mjs"');
    expect((await agent.terminal("http")).message).toContain(
      "Node.js imports only file:, data: and node: URLs",
    );
  });

  test("a source that is not a function fails the task", async () => {
    const { agent } = harness;
    agent.launch(functionTask("not-source", { kind: "source", source: "42" }));
    agent.launch(functionTask("native", { kind: "source", source: Math.max.toString(), name: "max" }));
    agent.launch(functionTask("syntax", { kind: "source", source: "(x) => {" }));
    expect((await agent.terminal("not-source")).message).toContain("evaluates to a number, not a function");
    expect((await agent.terminal("native")).message).toContain('function "max" is native or bound');
    expect((await agent.terminal("syntax")).message).toContain("is not a function expression");
  });
});

describe("the JSON codec", () => {
  test("SATYR_EXECUTOR_CODEC=json subscribes and updates in JSON", async () => {
    const harness = await startHarness({ env: { SATYR_EXECUTOR_CODEC: "json" } });
    try {
      harness.agent.launch(functionTask("json", (a: number, b: number) => a * b, [[3, 5]]));
      expect(resultOf(await harness.agent.terminal("json")).outcomes).toEqual([{ ok: true, value: 15 }]);
      expect(harness.agent.rejected).toEqual([]);
    } finally {
      await harness.close();
    }
  });
});
