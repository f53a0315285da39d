import { create, equals, fromBinary, isFieldSet, toBinary, toJson } from "@bufbuild/protobuf";
import { hotMessages } from "../bench/hot-messages.js";
import {
  decodeBinary,
  encodeBinary,
  executor,
  isCodecError,
  messageCodec,
  scheduler,
  TaskIDSchema,
  TaskStatusSchema,
} from "../src/index.js";
import { expectSameMessage } from "./support/same-message.js";

// Hand-written cases for the messages a framework exchanges most, through the codec the rest of satyr uses.

describe.each(hotMessages(3).map((hot) => [hot.name, hot] as const))("%s", (_name, { schema, message }) => {
  const codec = messageCodec(schema, "protobuf");

  it("encodes to toBinary's bytes through the protobuf codec", () => {
    const bytes = codec.encode(message);
    expect(bytes).toEqual(toBinary(schema, message));
    expect(bytes.length).toBeGreaterThan(10);
  });

  it("decodes to fromBinary's message: equal, same shape, same JSON, same presence", () => {
    const bytes = toBinary(schema, message);
    const decoded = codec.decode(bytes);
    const reference = fromBinary(schema, bytes, { readUnknownFields: true });
    expectSameMessage(decoded, reference);
    expect(equals(schema, decoded, message)).toBe(true);
    expect(toJson(schema, decoded)).toEqual(toJson(schema, reference));
    for (const field of schema.fields) expect(isFieldSet(decoded, field)).toBe(isFieldSet(reference, field));
    // create() recognizes it as a message of the schema and returns it as is, as for protobuf-es's own.
    expect(create(schema, decoded)).toBe(decoded);
  });
});

describe("compiled codec, hot-path specifics", () => {
  const [accept, acknowledge, , update, executorUpdate, launch, acknowledged] = hotMessages(5);

  it("keeps the ACCEPT's task, executor and resources field for field", () => {
    const call = decodeBinary(scheduler.CallSchema, toBinary(accept!.schema, accept!.message));
    const task = call.accept?.operations[0]?.launch?.taskInfos[0];
    expect(call.type).toBe(scheduler.Call_Type.ACCEPT);
    expect(task?.taskId?.value).toBe("satyr-task-5");
    expect(task?.executor?.command?.value).toBe("node executor.js");
    expect(task?.resources.map((r) => r.name)).toEqual(["cpus", "mem", "ports"]);
    expect(task?.resources[2]?.ranges?.range[0]?.begin).toBe(31000n);
    expect(task?.data).toEqual(new Uint8Array(200).fill(5));
  });

  it("reads ACKNOWLEDGE's uuid and UPDATE's status with proto2 presence intact", () => {
    const ack = decodeBinary(scheduler.CallSchema, toBinary(acknowledge!.schema, acknowledge!.message));
    expect(ack.acknowledge?.uuid).toEqual((acknowledge!.message as scheduler.Call).acknowledge?.uuid);
    const event = decodeBinary(scheduler.EventSchema, toBinary(update!.schema, update!.message));
    const status = event.update?.status;
    expect(status?.timestamp).toBe(1_764_140_000.123);
    // `healthy` was never set: it reads as its default but is not set, as after fromBinary.
    const healthy = TaskStatusSchema.fields.find((f) => f.localName === "healthy");
    expect(healthy).toBeDefined();
    expect(isFieldSet(status!, healthy!)).toBe(false);
    expect(Object.hasOwn(status!, "healthy")).toBe(false);
    expect(Object.hasOwn(status!, "state")).toBe(true);
  });

  it("encodes the executor's UPDATE and decodes LAUNCH and ACKNOWLEDGED like protobuf-es", () => {
    expect(encodeBinary(executor.CallSchema, executorUpdate!.message as executor.Call)).toEqual(
      toBinary(executor.CallSchema, executorUpdate!.message as executor.Call),
    );
    for (const hot of [launch!, acknowledged!]) {
      const bytes = toBinary(hot.schema, hot.message);
      expectSameMessage(decodeBinary(executor.EventSchema, bytes), fromBinary(executor.EventSchema, bytes));
    }
  });

  it("refuses a message missing a required field with a CodecError naming the field", () => {
    const call = create(scheduler.CallSchema, {
      type: scheduler.Call_Type.ACKNOWLEDGE,
      acknowledge: { uuid: new Uint8Array(16) },
    });
    let caught: unknown;
    try {
      messageCodec(scheduler.CallSchema, "protobuf").encode(call);
    } catch (error) {
      caught = error;
    }
    expect(isCodecError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      "cannot encode mesos.v1.scheduler.Call as protobuf: cannot encode field mesos.v1.scheduler.Call.Acknowledge.agent_id to binary: required field not set",
    );
    expect(() => toBinary(scheduler.CallSchema, call)).toThrow(
      "cannot encode field mesos.v1.scheduler.Call.Acknowledge.agent_id to binary: required field not set",
    );
  });

  it("refuses truncated bytes and illegal tags with a CodecError", () => {
    const codec = messageCodec(scheduler.CallSchema, "protobuf");
    const bytes = toBinary(accept!.schema, accept!.message);
    for (const bad of [
      bytes.subarray(0, bytes.length - 3),
      Uint8Array.of(0x0f, 0x01),
      Uint8Array.of(0x00, 0x01),
    ]) {
      expect(() => fromBinary(scheduler.CallSchema, bad)).toThrow();
      let caught: unknown;
      try {
        codec.decode(bad);
      } catch (error) {
        caught = error;
      }
      expect(isCodecError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(/^cannot decode mesos\.v1\.scheduler\.Call from protobuf: /);
    }
  });

  it("decodes from a view into a larger buffer (a Buffer slice of a socket read)", () => {
    const bytes = toBinary(update!.schema, update!.message);
    const pool = Buffer.alloc(bytes.length + 64, 0x41);
    pool.set(bytes, 29);
    const view = pool.subarray(29, 29 + bytes.length);
    const decoded = decodeBinary(scheduler.EventSchema, view);
    expectSameMessage(decoded, fromBinary(scheduler.EventSchema, view, { readUnknownFields: true }));
    expect(decoded.update?.status?.taskId?.value).toBe("satyr-task-5");
  });

  it("round-trips unknown fields byte for byte, after the known ones", () => {
    const known = toBinary(TaskIDSchema, create(TaskIDSchema, { value: "t-1" }));
    // field 9, varint 300; field 10, 3 bytes; field 11, fixed32
    const unknown = Uint8Array.of(0x48, 0xac, 0x02, 0x52, 0x03, 1, 2, 3, 0x5d, 1, 2, 3, 4);
    const bytes = Uint8Array.from([...known, ...unknown]);
    const decoded = decodeBinary(TaskIDSchema, bytes);
    expect(decoded.value).toBe("t-1");
    expect(decoded.$unknown?.map((u) => [u.no, u.wireType])).toEqual([
      [9, 0],
      [10, 2],
      [11, 5],
    ]);
    expect(encodeBinary(TaskIDSchema, decoded)).toEqual(bytes);
  });

  it("keeps an enum number the (closed, proto2) enum does not declare as an unknown field", () => {
    const event = create(scheduler.EventSchema, { type: 77 as scheduler.Event_Type });
    const bytes = encodeBinary(scheduler.EventSchema, event);
    expect(bytes).toEqual(Uint8Array.of(0x08, 77));
    const decoded = decodeBinary(scheduler.EventSchema, bytes);
    expectSameMessage(decoded, fromBinary(scheduler.EventSchema, bytes));
    expect(Object.hasOwn(decoded, "type")).toBe(false);
    expect(decoded.$unknown).toEqual([{ no: 1, wireType: 0, data: Uint8Array.of(77) }]);
    expect(encodeBinary(scheduler.EventSchema, decoded)).toEqual(bytes);
  });

  it("merges a message field that occurs twice, as protobuf-es does", () => {
    // TaskStatus.task_id (1) twice: the second occurrence's fields merge into the first.
    const first = toBinary(TaskStatusSchema, create(TaskStatusSchema, { taskId: { value: "a" }, state: 1 }));
    const second = toBinary(TaskStatusSchema, create(TaskStatusSchema, { taskId: { value: "b" }, state: 2 }));
    const bytes = Uint8Array.from([...first, ...second]);
    const decoded = decodeBinary(TaskStatusSchema, bytes);
    expectSameMessage(decoded, fromBinary(TaskStatusSchema, bytes));
    expect(decoded.taskId?.value).toBe("b");
    expect(decoded.state).toBe(2);
  });
});
