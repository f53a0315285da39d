import { randomUUID } from "node:crypto";

/**
 * A fresh RFC 4122 version-4 UUID as the 16 raw bytes Mesos puts in `TaskStatus.uuid`.
 *
 * @example
 * ```ts
 * const uuid = uuidBytes(); // Uint8Array(16)
 * ```
 */
export function uuidBytes(): Uint8Array {
  return Buffer.from(randomUUID().replaceAll("-", ""), "hex");
}

/**
 * Whether bytes are a UUID Mesos accepts: 16 bytes whose version nibble (high half of byte 6) is 1–5. An all-zero
 * or random buffer usually is not, which is why a real agent rejects some random uuids.
 *
 * @example
 * ```ts
 * isValidUuid(uuidBytes()); // true
 * isValidUuid(new Uint8Array(16)); // false
 * ```
 */
export function isValidUuid(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  const version = (bytes[6] ?? 0) >> 4;
  return version >= 1 && version <= 5;
}

/**
 * Hex text of a uuid's bytes, used as a map key.
 *
 * @example
 * ```ts
 * uuidKey(uuidBytes()); // "3f2a…"
 * ```
 */
export function uuidKey(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * A duration in stout's text form, as Mesos writes MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD (`5secs`, `100ms`).
 *
 * @example
 * ```ts
 * formatDuration(5000); // "5secs"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}mins`;
  if (ms % 1000 === 0) return `${ms / 1000}secs`;
  return `${ms}ms`;
}
