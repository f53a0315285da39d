import { type CodecName, type MessageCodec, messageCodec } from "./codec.js";
import * as executor from "./gen/mesos/v1/executor/executor_pb.js";
import * as scheduler from "./gen/mesos/v1/scheduler/scheduler_pb.js";

/**
 * The codecs one side of an API needs: for the scheduler API, Calls sent and Events streamed back.
 *
 * @example
 * ```ts
 * const { call, event } = schedulerCodecs("protobuf");
 * ```
 */
export interface ApiCodecs<C, E> {
  readonly name: CodecName;
  readonly contentType: string;
  readonly call: MessageCodec<C>;
  readonly event: MessageCodec<E>;
}

/**
 * Codecs for `/api/v1/scheduler` in the named encoding.
 *
 * @example
 * ```ts
 * const codecs = schedulerCodecs("json");
 * const body = codecs.call.encode(create(scheduler.CallSchema, { type: scheduler.Call_Type.REVIVE }));
 * ```
 */
export function schedulerCodecs(name: CodecName): ApiCodecs<scheduler.Call, scheduler.Event> {
  const call = messageCodec(scheduler.CallSchema, name);
  return { name, contentType: call.contentType, call, event: messageCodec(scheduler.EventSchema, name) };
}

/**
 * Codecs for `/api/v1/executor` in the named encoding.
 *
 * @example
 * ```ts
 * const codecs = executorCodecs("protobuf");
 * const event = codecs.event.decode(record);
 * ```
 */
export function executorCodecs(name: CodecName): ApiCodecs<executor.Call, executor.Event> {
  const call = messageCodec(executor.CallSchema, name);
  return { name, contentType: call.contentType, call, event: messageCodec(executor.EventSchema, name) };
}
