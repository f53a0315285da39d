import { create, type DescEnum, type DescMessage, equals, type MessageShape } from "@bufbuild/protobuf";
import {
  CapabilityInfo_Capability,
  CONTENT_TYPES,
  CodecError,
  codecNameOf,
  executor,
  executorCodecs,
  isCodecError,
  messageCodec,
  scheduler,
  schedulerCodecs,
  TaskState,
  TaskStatusSchema,
  Value_Type,
} from "../src/index.js";
import { BIG_INT64, sampleMessage } from "./support/sample-message.js";

const text = new TextEncoder();
const untext = new TextDecoder();

/** The sub-message field a Call or Event of a given type carries, by Mesos's naming (ACCEPT → accept). */
function fieldOf(schema: DescMessage, typeName: string) {
  return schema.fields.find((f) => f.name === typeName.toLowerCase());
}

/** One sample message per value of the `type` enum, with the matching sub-message fully populated. */
function samplesPerType(schema: DescMessage, types: DescEnum): [string, MessageShape<DescMessage>][] {
  return types.values
    .filter((v) => v.number !== 0)
    .map((value) => {
      const field = fieldOf(schema, value.name);
      const init: Record<string, unknown> = { type: value.number };
      if (field?.fieldKind === "message") init[field.localName] = sampleMessage(field.message, 4);
      // Calls of both APIs name their sender at the top level.
      for (const top of schema.fields) {
        if (top.name === "framework_id" || top.name === "executor_id") {
          if (top.fieldKind === "message") init[top.localName] = sampleMessage(top.message);
        }
      }
      return [value.name, create(schema, init as never)];
    });
}

const apis = [
  ["scheduler Call", scheduler.CallSchema, scheduler.Call_TypeSchema],
  ["scheduler Event", scheduler.EventSchema, scheduler.Event_TypeSchema],
  ["executor Call", executor.CallSchema, executor.Call_TypeSchema],
  ["executor Event", executor.EventSchema, executor.Event_TypeSchema],
] as const;

describe.each(apis)("%s: every type round-trips", (_label, schema, types) => {
  const samples = samplesPerType(schema, types);

  it("covers every value of the type enum", () => {
    expect(samples.map(([name]) => name)).toEqual(
      types.values.filter((v) => v.number !== 0).map((v) => v.name),
    );
  });

  describe.each(["protobuf", "json"] as const)("in %s", (codecName) => {
    const codec = messageCodec(schema as DescMessage, codecName);
    it.each(samples)("%s", (_name, message) => {
      const bytes = codec.encode(message);
      const back = codec.decode(bytes);
      expect(equals(schema as DescMessage, back, message)).toBe(true);
      // Re-encoding gives the same bytes: nothing was dropped or reinterpreted.
      expect(codec.encode(back)).toEqual(bytes);
    });
  });
});

describe("JSON encoding", () => {
  const codec = schedulerCodecs("json");
  const update = create(scheduler.EventSchema, {
    type: scheduler.Event_Type.UPDATE,
    update: {
      status: {
        taskId: { value: "t1" },
        state: TaskState.TASK_RUNNING,
        uuid: Uint8Array.of(0xfb, 0xff, 0x00, 0x10),
        timestamp: 1_700_000_000.25,
      },
    },
  });

  it("uses proto field names, enum names and base64 bytes", () => {
    const json = JSON.parse(untext.decode(codec.event.encode(update)));
    expect(json).toEqual({
      type: "UPDATE",
      update: {
        status: {
          task_id: { value: "t1" },
          state: "TASK_RUNNING",
          uuid: "+/8AEA==",
          timestamp: 1700000000.25,
        },
      },
    });
  });

  it("keeps an int64 above 2^53 exact both ways", () => {
    const kill = create(scheduler.CallSchema, {
      type: scheduler.Call_Type.KILL,
      kill: { taskId: { value: "t" }, killPolicy: { gracePeriod: { nanoseconds: BIG_INT64 } } },
    });
    const json = untext.decode(codec.call.encode(kill));
    // Written as Mesos writes it: a bare number with every digit.
    expect(json).toContain(`"nanoseconds":${BIG_INT64}}`);
    expect(json).not.toContain(`"${BIG_INT64}"`);
    expect(codec.call.decode(text.encode(json)).kill?.killPolicy?.gracePeriod?.nanoseconds).toBe(BIG_INT64);
    // Mesos writes int64 as a bare JSON number: parsing must not round it through a double.
    const bare = `{"type":"KILL","kill":{"task_id":{"value":"t"},"kill_policy":{"grace_period":{"nanoseconds":${BIG_INT64}}}}}`;
    expect(codec.call.decode(text.encode(bare)).kill?.killPolicy?.gracePeriod?.nanoseconds).toBe(BIG_INT64);
    // 2^53 + 1: the smallest integer a double cannot hold.
    const edge = bare.replace(`${BIG_INT64}`, "9007199254740993");
    expect(codec.call.decode(text.encode(edge)).kill?.killPolicy?.gracePeriod?.nanoseconds).toBe(
      9007199254740993n,
    );
    const fifteen = bare.replace(`${BIG_INT64}`, "999999999999999");
    expect(codec.call.decode(text.encode(fifteen)).kill?.killPolicy?.gracePeriod?.nanoseconds).toBe(
      999999999999999n,
    );
    // Long digit runs inside strings stay strings.
    const id = bare.replace('"value":"t"', '"value":"12345678901234567890123"');
    expect(codec.call.decode(text.encode(id)).kill?.taskId?.value).toBe("12345678901234567890123");
    const negative = bare.replace(`${BIG_INT64}`, `-${BIG_INT64}`);
    expect(codec.call.decode(text.encode(negative)).kill?.killPolicy?.gracePeriod?.nanoseconds).toBe(
      -BIG_INT64,
    );
    const uint64 = `{"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},"state":"TASK_RUNNING","limitation":{}}}}`;
    expect(codec.event.decode(text.encode(uint64)).update?.status?.taskId?.value).toBe("t");
  });

  it("keeps non-integer and large double values as numbers", () => {
    const json =
      '{"type":"DECLINE","decline":{"offer_ids":[],"filters":{"refuse_seconds":12345678901234567890.5}}}';
    expect(codec.call.decode(text.encode(json)).decline?.filters?.refuseSeconds).toBe(
      Number("12345678901234567890.5"),
    );
    const integral = '{"type":"DECLINE","decline":{"filters":{"refuse_seconds":123456789012345678901234}}}';
    expect(codec.call.decode(text.encode(integral)).decline?.filters?.refuseSeconds).toBe(
      Number("123456789012345678901234"),
    );
  });

  it("ignores unknown fields anywhere", () => {
    const json =
      '{"type":"HEARTBEAT","future_field":{"x":[1,2]},"subscribed":{"framework_id":{"value":"f","extra":1}}}';
    const event = codec.event.decode(text.encode(json));
    expect(event.type).toBe(scheduler.Event_Type.HEARTBEAT);
    expect(event.subscribed?.frameworkId?.value).toBe("f");
  });

  it("does not throw on an unknown enum name, at the top or nested", () => {
    const top = codec.event.decode(text.encode('{"type":"SOME_FUTURE_EVENT","error":{"message":"m"}}'));
    expect(top.type).toBe(scheduler.Event_Type.UNKNOWN);
    expect(top.error?.message).toBe("m");
    const nested = codec.event.decode(
      text.encode(
        '{"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},"state":"TASK_FROM_THE_FUTURE"}}}',
      ),
    );
    expect(nested.type).toBe(scheduler.Event_Type.UPDATE);
    expect(nested.update?.status?.taskId?.value).toBe("t");
    const repeated = executorCodecs("json").event.decode(
      text.encode(
        '{"type":"SUBSCRIBED","subscribed":{"framework_info":{"user":"u","name":"n","capabilities":[{"type":"NEW_CAPABILITY"},{"type":"PARTITION_AWARE"}]}}}',
      ),
    );
    expect(repeated.subscribed?.frameworkInfo?.name).toBe("n");
    const enumList = executorCodecs("json").event.decode(
      text.encode(
        '{"type":"LAUNCH","launch":{"task":{"name":"t","task_id":{"value":"x"},"agent_id":{"value":"a"},"container":{"type":"MESOS","linux_info":{"effective_capabilities":{"capabilities":["CHOWN","CAP_FROM_THE_FUTURE"]}}}}}}',
      ),
    );
    expect(enumList.launch?.task?.container?.linuxInfo?.effectiveCapabilities?.capabilities).toEqual([
      CapabilityInfo_Capability.CHOWN,
    ]);
  });

  it("does not throw on an unknown enum number in protobuf", () => {
    const status = create(TaskStatusSchema, { taskId: { value: "t" }, state: 999 as TaskState });
    const event = create(scheduler.EventSchema, { type: 77 as scheduler.Event_Type, update: { status } });
    const back = schedulerCodecs("protobuf").event.decode(schedulerCodecs("protobuf").event.encode(event));
    expect(back.update?.status?.taskId?.value).toBe("t");
  });

  it("accepts null for repeated, map and message fields (mesos-go sends them)", () => {
    const json =
      '{"type":"OFFERS","offers":{"offers":[{"id":{"value":"o"},"framework_id":{"value":"f"},"agent_id":{"value":"a"},"hostname":"h","resources":null,"attributes":null,"executor_ids":null,"url":null}]}}';
    const event = codec.event.decode(text.encode(json));
    expect(event.offers?.offers[0]?.resources).toEqual([]);
    expect(event.offers?.offers[0]?.hostname).toBe("h");
    const call = codec.call.decode(
      text.encode('{"type":"REVIVE","revive":{"roles":null},"framework_id":null}'),
    );
    expect(call.revive?.roles).toEqual([]);
  });

  it("reports malformed input as CodecError", () => {
    const bad = [
      "{",
      '{"type":"OFFERS","offers":{"offers":{"not":"a list"}}}',
      '{"type":"ERROR","error":{"message":12}}',
      '"just a string"',
    ];
    for (const json of bad) {
      expect(() => codec.event.decode(text.encode(json))).toThrow(CodecError);
    }
    expect(() => codec.event.decode(Uint8Array.of(0xff, 0xfe))).toThrow(CodecError);
    try {
      codec.event.decode(text.encode("{"));
    } catch (error) {
      expect(isCodecError(error)).toBe(true);
      expect((error as Error).name).toBe("CodecError");
      expect((error as Error).message).toContain("mesos.v1.scheduler.Event");
    }
  });
});

describe("protobuf encoding", () => {
  it("reports malformed bytes as CodecError naming the message", () => {
    const codec = executorCodecs("protobuf");
    expect(() => codec.event.decode(Uint8Array.of(0x0a, 0xff, 0xff, 0xff))).toThrow(
      /mesos\.v1\.executor\.Event/,
    );
    expect(() => codec.event.decode(Uint8Array.of(0x0a, 0xff, 0xff, 0xff))).toThrow(CodecError);
  });

  it("keeps unknown fields of a newer peer when re-encoding", () => {
    const codec = schedulerCodecs("protobuf");
    const known = codec.event.encode(create(scheduler.EventSchema, { type: scheduler.Event_Type.HEARTBEAT }));
    // Field 999, varint 5: a field this schema does not know.
    const withUnknown = Uint8Array.of(...known, 0xb8, 0x3e, 0x05);
    const event = codec.event.decode(withUnknown);
    expect(event.type).toBe(scheduler.Event_Type.HEARTBEAT);
    expect(codec.event.encode(event)).toEqual(withUnknown);
  });
});

describe("content types", () => {
  it("are the exact Mesos strings", () => {
    expect(CONTENT_TYPES).toEqual({ protobuf: "application/x-protobuf", json: "application/json" });
    expect(schedulerCodecs("json").contentType).toBe("application/json");
    expect(schedulerCodecs("protobuf").call.contentType).toBe("application/x-protobuf");
    expect(executorCodecs("protobuf").event.contentType).toBe("application/x-protobuf");
    expect(executorCodecs("json").name).toBe("json");
  });

  it("match exactly, as Mesos does", () => {
    expect(codecNameOf("application/json")).toBe("json");
    expect(codecNameOf("application/x-protobuf")).toBe("protobuf");
    for (const other of [
      "application/json; charset=utf-8",
      "Application/JSON",
      "application/json ",
      " application/json",
      "application/protobuf",
      "application/x-protobuf;",
      "text/plain",
      "*/*",
      "",
      undefined,
    ]) {
      expect(codecNameOf(other)).toBeUndefined();
    }
  });

  it("refuse an unknown codec name", () => {
    expect(() => messageCodec(scheduler.CallSchema, "xml" as never)).toThrow(CodecError);
    expect(() => schedulerCodecs("yaml" as never)).toThrow(/unknown codec "yaml"/);
  });
});

describe("encoding errors", () => {
  it("reports a missing required field as CodecError in both codecs", () => {
    const call = create(scheduler.CallSchema, { type: scheduler.Call_Type.KILL, kill: {} });
    for (const name of ["protobuf", "json"] as const) {
      expect(() => schedulerCodecs(name).call.encode(call)).toThrow(CodecError);
      expect(() => schedulerCodecs(name).call.encode(call)).toThrow(/task_id/);
    }
  });
});

describe("Mesos-style JSON numbers", () => {
  const json = schedulerCodecs("json");
  it("writes repeated and nested int64 values as numbers and reads them back", () => {
    const event = create(scheduler.EventSchema, {
      type: scheduler.Event_Type.OFFERS,
      offers: {
        offers: [
          {
            id: { value: "o" },
            frameworkId: { value: "f" },
            agentId: { value: "a" },
            hostname: "h",
            resources: [
              {
                name: "ports",
                type: Value_Type.RANGES,
                ranges: { range: [{ begin: 31000n, end: 18446744073709551615n }] },
              },
            ],
          },
        ],
      },
    });
    const text = new TextDecoder().decode(json.event.encode(event));
    expect(text).toContain('"range":[{"begin":31000,"end":18446744073709551615}]');
    const back = json.event.decode(new TextEncoder().encode(text));
    expect(back.offers?.offers[0]?.resources[0]?.ranges?.range[0]?.end).toBe(18446744073709551615n);
  });
});
