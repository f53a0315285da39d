import { readFileSync } from "node:fs";
import { LocalClusterError } from "./errors.js";

/**
 * One principal and its secret, as `LocalClusterOptions.credentials` takes them.
 *
 * @example
 * ```ts
 * const ops: Credential = { principal: "ops", secret: "s3cret" };
 * await using cluster = await LocalCluster.start({ credentials: [ops] });
 * ```
 */
export interface Credential {
  readonly principal: string;
  readonly secret: string;
}

/**
 * Parses the text of a Mesos master `--credentials` file: the JSON form
 * `{"credentials": [{"principal": "p", "secret": "s"}]}`, or the older text form with one `principal secret` pair
 * per line (blank lines and `#` comments ignored).
 *
 * @throws {@link LocalClusterError} `invalid-options` saying what is wrong (never echoing a secret).
 * @example
 * ```ts
 * parseCredentials('{"credentials":[{"principal":"ops","secret":"s3cret"}]}'); // [{ principal: "ops", secret: "s3cret" }]
 * parseCredentials("ops s3cret\n"); // the same
 * ```
 */
export function parseCredentials(text: string, source = "credentials file"): Credential[] {
  const invalid = (why: string) => new LocalClusterError("invalid-options", `${source}: ${why}`);
  const trimmed = text.trim();
  let credentials: Credential[];
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw new LocalClusterError("invalid-options", `${source}: not valid JSON`, { cause });
    }
    const list = (parsed as { credentials?: unknown }).credentials;
    if (!Array.isArray(list)) throw invalid('expected {"credentials": [{"principal": …, "secret": …}]}');
    credentials = list.map((entry: unknown, i) => {
      const { principal, secret } = (entry ?? {}) as { principal?: unknown; secret?: unknown };
      if (typeof principal !== "string" || principal === "" || typeof secret !== "string") {
        throw invalid(`credentials[${i}] needs a non-empty string "principal" and a string "secret"`);
      }
      return { principal, secret };
    });
  } else {
    credentials = [];
    for (const [i, raw] of text.split("\n").entries()) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      const parts = line.split(/\s+/);
      if (parts.length !== 2) throw invalid(`line ${i + 1} must be "principal secret"`);
      credentials.push({ principal: parts[0]!, secret: parts[1]! });
    }
  }
  if (credentials.length === 0) throw invalid("no credentials in it");
  return credentials;
}

/**
 * Reads a Mesos `--credentials` file (see {@link parseCredentials}).
 *
 * @example
 * ```ts
 * const credentials = readCredentialsFile("/etc/mesos/credentials");
 * ```
 */
export function readCredentialsFile(path: string): Credential[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new LocalClusterError(
      "invalid-options",
      `cannot read the credentials file ${path}: ${String(cause)}`,
      {
        cause,
      },
    );
  }
  return parseCredentials(text, `credentials file ${path}`);
}
