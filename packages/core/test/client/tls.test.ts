import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalCluster } from "@satyr/local";
import { connect } from "../../src/client/index.js";
import { isConnectionError } from "../../src/errors/index.js";
import { FAST, waitForState } from "../support/wait.js";

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl. */
function selfSigned(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "satyr-tls-"));
  try {
    const made = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"].concat([
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ]),
      { stdio: "ignore" },
    );
    if (made.error !== undefined || made.status !== 0) return undefined;
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSigned();
if (tls === undefined) console.warn("Skipping the TLS tests: openssl could not make a certificate");
const describeTls = tls === undefined ? describe.skip : describe;

describeTls("https masters", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("subscribes over TLS when given the CA, and refuses an unknown certificate", async () => {
    if (tls === undefined) return;
    const cluster = await LocalCluster.start({ tls, heartbeatIntervalSeconds: 0.5 });
    cleanup.push(() => cluster.stop());
    const port = new URL(cluster.masterUrl).port;
    // A bare host:port becomes https when TLS options are given.
    const trusted = connect({
      master: `127.0.0.1:${port}`,
      framework: { name: "tls" },
      tls: { ca: tls.cert },
      ...FAST,
    });
    cleanup.push(() => trusted.close());
    const state = await waitForState(trusted, "subscribed");
    expect(state.master).toBe(`https://127.0.0.1:${port}`);
    await trusted.revive();

    const untrusted = connect({
      master: `https://127.0.0.1:${port}`,
      framework: { name: "tls-untrusted" },
      ...FAST,
    });
    cleanup.push(() => untrusted.close());
    const down = await waitForState(untrusted, "disconnected", 5000, (s) => s.error !== undefined);
    expect(isConnectionError(down.error) && down.error.code).toBe("unreachable");
    expect(down.reason).toMatch(/certificate/i);
  });
});
