import { isErrorValue, packWire, toWire } from "./msgpack-values.js";

/**
 * An exception as it travels back from an executor: plain data, so it survives msgpack and a different
 * runtime on the other side.
 *
 * @example
 * ```ts
 * const data: RemoteErrorData = { name: "TypeError", message: "x is not a function", props: {} };
 * ```
 */
export interface RemoteErrorData {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable properties of the error (`code`, `errno`, ...); values that cannot travel are strings. */
  props: Record<string, unknown>;
  cause?: RemoteErrorData;
}

/**
 * Options of {@link serializeError}.
 *
 * @example
 * ```ts
 * const options: SerializeErrorOptions = { maxBytes: 4096 };
 * const data = serializeError(new Error("disk full"), options);
 * ```
 */
export interface SerializeErrorOptions {
  /** Upper bound of the encoded size of the result; longer texts are cut, then causes and props dropped. */
  readonly maxBytes?: number;
}

/**
 * Default size cap of one serialized error: enough for a long stack and a cause chain, small enough that a
 * failing chunk of many calls stays a reasonable status update.
 *
 * @example
 * ```ts
 * // Give errors with long cause chains more room than the default.
 * const data = serializeError(error, { maxBytes: 2 * DEFAULT_MAX_ERROR_BYTES });
 * ```
 */
export const DEFAULT_MAX_ERROR_BYTES = 64 * 1024;
/**
 * Causes kept below the top error; deeper ones are cut (a cause cycle also ends here).
 *
 * @example
 * ```ts
 * let depth = 0;
 * for (let c = serializeError(error).cause; c !== undefined; c = c.cause) depth++;
 * // depth <= MAX_CAUSE_DEPTH
 * ```
 */
export const MAX_CAUSE_DEPTH = 8;
/** Smallest `maxBytes` accepted: below it not even a name and a short message fit. */
const MIN_MAX_BYTES = 256;
/**
 * Key added to `props` of the top error when something was removed to respect the size cap.
 *
 * @example
 * ```ts
 * const data = serializeError(hugeError);
 * if (TRUNCATED_PROP in data.props) console.warn(`error report shortened: ${String(data.props[TRUNCATED_PROP])}`);
 * ```
 */
export const TRUNCATED_PROP = "satyr.truncated";
const CUT = "… [truncated]";

/**
 * Turns anything thrown into {@link RemoteErrorData}: name, message, stack, own enumerable properties (a value
 * that cannot travel as msgpack is replaced by its string form) and the cause chain up to
 * {@link MAX_CAUSE_DEPTH} levels. A thrown non-Error becomes an `Error` whose message describes it (and whose
 * `props.thrown` holds it, when it is not a string). The encoded result never exceeds `maxBytes`
 * (default {@link DEFAULT_MAX_ERROR_BYTES}): long strings are cut first, then deep causes, props and stacks.
 *
 * @example
 * ```ts
 * const error = new Error("disk full", { cause: new Error("ENOSPC") });
 * serializeError(Object.assign(error, { code: 28 }));
 * // { name: "Error", message: "disk full", stack: "Error: disk full\n    at ...", props: { code: 28 },
 * //   cause: { name: "Error", message: "ENOSPC", stack: "...", props: {} } }
 * ```
 */
export function serializeError(error: unknown, options: SerializeErrorOptions = {}): RemoteErrorData {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ERROR_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < MIN_MAX_BYTES) {
    throw new RangeError(`maxBytes must be an integer of at least ${MIN_MAX_BYTES}, got ${String(maxBytes)}`);
  }
  const data = describe(error, 0, new Set());
  return fit(data, maxBytes);
}

function describe(error: unknown, depth: number, seen: Set<unknown>): RemoteErrorData {
  seen.add(error);
  if (!isErrorValue(error)) {
    const props: Record<string, unknown> = {};
    if (typeof error !== "string") props.thrown = travelable(error);
    return {
      name: "Error",
      message: typeof error === "string" ? error : `non-error thrown: ${show(error)}`,
      props,
    };
  }
  const record = error as Error & Record<string, unknown>;
  const data: RemoteErrorData = {
    name: safeString(record.name, "Error"),
    message: safeString(record.message, ""),
    props: {},
  };
  if (typeof record.stack === "string") data.stack = record.stack;
  for (const key of Object.keys(record)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    Object.defineProperty(data.props, key, {
      value: travelable(readSafely(record, key)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    data.props.errors = error.errors
      .slice(0, 32)
      .map((inner: unknown) => (seen.has(inner) ? "[circular]" : describe(inner, MAX_CAUSE_DEPTH, seen)));
  }
  if (Object.hasOwn(record, "cause") && depth < MAX_CAUSE_DEPTH && !seen.has(record.cause)) {
    data.cause = describe(record.cause, depth + 1, seen);
  }
  return data;
}

function readSafely(record: Record<string, unknown>, key: string): unknown {
  try {
    return record[key];
  } catch (cause) {
    return `[property getter threw: ${show(cause)}]`;
  }
}

/** The value itself if it can travel as msgpack, otherwise its string form. */
function travelable(value: unknown): unknown {
  try {
    toWire(value, "error property");
    return value;
  } catch {
    return show(value);
  }
}

function safeString(value: unknown, fallback: string): string {
  if (typeof value === "string") return value;
  if (value === undefined) return fallback;
  return show(value);
}

/** A short description of any value that never throws. */
function show(value: unknown): string {
  if (typeof value === "function") return `[function ${value.name === "" ? "anonymous" : value.name}]`;
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "object" && value !== null) {
    try {
      return (
        JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value)
      );
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

function encodedSize(data: RemoteErrorData): number {
  return packWire(toWire(data, "error")).length;
}

function cutString(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let kept = text.slice(0, Math.max(0, maxChars - CUT.length));
  // Never leave half of a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return kept + CUT;
}

function chain(data: RemoteErrorData): RemoteErrorData[] {
  const all: RemoteErrorData[] = [];
  for (let d: RemoteErrorData | undefined = data; d !== undefined; d = d.cause) all.push(d);
  return all;
}

/**
 * Shrinks `data` in steps, from what matters least to what matters most, until its encoding fits. The size is
 * measured in bytes of msgpack (strings are UTF-8, so a char limit of maxBytes / 4 is safe for any text).
 */
function fit(data: RemoteErrorData, maxBytes: number): RemoteErrorData {
  if (encodedSize(data) <= maxBytes) return data;
  const steps: [string, () => void][] = [
    [
      "long property values",
      () => {
        for (const d of chain(data)) {
          for (const [key, value] of Object.entries(d.props)) {
            if (key === TRUNCATED_PROP) continue;
            const size = packWire(toWire(value, "error property")).length;
            if (size > maxBytes / 16) d.props[key] = cutString(show(value), Math.floor(maxBytes / 64));
          }
        }
      },
    ],
    [
      "long stacks",
      () => {
        for (const d of chain(data)) {
          if (d.stack !== undefined) d.stack = cutString(d.stack, Math.floor(maxBytes / 16));
        }
      },
    ],
    [
      "long messages",
      () => {
        for (const d of chain(data)) d.message = cutString(d.message, Math.floor(maxBytes / 16));
      },
    ],
    [
      "deep causes",
      () => {
        if (data.cause !== undefined) delete data.cause.cause;
      },
    ],
    [
      "causes",
      () => {
        delete data.cause;
      },
    ],
    [
      "properties",
      () => {
        data.props = {};
      },
    ],
    [
      "stack",
      () => {
        delete data.stack;
      },
    ],
    [
      "message",
      () => {
        // A UTF-16 unit takes at most 3 bytes of UTF-8; 200 bytes cover the name, keys and the note.
        data.name = cutString(data.name, 32);
        data.message = cutString(data.message, Math.floor((maxBytes - 200) / 3));
      },
    ],
  ];
  for (const [what, step] of steps) {
    step();
    data.props[TRUNCATED_PROP] = `cut to ${maxBytes} bytes (${what})`;
    if (encodedSize(data) <= maxBytes) return data;
  }
  return data;
}
