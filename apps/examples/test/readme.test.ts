import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";

// The root README's TypeScript snippets must compile against the packages as built: a renamed option or export
// fails here instead of misleading readers. Fragments use a few names they do not define (the task function, its
// arguments, a pending$ stream); the prelude declares those.
const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
// @satyr/binpack is not a dependency of the examples (its own README is tested in its package).
const checked = blocks.filter((b) => !b.includes('"@satyr/binpack"'));

const prelude = [
  "declare const fn: (x: number) => number;",
  "declare const args: number[];",
  'declare const pending$: import("rxjs").Observable<readonly import("@satyr/core").Task<unknown>[]>;',
];

test("the root README's TypeScript snippets typecheck", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(10);
  expect(checked.length).toBe(blocks.length - 1);
  // Inside this package's node_modules so that imports resolve as they do for the examples.
  const dir = fileURLToPath(new URL("../node_modules/.cache/readme-snippets/", import.meta.url));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = checked.map((block, i) => {
    const lines = block.split("\n");
    const imports = lines.filter((l) => l.startsWith("import "));
    const body = lines.filter((l) => !l.startsWith("import "));
    const needsFunctionTask =
      body.some((l) => l.includes("FunctionTask")) && !imports.some((l) => l.includes("FunctionTask"));
    const file = `${dir}snippet-${i}.mts`;
    writeFileSync(
      file,
      [
        ...imports,
        ...(needsFunctionTask ? ['import { FunctionTask } from "@satyr/core";'] : []),
        ...prelude,
        ...body,
        "export {};",
      ].join("\n"),
    );
    return file;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    types: ["node"],
    noEmit: true,
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName.slice(dir.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  expect(problems).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});
