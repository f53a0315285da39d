import { existsSync, readFileSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { FunctionRef } from "@satyr/proto";
import { TaskLoadError } from "../errors/index.js";

/** A function a task calls. */
export type TaskFunction = (...args: unknown[]) => unknown;

/** Where module references are looked up. */
export interface FunctionLoaderOptions {
  readonly moduleRoot: string | undefined;
  readonly sandbox: string | undefined;
}

/** Compiled sources kept per worker; a pool that ships many different lambdas must not grow without bound. */
const MAX_CACHED_SOURCES = 512;
const NATIVE_SOURCE = /\{\s*\[native code\]\s*\}\s*$/;
const URL_SCHEME = /^([a-zA-Z][a-zA-Z\d+.-]*):/;
/** Conditions a module reference is resolved with: those of `import` in Node.js. */
const CONDITIONS = new Set(["node", "import", "default"]);

/**
 * Turns a payload's {@link FunctionRef} into a callable: source text is rebuilt with `new Function` in a scope of
 * its own (globals only, strict mode, as in the ES module it most likely came from), cached by its text; a module
 * reference is imported once (by URL, absolute path, or relative path / package name resolved against the module
 * root then the sandbox) and its export checked.
 *
 * @example
 * ```ts
 * const loader = new FunctionLoader({ moduleRoot: undefined, sandbox: process.cwd() });
 * const add = await loader.load({ kind: "source", source: "(a, b) => a + b" });
 * add(1, 2); // 3
 * ```
 */
export class FunctionLoader {
  readonly #options: FunctionLoaderOptions;
  readonly #sources = new Map<string, TaskFunction>();
  readonly #modules = new Map<string, TaskFunction>();

  constructor(options: FunctionLoaderOptions) {
    this.#options = options;
  }

  /** @throws {@link TaskLoadError} naming what could not be loaded and why. */
  load(ref: FunctionRef): TaskFunction | Promise<TaskFunction> {
    if (ref.kind === "source") return this.#fromSource(ref.source, ref.name);
    const key = `${ref.module}\u0000${ref.export}`;
    return this.#modules.get(key) ?? this.#fromModule(ref.module, ref.export, key);
  }

  #fromSource(source: string, name: string | undefined): TaskFunction {
    const cached = this.#sources.get(source);
    if (cached !== undefined) return cached;
    const fn = compileSource(source, name);
    if (this.#sources.size >= MAX_CACHED_SOURCES) {
      const oldest = this.#sources.keys().next().value;
      if (oldest !== undefined) this.#sources.delete(oldest);
    }
    this.#sources.set(source, fn);
    return fn;
  }

  async #fromModule(specifier: string, exportName: string, key: string): Promise<TaskFunction> {
    const url = this.#resolve(specifier);
    let namespace: Record<string, unknown>;
    try {
      namespace = (await import(url)) as Record<string, unknown>;
    } catch (cause) {
      throw new TaskLoadError(
        `cannot import module ${JSON.stringify(specifier)} (${url}): ${describeError(cause)}`,
        {
          cause,
        },
      );
    }
    if (!(exportName in namespace)) {
      const names = Object.keys(namespace);
      throw new TaskLoadError(
        `module ${JSON.stringify(specifier)} has no export ${JSON.stringify(exportName)} (it exports: ${
          names.length > 0 ? names.join(", ") : "nothing"
        })`,
      );
    }
    const value = namespace[exportName];
    if (typeof value !== "function") {
      throw new TaskLoadError(
        `export ${JSON.stringify(exportName)} of module ${JSON.stringify(specifier)} is ${
          value === null ? "null" : `a ${typeof value}`
        }, not a function`,
      );
    }
    this.#modules.set(key, value as TaskFunction);
    return value as TaskFunction;
  }

  /** Maps a module reference to a URL `import()` accepts. */
  #resolve(specifier: string): string {
    if (specifier === "") throw new TaskLoadError("the task's module reference is empty");
    if (isBuiltin(specifier)) return specifier;
    const scheme = URL_SCHEME.exec(specifier)?.[1]?.toLowerCase();
    if (scheme !== undefined && !/^[a-zA-Z]:[\\/]/.test(specifier)) {
      if (scheme === "file" || scheme === "data" || scheme === "node") return specifier;
      throw new TaskLoadError(
        `cannot import ${JSON.stringify(specifier)}: Node.js imports only file:, data: and node: URLs; have Mesos ` +
          "fetch the module into the sandbox (CommandInfo.uris) and refer to it by a relative path",
      );
    }
    if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
    const bases = this.#bases();
    if (
      specifier === "." ||
      specifier === ".." ||
      specifier.startsWith("./") ||
      specifier.startsWith("../")
    ) {
      for (const base of bases) {
        const candidate = resolve(base, specifier);
        if (isFile(candidate)) return pathToFileURL(candidate).href;
      }
      throw new TaskLoadError(
        `cannot find module ${JSON.stringify(specifier)}: looked for ${bases
          .map((base) => resolve(base, specifier))
          .join(" and ")} (relative references resolve against SATYR_MODULE_ROOT, then the sandbox)`,
      );
    }
    for (const base of bases) {
      const found = resolvePackage(specifier, base);
      if (found !== undefined) return pathToFileURL(found).href;
    }
    try {
      // Last resort: a package installed next to satyr-executor itself.
      return import.meta.resolve(specifier);
    } catch {
      throw new TaskLoadError(
        `cannot find package ${JSON.stringify(specifier)} in node_modules above ${bases.join(" or ")} ` +
          "(bare specifiers resolve against SATYR_MODULE_ROOT, then the sandbox)",
      );
    }
  }

  #bases(): string[] {
    const bases = [this.#options.moduleRoot, this.#options.sandbox].filter(
      (base): base is string => base !== undefined && base !== "",
    );
    return bases.length > 0 ? bases : [process.cwd()];
  }
}

/** Rebuilds a function from its source text, in a scope that holds only the globals. */
function compileSource(source: string, name: string | undefined): TaskFunction {
  const label =
    name === undefined || name === "" ? "the task's function" : `function ${JSON.stringify(name)}`;
  const text = source.trim();
  if (NATIVE_SOURCE.test(text)) {
    throw new TaskLoadError(
      `${label} is native or bound (its source reads "[native code]"): send a function written in JavaScript, ` +
        "or a module reference { module, export }",
    );
  }
  let value: unknown;
  try {
    value = new Function(`"use strict";\nreturn (${text}\n);`)();
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      throw new TaskLoadError(`evaluating the source of ${label} failed: ${describeError(error)}`, {
        cause: error,
      });
    }
    // Method shorthand (`add(a, b) { ... }`, what Function.prototype.toString gives for an object's method) is no
    // expression on its own: read it back as the only member of an object literal.
    value = methodFromShorthand(text);
    if (value === undefined) {
      throw new TaskLoadError(`the source of ${label} is not a function expression: ${error.message}`, {
        cause: error,
      });
    }
  }
  if (typeof value !== "function") {
    throw new TaskLoadError(
      `the source of ${label} evaluates to ${value === null ? "null" : `a ${typeof value}`}, not a function`,
    );
  }
  return value as TaskFunction;
}

function methodFromShorthand(text: string): unknown {
  try {
    const holder = new Function(`"use strict";\nreturn ({ ${text}\n});`)() as Record<string, unknown>;
    const values = Object.values(holder);
    return values.length === 1 && typeof values[0] === "function" ? values[0] : undefined;
  } catch {
    return undefined;
  }
}

/** Finds the file a bare specifier (`pkg`, `pkg/sub`, `@scope/pkg/sub`) names, from `base` upwards. */
function resolvePackage(specifier: string, base: string): string | undefined {
  const parts = specifier.split("/");
  const nameParts = specifier.startsWith("@") ? 2 : 1;
  if (parts.length < nameParts || parts.slice(0, nameParts).some((part) => part === "")) return undefined;
  const name = parts.slice(0, nameParts).join("/");
  const subpath = parts.length > nameParts ? `./${parts.slice(nameParts).join("/")}` : ".";
  let dir = resolve(base);
  for (;;) {
    const packageDir = join(dir, "node_modules", name);
    const manifestPath = join(packageDir, "package.json");
    if (existsSync(manifestPath)) return entryOf(packageDir, manifestPath, subpath);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function entryOf(packageDir: string, manifestPath: string, subpath: string): string | undefined {
  let manifest: { exports?: unknown; main?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports?: unknown; main?: unknown };
  } catch {
    return undefined;
  }
  if (manifest.exports !== undefined && manifest.exports !== null) {
    const target = exportsTarget(manifest.exports, subpath);
    return target === undefined ? undefined : withExtension(join(packageDir, target));
  }
  if (subpath !== ".") return withExtension(join(packageDir, subpath));
  const main = typeof manifest.main === "string" ? manifest.main : "index.js";
  return withExtension(join(packageDir, main));
}

/** The target of `subpath` in a package.json `exports` field, for the conditions of `import`. */
function exportsTarget(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap =
    typeof exports === "object" &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith("."));
  if (!isSubpathMap) return subpath === "." ? conditional(exports) : undefined;
  const map = exports as Record<string, unknown>;
  if (subpath in map) return conditional(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (
      subpath.startsWith(prefix) &&
      subpath.endsWith(suffix) &&
      subpath.length >= prefix.length + suffix.length
    ) {
      const match = subpath.slice(prefix.length, subpath.length - suffix.length);
      return conditional(value)?.replaceAll("*", match);
    }
  }
  return undefined;
}

function conditional(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = conditional(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof target === "object" && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const found = conditional(value);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function withExtension(path: string): string | undefined {
  for (const candidate of [path, `${path}.js`, `${path}.mjs`, join(path, "index.js")]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
