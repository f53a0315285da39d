import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zookeeper from "node-zookeeper-client";

/**
 * Where Debian's `zookeeper` package puts the server (scripts/install-system-deps.sh installs it in CI); the jar's
 * manifest carries the classpath of its dependencies. `ZOOKEEPER_CLASSPATH` overrides.
 */
const DEBIAN_JAR = "/usr/share/java/zookeeper.jar";

/** Why a real ZooKeeper cannot be started here, or undefined when it can. */
export function zookeeperUnavailable(): string | undefined {
  const classpath = process.env.ZOOKEEPER_CLASSPATH ?? DEBIAN_JAR;
  if (process.env.ZOOKEEPER_CLASSPATH === undefined && !existsSync(DEBIAN_JAR)) {
    return `no ZooKeeper server: ${DEBIAN_JAR} is missing (install Debian's zookeeper package, or set ZOOKEEPER_CLASSPATH)`;
  }
  const java = spawnSync("java", ["-version"], { stdio: "ignore" });
  if (java.error !== undefined || java.status !== 0)
    return `no ZooKeeper server: java is not runnable (${classpath})`;
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * A real standalone ZooKeeper server on a free loopback port, in a temporary directory, for tests. Small tick
 * time so sessions can be short.
 */
export class ZookeeperServer {
  readonly port: number;
  readonly #dir: string;
  #process: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  static async start(): Promise<ZookeeperServer> {
    const server = new ZookeeperServer(await freePort(), mkdtempSync(join(tmpdir(), "satyr-zk-")));
    await server.#launch();
    return server;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.#kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** A connected client; closed by the caller. */
  async client(sessionTimeoutMs = 4000): Promise<zookeeper.Client> {
    const client = zookeeper.createClient(this.connectString, {
      sessionTimeout: sessionTimeoutMs,
      spinDelay: 100,
      retries: 0,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`ZooKeeper on ${this.connectString} did not accept a client`));
      }, 10_000);
      client.once("connected", () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    return client;
  }

  async #launch(): Promise<void> {
    const config = join(this.#dir, "zoo.cfg");
    writeFileSync(
      config,
      [
        "tickTime=200",
        `dataDir=${join(this.#dir, "data")}`,
        `clientPort=${this.port}`,
        "clientPortAddress=127.0.0.1",
        "admin.enableServer=false",
        "minSessionTimeout=400",
        "maxSessionTimeout=10000",
        "",
      ].join("\n"),
    );
    const classpath = process.env.ZOOKEEPER_CLASSPATH ?? DEBIAN_JAR;
    const child = spawn(
      "java",
      ["-Xmx128m", "-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", config],
      {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, ZOO_LOG_DIR: this.#dir },
      },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    this.#process = child;
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`ZooKeeper exited with ${code}: ${stderr}`))),
    );
    exited.catch(() => undefined);
    // Ready when a client gets a session.
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const client = await Promise.race([this.client(), exited]);
        client.close();
        return;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline) {
          await this.#kill();
          throw error;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async #kill(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}

/**
 * Registers a Mesos master in a ZooKeeper group the way Mesos does: an ephemeral sequential `json.info_` znode
 * holding its JSON MasterInfo. The registration lives as long as the returned client's session: close it to make
 * the master leave the group (a leader change when it was the leader).
 */
export async function registerMaster(
  server: ZookeeperServer,
  path: string,
  master: { id: string; host: string; port: number },
): Promise<{ client: zookeeper.Client; node: string }> {
  const client = await server.client();
  await new Promise<void>((resolve, reject) =>
    client.mkdirp(path, (error) => (error ? reject(error) : resolve())),
  );
  const info = {
    id: master.id,
    ip: 16777343,
    port: master.port,
    pid: `master@127.0.0.1:${master.port}`,
    hostname: master.host,
    version: "1.11.0",
    address: { hostname: master.host, ip: "127.0.0.1", port: master.port },
  };
  const node = await new Promise<string>((resolve, reject) =>
    client.create(
      `${path}/json.info_`,
      Buffer.from(JSON.stringify(info)),
      zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
      (error, created) => (error ? reject(error) : resolve(created)),
    ),
  );
  return { client, node };
}
