import { randomFillSync } from "node:crypto";

/** Random bytes drawn from the CSPRNG 256 UUIDs at a time: one call per 256 updates instead of one per update. */
const POOL_BYTES = 16 * 256;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * A fresh RFC 4122 version-4 UUID as the 16 raw bytes Mesos expects in `TaskStatus.uuid` (an agent refuses an
 * all-zero or otherwise invalid one with 400 "Not a valid UUID", so plain random bytes will not do).
 *
 * @example
 * ```ts
 * const uuid = randomUuidBytes(); // Uint8Array(16), version nibble 4, RFC 4122 variant
 * ```
 */
export function randomUuidBytes(): Uint8Array {
  if (poolOffset >= pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  // A copy, with a buffer of its own: callers may keep, transfer or change it.
  const bytes = pool.slice(poolOffset, poolOffset + 16);
  poolOffset += 16;
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return bytes;
}

/**
 * Converts the textual form (`xxxxxxxx-xxxx-...`) of a UUID to its 16 bytes.
 *
 * @example
 * ```ts
 * uuidBytes("00112233-4455-4677-8899-aabbccddeeff")[0]; // 0x00
 * ```
 */
export function uuidBytes(text: string): Uint8Array {
  const hex = text.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${JSON.stringify(text)}`);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Formats 16 UUID bytes in the usual textual form.
 *
 * @example
 * ```ts
 * uuidText(randomUuidBytes()); // "3f29fe92-ec01-4420-a792-f7106bde03c6"
 * ```
 */
export function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A map key for UUID bytes, one character per byte: cheaper to make than {@link uuidText}, for the executor's
 * unacknowledged updates and the agent's received ones.
 *
 * @example
 * ```ts
 * const pending = new Map<string, TaskStatus>();
 * pending.set(uuidKey(status.uuid), status);
 * ```
 */
export function uuidKey(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/**
 * Whether bytes are a UUID Mesos accepts: 16 bytes whose version nibble (high half of byte 6) is 1–5. An all-zero
 * or random buffer usually is not, which is why a real agent rejects some random uuids.
 *
 * @example
 * ```ts
 * isValidUuid(randomUuidBytes()); // true
 * isValidUuid(new Uint8Array(16)); // false
 * ```
 */
export function isValidUuid(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  const version = (bytes[6] ?? 0) >> 4;
  return version >= 1 && version <= 5;
}
