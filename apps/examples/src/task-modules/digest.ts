/**
 * Code run on the cluster by module reference (`{ module, export }`): unlike a shipped function value it may
 * import whatever the agent can resolve. The function-task example runs `sha256` from this file's build.
 */
import { createHash } from "node:crypto";

/** The hex SHA-256 of `text`. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
