/** Milliseconds per unit of a Mesos (stout) duration. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  secs: 1000,
  mins: 60_000,
  hrs: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/;

/**
 * Parses a Mesos duration such as `5secs`, `2.5mins` or `100ms` (units `ns`, `us`, `ms`, `secs`, `mins`, `hrs`,
 * `days`, `weeks`, as the agent writes them into `MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD` and friends) into
 * milliseconds. A bare number is read as seconds. Returns `undefined` for anything else, so the caller can name
 * the variable that held it.
 *
 * @example
 * ```ts
 * parseDuration("5secs"); // 5000
 * parseDuration("15mins"); // 900000
 * parseDuration("2"); // 2000
 * parseDuration("soon"); // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? "";
  const scale = unit === "" ? 1000 : UNIT_MS[unit];
  if (scale === undefined || !Number.isFinite(value)) return undefined;
  return value * scale;
}
