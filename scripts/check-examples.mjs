#!/usr/bin/env node
// Fails when an export of a package barrel (packages/*/src/index.ts) has no `@example` in its declaration's
// JSDoc. typedoc validates links and exports but cannot require examples, and the project's style asks for one
// on every export. Generated code (src/gen) is exempt. Usage: node scripts/check-examples.mjs [package-dir...]
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The package directories to check: the arguments, or every package with a barrel. */
function packageDirs(args) {
  if (args.length > 0) return args.map((a) => path.resolve(a));
  const base = path.join(root, "packages");
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(base, d.name, "src", "index.ts")))
    .map((d) => path.join(base, d.name))
    .sort();
}

/** Compiler options from the package's build tsconfig, so module resolution matches what typedoc sees. */
function compilerOptions(dir) {
  const configPath = ["tsconfig.build.json", "tsconfig.json"]
    .map((f) => path.join(dir, f))
    .find((f) => existsSync(f));
  if (configPath === undefined) return { module: ts.ModuleKind.NodeNext, moduleResolution: 99 };
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath)).options;
}

/**
 * The JSDoc block that documents a declaration: the last one directly before it (the one typedoc uses),
 * ignoring a file-level block (`@packageDocumentation`/`@module`) that TypeScript attaches to a file's first
 * statement.
 */
function docOf(decl) {
  let host = decl;
  if (ts.isVariableDeclaration(host)) host = host.parent?.parent ?? host; // the `export const` statement
  const blocks = ts
    .getJSDocCommentsAndTags(host)
    .filter((n) => ts.isJSDoc(n))
    .filter(
      (doc) => !(doc.tags ?? []).some((t) => ["packageDocumentation", "module"].includes(t.tagName.text)),
    );
  return blocks.at(-1);
}

function hasExample(decl) {
  const doc = docOf(decl);
  return (doc?.tags ?? []).some((t) => t.tagName.text === "example");
}

function location(decl) {
  const sf = decl.getSourceFile();
  const at = (ts.getNameOfDeclaration(decl) ?? decl).getStart(sf);
  return { file: sf.fileName, line: sf.getLineAndCharacterOfPosition(at).line + 1 };
}

function checkPackage(dir) {
  const name = path.basename(dir);
  const src = path.join(dir, "src") + path.sep;
  const gen = path.join(dir, "src", "gen") + path.sep;
  const barrel = path.join(dir, "src", "index.ts");
  const program = ts.createProgram({
    rootNames: [barrel],
    options: { ...compilerOptions(dir), noEmit: true },
  });
  const checker = program.getTypeChecker();
  const barrelFile = program.getSourceFile(barrel);
  const moduleSymbol = barrelFile && checker.getSymbolAtLocation(barrelFile);
  if (!moduleSymbol) throw new Error(`${name}: cannot read ${path.relative(root, barrel)}`);

  let checked = 0;
  const missing = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decls = (target.declarations ?? []).filter((d) => {
      const file = path.resolve(d.getSourceFile().fileName);
      // `export * as ns from "./gen/..."` resolves to the generated file itself: exempt like its contents.
      return file.startsWith(src) && !file.startsWith(gen);
    });
    if ((target.declarations ?? []).length === 0) {
      // An export TypeScript cannot resolve cannot be shown to have an example: report it rather than pass it.
      missing.push({ name: exported.name, file: path.relative(root, barrel), line: 0, why: "unresolved" });
      checked += 1;
      continue;
    }
    // Declared only in generated code (exempt) or in another package (checked with that package).
    if (decls.length === 0) continue;
    checked += 1;
    // Overloads and declaration merging: one documented declaration is what typedoc shows for the symbol.
    if (decls.some(hasExample)) continue;
    const { file, line } = location(decls[0]);
    missing.push({ name: exported.name, file: path.relative(root, file), line });
  }
  return { name, checked, missing };
}

const results = packageDirs(process.argv.slice(2)).map(checkPackage);
let checked = 0;
let missingCount = 0;
for (const r of results) {
  checked += r.checked;
  missingCount += r.missing.length;
  for (const m of r.missing.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
    const note = m.why === "unresolved" ? " [declaration not found]" : "";
    console.log(`${r.name}: ${m.name} (${m.file}:${m.line})${note}`);
  }
}
console.log(`examples: ${checked} exports checked, ${missingCount} missing`);
if (missingCount > 0) process.exitCode = 1;
