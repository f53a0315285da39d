import { isIP } from "node:net";

/**
 * The warning to print when the cluster is told to bind an interface other than loopback: the local cluster
 * runs whatever tasks it is sent, so anyone who can reach it can run code as this user. `undefined` for loopback
 * addresses (127.0.0.0/8, ::1) and `localhost`.
 *
 * @example
 * ```ts
 * bindWarning("127.0.0.1"); // undefined
 * bindWarning("0.0.0.0"); // "satyr-local: WARNING: listening on 0.0.0.0, not only loopback: …"
 * ```
 */
export function bindWarning(host: string): string | undefined {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare === "localhost" || bare === "::1") return undefined;
  if (isIP(bare) === 4 && bare.startsWith("127.")) return undefined;
  const scope = bare === "0.0.0.0" || bare === "::" ? "every interface" : `${bare}, not only loopback`;
  return (
    `satyr-local: WARNING: listening on ${scope}: anyone who can reach this host can launch tasks that run as ` +
    "this user. Use --credentials, a firewall, or the default --host 127.0.0.1."
  );
}
