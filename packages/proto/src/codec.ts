import { type DescMessage, fromJson, type JsonValue, type MessageShape, toJson } from "@bufbuild/protobuf";
import { isInteger, isSafeNumber, parse } from "lossless-json";
import { decodeBinary } from "./binary-decode.js";
import { encodeBinary } from "./binary-encode.js";
import { CodecError } from "./codec-error.js";
import { installFastUtf8 } from "./fast-utf8.js";
import { stringifyMesosJson } from "./mesos-json.js";

/**
 * The two encodings of the Mesos v1 HTTP APIs.
 *
 * @example
 * ```ts
 * const codec: CodecName = codecNameOf(response.headers.get("content-type") ?? undefined) ?? "protobuf";
 * const events = schedulerCodecs(codec).event;
 * ```
 */
export type CodecName = "protobuf" | "json";

/**
 * The exact media types Mesos matches (`application/json; charset=utf-8` is refused with 415 by a real master).
 *
 * @example
 * ```ts
 * headers["content-type"] = CONTENT_TYPES.protobuf; // "application/x-protobuf"
 * ```
 */
export const CONTENT_TYPES = {
  protobuf: "application/x-protobuf",
  json: "application/json",
} as const satisfies Record<CodecName, string>;

/**
 * Maps a Content-Type or Accept header value to a codec, by exact match as Mesos does.
 *
 * @example
 * ```ts
 * codecNameOf("application/json"); // "json"
 * codecNameOf("application/json; charset=utf-8"); // undefined
 * ```
 */
export function codecNameOf(mediaType: string | undefined): CodecName | undefined {
  if (mediaType === CONTENT_TYPES.protobuf) return "protobuf";
  if (mediaType === CONTENT_TYPES.json) return "json";
  return undefined;
}

/**
 * Encodes and decodes one message type in one of the two Mesos encodings.
 *
 * @example
 * ```ts
 * const codec = messageCodec(scheduler.CallSchema, "json");
 * const bytes = codec.encode(call);
 * ```
 */
export interface MessageCodec<T> {
  readonly name: CodecName;
  /** The exact media type to send as Content-Type or Accept. */
  readonly contentType: string;
  /** @throws {@link CodecError} when the message cannot be encoded (a required field is not set). */
  encode(message: T): Uint8Array;
  /** @throws {@link CodecError} when the bytes are not this message in this encoding. */
  decode(bytes: Uint8Array): T;
}

// The JSON codec and any direct toBinary call still encode through protobuf-es, whose string writer this
// speeds up (see fast-utf8.ts); the protobuf codec has its own (see binary-encode.ts).
installFastUtf8();

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
/** Sixteen digits in a row: a number that may not be exact as a double (or digits inside a string). */
const LONG_DIGIT_RUN = /\d{16}/;
const utf8Encoder = new TextEncoder();

/**
 * Parses JSON keeping every integer exact: integers beyond 2^53 become strings, which protobuf-es reads as
 * int64/uint64 without loss (Mesos writes int64 as JSON numbers).
 */
function parseJsonExact(text: string): JsonValue {
  // Every integer of at most 15 digits is exact as a double, so text without a longer digit run parses
  // natively (several times faster); anything else goes through the lossless parser.
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text) as JsonValue;
  return parse(text, undefined, (value: string) => {
    if (isInteger(value) && !isSafeNumber(value)) return value;
    return Number(value);
  }) as JsonValue;
}

/**
 * Builds the codec for one message schema. Protobuf goes through the compiled codec ({@link encodeBinary},
 * {@link decodeBinary}: the bytes and messages of protobuf-es `toBinary`/`fromBinary`, at a fraction of the cost). JSON uses proto (snake_case) field names and enum names, base64
 * bytes, and int64 as bare JSON numbers with every digit, as Mesos writes them; reading ignores unknown fields and unknown enum values, so a newer master never
 * ends a stream.
 *
 * @example
 * ```ts
 * const events = messageCodec(scheduler.EventSchema, "protobuf");
 * const event = events.decode(record);
 * ```
 */
export function messageCodec<Desc extends DescMessage>(
  schema: Desc,
  name: CodecName,
): MessageCodec<MessageShape<Desc>> {
  if (name === "protobuf") {
    return {
      name,
      contentType: CONTENT_TYPES.protobuf,
      encode: (message) => {
        try {
          return encodeBinary(schema, message);
        } catch (cause) {
          throw new CodecError(`cannot encode ${schema.typeName} as protobuf: ${errorText(cause)}`, {
            cause,
          });
        }
      },
      decode: (bytes) => {
        try {
          return decodeBinary(schema, bytes);
        } catch (cause) {
          throw new CodecError(`cannot decode ${schema.typeName} from protobuf: ${errorText(cause)}`, {
            cause,
          });
        }
      },
    };
  }
  if (name === "json") {
    return {
      name,
      contentType: CONTENT_TYPES.json,
      encode: (message) => {
        try {
          return utf8Encoder.encode(
            stringifyMesosJson(schema, toJson(schema, message, { useProtoFieldName: true })),
          );
        } catch (cause) {
          throw new CodecError(`cannot encode ${schema.typeName} as JSON: ${errorText(cause)}`, { cause });
        }
      },
      decode: (bytes) => {
        let json: JsonValue;
        try {
          json = parseJsonExact(utf8Decoder.decode(bytes));
        } catch (cause) {
          throw new CodecError(`cannot decode ${schema.typeName}: malformed JSON: ${errorText(cause)}`, {
            cause,
          });
        }
        try {
          return fromJson(schema, json, { ignoreUnknownFields: true });
        } catch (cause) {
          throw new CodecError(`cannot decode ${schema.typeName} from JSON: ${errorText(cause)}`, { cause });
        }
      },
    };
  }
  throw new CodecError(`unknown codec ${JSON.stringify(name)}: expected "protobuf" or "json"`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
