import type { ModuleFunction } from "../tasks/function-task.js";
import { PoolArgumentError } from "./pool-errors.js";

/**
 * What a pool can run: a self-contained function (shipped as its source text and rebuilt on the executor, so it
 * must not capture variables or use imports) or a {@link ModuleFunction} reference.
 *
 * @example
 * ```ts
 * const square: PoolFunction<[number], number> = (x) => x * x;
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: argument lists are checked by the caller's own signature
export type PoolFunction<A extends readonly unknown[] = any[], R = unknown> =
  | ((...args: A) => R)
  | ModuleFunction;

/**
 * Checks that `fn` is something a pool can ship; throws a {@link PoolArgumentError} naming what was received.
 *
 * @example
 * ```ts
 * assertPoolFunction((x: number) => x + 1);                       // ok
 * assertPoolFunction({ module: "file:///srv/tasks.js", export: "run" }); // ok
 * ```
 */
export function assertPoolFunction(fn: unknown, argument = "fn"): asserts fn is PoolFunction {
  if (typeof fn === "function") return;
  if (typeof fn === "object" && fn !== null) {
    const ref = fn as { module?: unknown; export?: unknown };
    const moduleOk = (typeof ref.module === "string" && ref.module !== "") || ref.module instanceof URL;
    const exportOk = ref.export === undefined || (typeof ref.export === "string" && ref.export !== "");
    if (moduleOk && exportOk) return;
    throw new PoolArgumentError(
      argument,
      `a module reference needs { module: string | URL, export?: string }, got ${describe(fn)}`,
    );
  }
  throw new PoolArgumentError(argument, `expected a function or { module, export }, got ${describe(fn)}`);
}

/**
 * A short label for a pool function, used as the default task name suffix and in error messages.
 *
 * @example
 * ```ts
 * functionLabel(function square(x: number) { return x * x; }); // "square"
 * ```
 */
export function functionLabel(fn: PoolFunction): string {
  if (typeof fn === "function") return fn.name || "anonymous";
  return fn.export ?? "default";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object with keys [${Object.keys(value).join(", ")}]`;
  return `${typeof value} ${String(value)}`;
}
