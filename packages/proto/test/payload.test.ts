import {
  DEFAULT_MAX_ERROR_BYTES,
  decodeTaskPayload,
  decodeTaskResult,
  encodeTaskPayload,
  encodeTaskResult,
  isPayloadError,
  MAX_CAUSE_DEPTH,
  PAYLOAD_VERSION,
  PayloadError,
  type RemoteErrorData,
  serializeError,
  type TaskPayload,
  TRUNCATED_PROP,
} from "../src/index.js";

const fn = { kind: "source", source: "(x) => x" } as const;

function roundTrip(value: unknown): unknown {
  const decoded = decodeTaskPayload(encodeTaskPayload({ fn, calls: [[value]] }));
  return decoded.calls[0]?.[0];
}

function payloadErrorOf(action: () => unknown): PayloadError {
  try {
    action();
  } catch (error) {
    if (isPayloadError(error)) return error;
    throw error;
  }
  throw new Error("expected a PayloadError, nothing was thrown");
}

describe("task payload", () => {
  it("keeps the function reference and every call's arguments", () => {
    const payload: TaskPayload = {
      fn: { kind: "module", module: "file:///srv/jobs.js", export: "resize" },
      calls: [[1, "a"], [], [null, undefined, true]],
    };
    expect(decodeTaskPayload(encodeTaskPayload(payload))).toEqual(payload);
    const named: TaskPayload = { fn: { kind: "source", source: "function f() {}", name: "f" }, calls: [[]] };
    expect(decodeTaskPayload(encodeTaskPayload(named))).toEqual(named);
  });

  it("starts with a magic and the format version", () => {
    const bytes = encodeTaskPayload({ fn, calls: [[1]] });
    expect(Array.from(bytes.subarray(0, 4), (b) => String.fromCharCode(b)).join("")).toBe("SATP");
    expect(bytes[4]).toBe(PAYLOAD_VERSION);
    const result = encodeTaskResult({ outcomes: [] });
    expect(Array.from(result.subarray(0, 4), (b) => String.fromCharCode(b)).join("")).toBe("SATR");
  });

  it("round-trips Date, Map, Set, RegExp and nested objects", () => {
    const value = {
      when: new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 678)),
      invalid: new Date(Number.NaN),
      map: new Map<unknown, unknown>([
        [1, "one"],
        ["k", { nested: [1, { deep: new Set(["x"]) }] }],
        [2n, new Date(0)],
      ]),
      set: new Set([1, "two", 3n]),
      re: /a+b/gi,
      list: [1.5, -0.25, Number.MAX_SAFE_INTEGER, 2 ** 60, Number.POSITIVE_INFINITY, "ünïcødé 🎉"],
    };
    const back = roundTrip(value) as typeof value;
    expect(back.when).toBeInstanceOf(Date);
    expect(back.when.getTime()).toBe(value.when.getTime());
    expect(Number.isNaN(back.invalid.getTime())).toBe(true);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.map).toEqual(value.map);
    expect(back.map.get(2n)).toEqual(new Date(0));
    expect(back.set).toEqual(value.set);
    expect(back.re.source).toBe("a+b");
    expect(back.re.flags).toBe("gi");
    expect(back.list).toEqual(value.list);
    // A plain object stays a plain object (not a Map) next to the Maps.
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back).not.toBeInstanceOf(Map);
  });

  it("round-trips every typed array kind and ArrayBuffer", () => {
    const arrays = [
      new Int8Array([-1, 2]),
      new Uint8Array([0, 255]),
      new Uint8ClampedArray([3, 250]),
      new Int16Array([-300, 300]),
      new Uint16Array([65535]),
      new Int32Array([-(2 ** 31)]),
      new Uint32Array([2 ** 32 - 1]),
      new Float32Array([1.5, -2.25]),
      new Float64Array([Math.PI, -Math.E]),
      new BigInt64Array([-(2n ** 63n), 5n]),
      new BigUint64Array([2n ** 64n - 1n]),
    ];
    const back = roundTrip(arrays) as ArrayBufferView[];
    back.forEach((array, i) => {
      expect(array.constructor).toBe(arrays[i]?.constructor);
      expect(array).toEqual(arrays[i]);
    });
    const view = new Uint16Array(new Uint16Array([1, 2, 3, 4]).buffer, 2, 2);
    expect(roundTrip(view)).toEqual(new Uint16Array([2, 3]));
    const dataView = roundTrip(new DataView(new Uint8Array([5, 6, 7]).buffer, 1)) as DataView;
    expect(dataView).toBeInstanceOf(DataView);
    expect(dataView.getUint8(1)).toBe(7);
    expect(Buffer.isBuffer(roundTrip(Buffer.from("hi")))).toBe(true);
    const buffer = new Uint8Array([9, 8, 7]).buffer;
    const backBuffer = roundTrip(buffer);
    expect(backBuffer).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(backBuffer as ArrayBuffer)).toEqual(new Uint8Array([9, 8, 7]));
  });

  it("always decodes a bigint as a bigint, small or huge", () => {
    const values = [
      0n,
      1n,
      -1n,
      127n,
      2n ** 31n,
      2n ** 53n + 1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 64n - 1n,
    ];
    const huge = [2n ** 64n, -(2n ** 64n) - 7n, 3n ** 200n, -(5n ** 99n)];
    const back = roundTrip([...values, ...huge]) as unknown[];
    expect(back).toEqual([...values, ...huge]);
    for (const item of back) expect(typeof item).toBe("bigint");
    // Numbers stay numbers, even integers beyond 32 bits.
    const numbers = roundTrip([1, 2 ** 40, -(2 ** 40), 0.5]) as unknown[];
    for (const item of numbers) expect(typeof item).toBe("number");
  });

  it("keeps shared references and cycles", () => {
    const shared = { id: 1 };
    const node: Record<string, unknown> = { shared, again: shared };
    node.self = node;
    const back = roundTrip(node) as Record<string, unknown>;
    expect(back.self).toBe(back);
    expect(back.shared).toBe(back.again);
  });

  it("round-trips Errors with name, message, stack, own properties and a nested cause", () => {
    const root = new RangeError("too small", { cause: new Error("inner", { cause: { code: 7 } }) });
    Object.assign(root, { code: "E_SMALL", details: { at: new Date(5), limits: new Map([["min", 3]]) } });
    const custom = new Error("custom");
    custom.name = "ValidationError";
    const aggregate = new AggregateError([new TypeError("a"), "b"], "many");
    const back = roundTrip({ root, custom, aggregate }) as Record<string, Error & Record<string, unknown>>;
    const r = back.root!;
    expect(r).toBeInstanceOf(RangeError);
    expect(r.message).toBe("too small");
    expect(r.stack).toBe(root.stack);
    expect(r.code).toBe("E_SMALL");
    expect(r.details).toEqual({ at: new Date(5), limits: new Map([["min", 3]]) });
    expect(r.cause).toBeInstanceOf(Error);
    expect((r.cause as Error).message).toBe("inner");
    expect((r.cause as Error).cause).toEqual({ code: 7 });
    expect(back.custom?.name).toBe("ValidationError");
    expect(back.custom?.message).toBe("custom");
    expect(back.aggregate).toBeInstanceOf(AggregateError);
    const errors = (back.aggregate as unknown as AggregateError).errors;
    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(errors[1]).toBe("b");
  });

  it("refuses a function argument, naming the call, the argument and the path", () => {
    const error = payloadErrorOf(() =>
      encodeTaskPayload({ fn, calls: [[1], [2, { options: { onDone: function notify() {} } }]] }),
    );
    expect(error).toBeInstanceOf(PayloadError);
    expect(error.name).toBe("PayloadError");
    expect(error.code).toBe("unserializable");
    expect(error.message).toContain("call 1, argument 1");
    expect(error.message).toContain(".options.onDone");
    expect(error.message).toContain("function (notify)");
  });

  it("refuses symbols, promises and weak collections anywhere in the arguments", () => {
    const cases: [unknown, string][] = [
      [Symbol("s"), "argument 0:"],
      [[1, [Symbol("t")]], "argument 0 at [1][0]"],
      [new Map([["k", () => 1]]), 'argument 0 at .get("k")'],
      [new Set([Promise.resolve(1)]), "argument 0 at <set entry 0>"],
      [{ w: new WeakMap() }, "argument 0 at .w"],
      [Object.assign(new Error("e"), { hook: () => 0 }), "argument 0 at .hook"],
    ];
    for (const [value, where] of cases) {
      const error = payloadErrorOf(() => encodeTaskPayload({ fn, calls: [[value]] }));
      expect(error.code).toBe("unserializable");
      expect(error.message).toContain(`call 0, ${where}`);
    }
  });

  it("reports a property getter that throws as unserializable, naming the path", () => {
    const tricky = {
      inner: Object.defineProperty({}, "boom", {
        enumerable: true,
        get() {
          throw new Error("no access");
        },
      }),
    };
    const error = payloadErrorOf(() => encodeTaskPayload({ fn, calls: [[1, tricky]] }));
    expect(error.code).toBe("unserializable");
    expect(error.message).toContain(
      "call 0, argument 1 at .inner.boom: reading the property threw: no access",
    );
  });

  it("refuses an invalid function reference or call list", () => {
    expect(payloadErrorOf(() => encodeTaskPayload({ fn: { kind: "nope" } as never, calls: [] })).code).toBe(
      "unserializable",
    );
    expect(payloadErrorOf(() => encodeTaskPayload({ fn, calls: [1 as never] })).message).toContain("call 0");
  });

  it("refuses another format version, naming both versions", () => {
    const bytes = encodeTaskPayload({ fn, calls: [[1]] });
    bytes[4] = PAYLOAD_VERSION + 1;
    const error = payloadErrorOf(() => decodeTaskPayload(bytes));
    expect(error.code).toBe("version");
    expect(error.message).toContain(`version ${PAYLOAD_VERSION + 1}`);
    expect(error.message).toContain(`reads version ${PAYLOAD_VERSION}`);
    const result = encodeTaskResult({ outcomes: [] });
    result[4] = 0;
    expect(payloadErrorOf(() => decodeTaskResult(result)).code).toBe("version");
  });

  it("refuses garbage, truncated bytes and the wrong kind of document as malformed", () => {
    const good = encodeTaskPayload({ fn, calls: [[{ a: [1, 2, 3], b: "text" }]] });
    const inputs = [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3]),
      Uint8Array.from("SATP", (c) => c.charCodeAt(0)),
      good.subarray(0, good.length - 3),
      Uint8Array.of(...good.subarray(0, 5), 0xc1),
      Uint8Array.of(...good.subarray(0, 5), 0x93, 1, 2, 3),
      Uint8Array.of(...good.subarray(0, 5), 0x81, 0xa2, 0x66, 0x6e, 0x07),
      encodeTaskResult({ outcomes: [] }),
    ];
    for (const bytes of inputs) {
      const error = payloadErrorOf(() => decodeTaskPayload(bytes));
      expect(error.code).toBe("malformed");
    }
    expect(payloadErrorOf(() => decodeTaskResult(good)).message).toContain("task payload");
    const noOutcomes = encodeTaskPayload({ fn, calls: [] });
    noOutcomes.set([0x53, 0x41, 0x54, 0x52]);
    expect(payloadErrorOf(() => decodeTaskResult(noOutcomes)).code).toBe("malformed");
  });

  it("never throws anything but a PayloadError on random bytes", () => {
    const good = encodeTaskPayload({ fn, calls: [[new Map([[1, new Set([2n])]]), { d: new Date(1) }]] });
    let state = 42;
    const random = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state;
    };
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from(good);
      const flips = 1 + (random() % 4);
      for (let f = 0; f < flips; f++) bytes[5 + (random() % (bytes.length - 5))] = random() & 0xff;
      try {
        decodeTaskPayload(bytes);
      } catch (error) {
        expect(isPayloadError(error)).toBe(true);
      }
    }
  });
});

describe("task result", () => {
  it("round-trips values and errors per call", () => {
    const error = serializeError(new TypeError("bad"));
    const result = {
      outcomes: [
        { ok: true, value: new Map([["sum", 6n]]) },
        { ok: false, error },
        { ok: true, value: undefined },
      ] as const,
    };
    const back = decodeTaskResult(encodeTaskResult(result));
    expect(back).toEqual(result);
    const second = back.outcomes[1];
    expect(second?.ok === false && second.error.name).toBe("TypeError");
  });

  it("refuses a result over maxBytes, naming both sizes", () => {
    const value = new Uint8Array(2000);
    expect(encodeTaskResult({ outcomes: [{ ok: true, value }] }, { maxBytes: 3000 }).length).toBeLessThan(
      3000,
    );
    const error = payloadErrorOf(() =>
      encodeTaskResult({ outcomes: [{ ok: true, value }] }, { maxBytes: 1000 }),
    );
    expect(error.code).toBe("too-large");
    expect(error.message).toMatch(/is 20\d\d bytes, over the 1000-byte limit/);
  });

  it("refuses an unserializable value, naming the outcome", () => {
    const error = payloadErrorOf(() =>
      encodeTaskResult({
        outcomes: [
          { ok: true, value: 1 },
          { ok: true, value: { f: Symbol.iterator } },
        ],
      }),
    );
    expect(error.code).toBe("unserializable");
    expect(error.message).toContain("outcome 1 (the value) at .f");
  });

  it("refuses a decoded outcome of the wrong shape", () => {
    const bad = encodeTaskResult({
      outcomes: [{ ok: false, error: { name: "E", message: 3 } as unknown as RemoteErrorData }],
    });
    const error = payloadErrorOf(() => decodeTaskResult(bad));
    expect(error.code).toBe("malformed");
    expect(error.message).toContain("outcome 0.error.message");
  });
});

describe("serializeError", () => {
  it("keeps name, message, stack, own enumerable properties and the cause chain", () => {
    const inner = Object.assign(new Error("ENOSPC"), { errno: -28, syscall: "write" });
    const outer = Object.assign(new Error("disk full", { cause: inner }), {
      path: "/tmp/x",
      when: new Date(10),
      retry: () => 0,
      sym: Symbol("tag"),
    });
    outer.name = "StorageError";
    const data = serializeError(outer);
    expect(data.name).toBe("StorageError");
    expect(data.message).toBe("disk full");
    expect(data.stack).toBe(outer.stack);
    expect(data.props.path).toBe("/tmp/x");
    expect(data.props.when).toEqual(new Date(10));
    expect(data.props.retry).toBe("[function retry]");
    expect(data.props.sym).toBe("Symbol(tag)");
    expect(data.cause?.message).toBe("ENOSPC");
    expect(data.cause?.props).toEqual({ errno: -28, syscall: "write" });
    // The data travels in a task result unchanged.
    const back = decodeTaskResult(encodeTaskResult({ outcomes: [{ ok: false, error: data }] })).outcomes[0];
    expect(back).toEqual({ ok: false, error: data });
  });

  it("describes thrown non-errors", () => {
    expect(serializeError("boom")).toEqual({ name: "Error", message: "boom", props: {} });
    const data = serializeError({ code: 4 });
    expect(data.message).toContain('{"code":4}');
    expect(data.props.thrown).toEqual({ code: 4 });
    expect(serializeError(undefined).message).toContain("undefined");
    const cause = serializeError(new Error("x", { cause: 12n })).cause;
    expect(cause?.props.thrown).toBe(12n);
  });

  it("bounds the cause chain and survives a cause cycle", () => {
    let error = new Error("level 0");
    for (let i = 1; i <= 20; i++) error = new Error(`level ${i}`, { cause: error });
    let depth = 0;
    for (let d = serializeError(error).cause; d !== undefined; d = d.cause) depth++;
    expect(depth).toBe(MAX_CAUSE_DEPTH);
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as Error & { cause: unknown }).cause = b;
    const data = serializeError(a);
    expect(data.cause?.message).toBe("b");
    expect(data.cause?.cause).toBeUndefined();
  });

  it("keeps the errors of an AggregateError", () => {
    const data = serializeError(new AggregateError([new Error("one"), new TypeError("two")], "both"));
    expect((data.props.errors as RemoteErrorData[]).map((e) => `${e.name}: ${e.message}`)).toEqual([
      "Error: one",
      "TypeError: two",
    ]);
  });

  it("stays under maxBytes, cutting the least important parts first", () => {
    const size = (d: RemoteErrorData) =>
      encodeTaskResult({ outcomes: [{ ok: false, error: d }] }).length - 20;
    const big = Object.assign(new Error("m".repeat(200), { cause: new Error("c".repeat(50_000)) }), {
      blob: "x".repeat(100_000),
    });
    big.stack = `Error: big\n${"    at frame (file.js:1:1)\n".repeat(5000)}`;
    const data = serializeError(big);
    expect(size(data)).toBeLessThanOrEqual(DEFAULT_MAX_ERROR_BYTES);
    expect(data.message).toBe("m".repeat(200));
    expect(data.props[TRUNCATED_PROP]).toEqual(expect.stringContaining("cut to"));
    const tiny = serializeError(Object.assign(new Error("é".repeat(10_000)), { x: 1 }), { maxBytes: 256 });
    expect(size(tiny)).toBeLessThanOrEqual(256);
    expect(tiny.message.startsWith("é")).toBe(true);
    const small = Object.assign(new Error("small"), { stack: "Error: small\n    at here (x.js:1:1)" });
    expect(serializeError(small, { maxBytes: 1024 })).toEqual({
      name: "Error",
      message: "small",
      stack: small.stack,
      props: {},
    });
    expect(() => serializeError(new Error("x"), { maxBytes: 10 })).toThrow(RangeError);
  });
});
