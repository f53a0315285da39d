/**
 * @packageDocumentation
 * `@satyr/proto`: the Apache Mesos v1 wire protocol for satyr. Generated protobuf-es messages (core types flat,
 * the scheduler and executor APIs as the `scheduler` and `executor` namespaces), RecordIO framing, the two
 * codecs with Mesos's exact content types, and the satyr task payload format. No I/O.
 *
 * @example
 * ```ts
 * import { create } from "@bufbuild/protobuf";
 * import { scheduler, schedulerCodecs, encodeRecord } from "@satyr/proto";
 * const call = create(scheduler.CallSchema, { type: scheduler.Call_Type.REVIVE });
 * const bytes = schedulerCodecs("protobuf").call.encode(call);
 * ```
 */

export { type ApiCodecs, executorCodecs, schedulerCodecs } from "./api-codecs.js";
export { decodeBinary } from "./binary-decode.js";
export { encodeBinary } from "./binary-encode.js";
export { CONTENT_TYPES, type CodecName, codecNameOf, type MessageCodec, messageCodec } from "./codec.js";
export { CodecError, isCodecError } from "./codec-error.js";
export * as executor from "./gen/mesos/v1/executor/executor_pb.js";
export * from "./gen/mesos/v1/mesos_pb.js";
export * as scheduler from "./gen/mesos/v1/scheduler/scheduler_pb.js";
export {
  type CallOutcome,
  DEFAULT_MAX_RESULT_BYTES,
  decodeTaskPayload,
  decodeTaskResult,
  type EncodeTaskResultOptions,
  encodeTaskPayload,
  encodeTaskResult,
  type FunctionRef,
  PAYLOAD_VERSION,
  type TaskPayload,
  type TaskResult,
} from "./payload.js";
export { isPayloadError, PayloadError, type PayloadErrorCode } from "./payload-error.js";
export {
  DEFAULT_MAX_RECORD_BYTES,
  encodeRecord,
  RecordIODecoder,
  type RecordIOOptions,
  readRecords,
} from "./recordio.js";
export { isRecordIOError, RecordIOError } from "./recordio-error.js";
export {
  DEFAULT_MAX_ERROR_BYTES,
  MAX_CAUSE_DEPTH,
  type RemoteErrorData,
  type SerializeErrorOptions,
  serializeError,
  TRUNCATED_PROP,
} from "./remote-error.js";
export { isTerminalState } from "./task-states.js";
export { isValidUuid, randomUuidBytes, uuidBytes, uuidKey, uuidText } from "./uuid.js";
