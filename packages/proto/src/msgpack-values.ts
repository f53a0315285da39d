import { addExtension, Packr, Unpackr } from "msgpackr";
import { PayloadError } from "./payload-error.js";

/**
 * msgpack extension type of a satyr error value. msgpackr's own error extension keeps only name, message and
 * cause; ours also keeps the stack and own properties, so an Error passed as an argument or returned as a value
 * arrives whole.
 */
const ERROR_EXTENSION_TYPE = 0x53;

/** An Error prepared for the wire: [name, message, stack, props, hasCause, cause, aggregated errors]. */
class ErrorEnvelope {
  constructor(readonly fields: unknown[]) {}
}

/** msgpack extension type of a typed array or DataView (see {@link viewEnvelope}). */
const VIEW_EXTENSION_TYPE = 0x56;

class ViewEnvelope {
  constructor(readonly fields: [string, Uint8Array]) {}
}

const BUILTIN_ERRORS: Record<string, new (message?: string, options?: ErrorOptions) => Error> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

function reviveError(fields: unknown): Error {
  if (!Array.isArray(fields) || typeof fields[0] !== "string" || typeof fields[1] !== "string") {
    throw new TypeError("an error value has the wrong shape");
  }
  const [name, message, stack, props, hasCause, cause, errors] = fields as [
    string,
    string,
    unknown,
    unknown,
    unknown,
    unknown,
    unknown,
  ];
  const options = hasCause === true ? { cause } : undefined;
  let error: Error;
  if (Array.isArray(errors)) {
    error = new AggregateError(errors, message, options);
  } else {
    const Builtin = Object.hasOwn(BUILTIN_ERRORS, name) ? BUILTIN_ERRORS[name] : undefined;
    error = Builtin === undefined ? new Error(message, options) : new Builtin(message, options);
  }
  if (error.name !== name) {
    Object.defineProperty(error, "name", { value: name, writable: true, configurable: true });
  }
  if (typeof stack === "string") {
    Object.defineProperty(error, "stack", { value: stack, writable: true, configurable: true });
  } else {
    Object.defineProperty(error, "stack", { value: undefined, writable: true, configurable: true });
  }
  if (typeof props === "object" && props !== null) Object.assign(error, props);
  return error;
}

addExtension({
  Class: ErrorEnvelope,
  type: ERROR_EXTENSION_TYPE,
  write: (envelope: ErrorEnvelope) => envelope.fields,
  read: (fields: unknown) => reviveError(fields),
});

addExtension({
  Class: ViewEnvelope,
  type: VIEW_EXTENSION_TYPE,
  write: (envelope: ViewEnvelope) => envelope.fields,
  read: (fields: unknown) => reviveView(fields),
});

// Records (msgpackr's default) keep plain objects and Maps apart; structuredClone keeps shared references and
// cycles; moreTypes carries Set, typed arrays and bigint of any size; int64AsType makes every bigint decode as
// a bigint (msgpackr writes JS numbers as int32 or float64, never int64, so only bigints use int64).
const OPTIONS = {
  useRecords: true,
  mapsAsObjects: false,
  structuredClone: true,
  moreTypes: true,
  int64AsType: "bigint",
} as const;
const packr = new Packr(OPTIONS);
const unpackr = new Unpackr(OPTIONS);

/** True for values an Error-like treatment applies to, including errors from other realms. */
export function isErrorValue(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === "[object Error]";
}

const ERROR_OWN_FIELDS = new Set(["name", "message", "stack", "cause"]);

/** Why a value cannot travel, or undefined if it can be copied. */
function refusal(value: object | symbol | ((...args: never[]) => unknown)): string | undefined {
  if (typeof value === "function") {
    const name = value.name === "" ? "anonymous" : value.name;
    return `a function (${name}) cannot be sent as data; ship code as the task's function instead`;
  }
  if (typeof value === "symbol") return `a symbol (${String(value.description)}) cannot be sent as data`;
  if (value instanceof Promise) return "a Promise cannot be sent as data; await it first";
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
    return `a ${value.constructor.name} cannot be sent as data`;
  }
  return undefined;
}

/**
 * Copies a value into the shape the packer writes, refusing what cannot travel with a {@link PayloadError}
 * that names where the value sits (`where`, then a path such as `.points[3]`).
 */
export function toWire(value: unknown, where: string): unknown {
  const path: string[] = [];
  const copies = new Map<object, unknown>();

  const fail = (reason: string): never => {
    const at = path.length === 0 ? "" : ` at ${path.join("")}`;
    throw new PayloadError("unserializable", `${where}${at}: ${reason}`);
  };

  const visit = (v: unknown): unknown => {
    if (typeof v === "function" || typeof v === "symbol") return fail(refusal(v) ?? "");
    if (typeof v !== "object" || v === null) return v;
    const known = copies.get(v);
    if (known !== undefined) return known;
    const reason = refusal(v);
    if (reason !== undefined) return fail(reason);
    if (v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer) return v;
    if (ArrayBuffer.isView(v)) return viewEnvelope(v);
    const tag = Object.prototype.toString.call(v);
    // Objects from another realm (a vm context) fail instanceof; the packer would write them as plain objects.
    if (tag === "[object Date]") return new Date(Date.prototype.getTime.call(v));
    if (tag === "[object RegExp]") return new RegExp(v as RegExp);
    if (tag === "[object ArrayBuffer]") return ArrayBuffer.prototype.slice.call(v, 0);
    if (Array.isArray(v)) {
      const copy: unknown[] = new Array(v.length);
      copies.set(v, copy);
      for (let i = 0; i < v.length; i++) {
        path.push(`[${i}]`);
        copy[i] = visit(v[i]);
        path.pop();
      }
      return copy;
    }
    if (v instanceof Map || tag === "[object Map]") {
      const copy = new Map<unknown, unknown>();
      copies.set(v, copy);
      for (const [key, entry] of Map.prototype.entries.call(v)) {
        path.push(`<map key ${describeKey(key)}>`);
        const wireKey = visit(key);
        path.pop();
        path.push(`.get(${describeKey(key)})`);
        copy.set(wireKey, visit(entry));
        path.pop();
      }
      return copy;
    }
    if (v instanceof Set || tag === "[object Set]") {
      const copy = new Set<unknown>();
      copies.set(v, copy);
      let i = 0;
      for (const entry of Set.prototype.values.call(v)) {
        path.push(`<set entry ${i++}>`);
        copy.add(visit(entry));
        path.pop();
      }
      return copy;
    }
    if (isErrorValue(v)) {
      const fields: unknown[] = [];
      const envelope = new ErrorEnvelope(fields);
      copies.set(v, envelope);
      const record = v as Error & Record<string, unknown>;
      const props: Record<string, unknown> = {};
      for (const key of Object.keys(record)) {
        if (ERROR_OWN_FIELDS.has(key)) continue;
        path.push(`.${key}`);
        const entry = visit(record[key]);
        Object.defineProperty(props, key, {
          value: entry,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        path.pop();
      }
      const hasCause = Object.hasOwn(record, "cause");
      path.push(".cause");
      const cause = hasCause ? visit(record.cause) : undefined;
      path.pop();
      let errors: unknown;
      if (v instanceof AggregateError && Array.isArray(v.errors)) {
        path.push(".errors");
        errors = visit(v.errors);
        path.pop();
      }
      fields.push(
        String(record.name),
        String(record.message),
        typeof record.stack === "string" ? record.stack : undefined,
        props,
        hasCause,
        cause,
        errors,
      );
      return envelope;
    }
    // Any other object travels as its own enumerable properties, as structured clone does with class instances.
    const copy: Record<string, unknown> = {};
    copies.set(v, copy);
    for (const key of Object.keys(v)) {
      path.push(/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
      let raw: unknown;
      try {
        raw = (v as Record<string, unknown>)[key];
      } catch (cause) {
        return fail(`reading the property threw: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      const entry = visit(raw);
      // A plain assignment to "__proto__" would replace the copy's prototype instead of adding a key.
      Object.defineProperty(copy, key, {
        value: entry,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      path.pop();
    }
    return copy;
  };

  try {
    return visit(value);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new PayloadError("unserializable", `${where}: the value is nested too deeply to serialize`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Typed arrays and DataView, by constructor name, as they are rebuilt on decoding. */
const VIEW_KINDS = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "DataView",
]);

/**
 * A typed array or DataView as [kind, bytes]. msgpackr recognises typed arrays with `instanceof`, which fails
 * for views made in another realm (jest's test context, a vm context) and silently writes them as plain objects;
 * the bytes of a view carry over any realm.
 */
function viewEnvelope(view: ArrayBufferView): ViewEnvelope {
  const name = (view.constructor as { name?: unknown } | undefined)?.name;
  const kind =
    typeof name === "string" && VIEW_KINDS.has(name) ? name : name === "Buffer" ? "Buffer" : "Uint8Array";
  return new ViewEnvelope([kind, new Uint8Array(view.buffer, view.byteOffset, view.byteLength)]);
}

function reviveView(fields: unknown): ArrayBufferView {
  if (!Array.isArray(fields) || typeof fields[0] !== "string" || !(fields[1] instanceof Uint8Array)) {
    throw new TypeError("a typed array value has the wrong shape");
  }
  const [kind, bytes] = fields as [string, Uint8Array];
  if (kind === "Buffer") return typeof Buffer === "function" ? Buffer.from(bytes) : bytes.slice();
  if (!VIEW_KINDS.has(kind)) throw new TypeError(`unknown typed array kind ${JSON.stringify(kind)}`);
  // A fresh copy: the decoded bytes may sit at an offset that is not a multiple of the element size.
  const buffer = bytes.slice().buffer;
  const View = (globalThis as unknown as Record<string, new (buffer: ArrayBufferLike) => ArrayBufferView>)[
    kind
  ]!;
  return new View(buffer);
}

function describeKey(key: unknown): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "bigint") return `${key}n`;
  if (typeof key === "object" && key !== null) return Array.isArray(key) ? "[array]" : "{object}";
  return String(key);
}

/** msgpack bytes of a value already passed through {@link toWire}. */
export function packWire(value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch (cause) {
    throw new PayloadError(
      "unserializable",
      `the value could not be encoded as msgpack: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * Decodes msgpack bytes written by {@link packWire}.
 * @throws whatever msgpackr throws on corrupt input; callers wrap it.
 */
export function unpackWire(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
