import { InvalidTaskError } from "../errors/invalid-task-error.js";
import type { Offer } from "../resources/offer.js";

/**
 * A placement rule on agent attributes (`hostname` means the offer's hostname). Hard rules (`equals`,
 * `pattern`, `unique`) exclude agents; the soft rule `spread` only orders them, preferring agents that run
 * the fewest tasks of the same group. `group` defaults to the task's name.
 *
 * @example
 * ```ts
 * const constraints: Constraint[] = [
 *   attributeEquals("os", "linux"),
 *   { kind: "pattern", attribute: "rack", pattern: /^r[12]$/ },
 *   spread("zone"),
 * ];
 * new CommandTask({ name: "web", command: "./serve", constraints });
 * ```
 */
export type Constraint =
  | { readonly kind: "equals"; readonly attribute: string; readonly value: string }
  | { readonly kind: "pattern"; readonly attribute: string; readonly pattern: RegExp }
  | { readonly kind: "unique"; readonly attribute: string; readonly group?: string }
  | { readonly kind: "spread"; readonly attribute: string; readonly group?: string };

/**
 * Hard: the agent's attribute must equal `value` (as Mesos prints attributes).
 *
 * @example
 * ```ts
 * new CommandTask({ command: "make", constraints: [attributeEquals("os", "linux")] });
 * ```
 */
export function attributeEquals(attribute: string, value: string): Constraint {
  return { kind: "equals", attribute, value };
}

/**
 * Hard: the whole attribute text must match `pattern` (anchored at both ends, like Marathon's LIKE).
 *
 * @example
 * ```ts
 * attributeMatches("rack", /r[12]/);
 * ```
 */
export function attributeMatches(attribute: string, pattern: RegExp | string): Constraint {
  let source: string;
  try {
    source = typeof pattern === "string" ? pattern : pattern.source;
    return {
      kind: "pattern",
      attribute,
      pattern: new RegExp(
        `^(?:${source})$`,
        typeof pattern === "string" ? "" : pattern.flags.replace(/[gy]/g, ""),
      ),
    };
  } catch (cause) {
    throw new InvalidTaskError(
      "constraints",
      `attributeMatches(${attribute}): invalid pattern ${String(pattern)}`,
      { cause },
    );
  }
}

/**
 * Hard: at most one task of the group per distinct value of `attribute` (default: per host).
 *
 * @example
 * ```ts
 * tasks.map((t, i) => new CommandTask({ name: "replica", command: "serve", constraints: [unique()] }));
 * ```
 */
export function unique(attribute = "hostname", group?: string): Constraint {
  return group === undefined ? { kind: "unique", attribute } : { kind: "unique", attribute, group };
}

/**
 * Soft: spread the group's tasks over the values of `attribute` (default: hosts), preferring the value with the
 * fewest of them; never blocks a placement.
 *
 * @example
 * ```ts
 * new FunctionTask({ fn, args, constraints: [spread("zone")] });
 * ```
 */
export function spread(attribute = "hostname", group?: string): Constraint {
  return group === undefined ? { kind: "spread", attribute } : { kind: "spread", attribute, group };
}

/**
 * The attribute value of an offer as constraints see it (`hostname` is the offer's hostname).
 *
 * @example
 * ```ts
 * constraintValue(offer, "hostname");
 * ```
 */
export function constraintValue(offer: Offer, attribute: string): string | undefined {
  return attribute === "hostname" ? offer.hostname : offer.attribute(attribute);
}

/**
 * Whether the hard `equals`/`pattern` rules admit an offer (`unique` needs placement counts: see the packer).
 *
 * @example
 * ```ts
 * offers.filter((o) => admits(task.constraints, o));
 * ```
 */
export function admits(constraints: readonly Constraint[], offer: Offer): boolean {
  for (const c of constraints) {
    if (c.kind === "equals" && constraintValue(offer, c.attribute) !== c.value) return false;
    if (c.kind === "pattern") {
      const value = constraintValue(offer, c.attribute);
      if (value === undefined || !c.pattern.test(value)) return false;
    }
  }
  return true;
}
