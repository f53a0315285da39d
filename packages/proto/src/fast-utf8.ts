import { configureTextEncoding, getTextEncoding } from "@bufbuild/protobuf/wire";

/** Strings longer than this go to TextEncoder directly: its per-call cost only matters for short ones. */
const SHORT_STRING = 64;

/**
 * Makes protobuf-es encode short ASCII strings (ids, resource names, roles: most strings of a Mesos message)
 * without a TextEncoder call each, which cost a native round trip per string and was the largest single item of
 * encoding a status update. Output is byte-for-byte what TextEncoder gives; anything else (non-ASCII, long
 * strings) still goes through the previous encoder, and decoding is untouched. Applied once, process-wide,
 * through protobuf-es's own `configureTextEncoding` hook, when this package is imported.
 *
 * @example
 * ```ts
 * installFastUtf8();
 * toBinary(TaskIDSchema, create(TaskIDSchema, { value: "task-1" }));
 * ```
 */
export function installFastUtf8(): void {
  const base = getTextEncoding();
  if ((base.encodeUtf8 as { fastAscii?: boolean }).fastAscii === true) return;
  const encodeUtf8 = Object.assign(
    (text: string) => {
      const length = text.length;
      if (length > SHORT_STRING) return base.encodeUtf8(text);
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code > 0x7f) return base.encodeUtf8(text);
        bytes[i] = code;
      }
      return bytes;
    },
    { fastAscii: true },
  );
  configureTextEncoding({
    encodeUtf8,
    decodeUtf8: base.decodeUtf8,
    checkUtf8: base.checkUtf8,
  });
}
