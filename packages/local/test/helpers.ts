import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readRecords, schedulerCodecs } from "@satyr/proto";

// biome-ignore lint/suspicious/noExplicitAny: events are read as the raw JSON a client sees.
export type Json = any;

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
export const ECHO_EXECUTOR = `${process.execPath} ${join(FIXTURES, "echo-executor.mjs")}`;

/** A raw HTTP exchange with its status, headers and text body. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One POST with node:http, returning status, headers and body. */
export function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A scheduler (or executor) subscription read as raw events. */
export class Subscription {
  readonly events: Json[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  #waiters: (() => void)[] = [];
  #req: http.ClientRequest | undefined;
  #opened!: Promise<void>;

  static open(
    url: string,
    body: Json,
    options: { codec?: "json" | "protobuf"; headers?: Record<string, string> } = {},
  ): Promise<Subscription> {
    const sub = new Subscription();
    const codec = options.codec ?? "json";
    const payload = codec === "json" ? JSON.stringify(body) : body;
    sub.#opened = new Promise((resolve, reject) => {
      const req = http.request(url, {
        method: "POST",
        headers: {
          "Content-Type": codec === "json" ? "application/json" : "application/x-protobuf",
          Accept: codec === "json" ? "application/json" : "application/x-protobuf",
          ...options.headers,
        },
      });
      sub.#req = req;
      req.on("response", async (res) => {
        sub.status = res.statusCode ?? 0;
        sub.headers = res.headers;
        resolve();
        try {
          for await (const record of readRecords(res)) {
            const event =
              codec === "json"
                ? JSON.parse(Buffer.from(record).toString("utf8"))
                : schedulerCodecs("protobuf").event.decode(record);
            sub.events.push(event);
            sub.#wake();
          }
        } catch {
          // Connection dropped.
        }
        sub.ended = true;
        sub.#wake();
      });
      req.on("error", (e) => {
        sub.ended = true;
        sub.#wake();
        reject(e);
      });
      req.end(payload);
    });
    return sub.#opened.then(() => sub);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  get streamId(): string {
    return String(this.headers["mesos-stream-id"]);
  }

  get frameworkId(): string {
    return this.events.find((e) => e.type === "SUBSCRIBED")?.subscribed.framework_id.value;
  }

  /** Waits for the first event (from index `from`) matching `predicate`. */
  async next(predicate: (e: Json) => boolean, timeoutMs = 10_000, from = 0): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(predicate);
      if (found !== undefined) return found;
      if (this.ended) throw new Error(`stream ended without the event; got ${JSON.stringify(this.types())}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.types())}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for an UPDATE of a task in a state. */
  update(taskId: string, state?: string, timeoutMs = 10_000): Promise<Json> {
    return this.next(
      (e) =>
        e.type === "UPDATE" &&
        e.update.status.task_id.value === taskId &&
        (state === undefined || e.update.status.state === state),
      timeoutMs,
    ).then((e) => e.update.status);
  }

  offers(from = 0, timeoutMs = 10_000): Promise<Json[]> {
    return this.next((e) => e.type === "OFFERS", timeoutMs, from).then((e) => e.offers.offers);
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  close(): void {
    this.#req?.destroy();
  }
}

const opened = new Set<Scheduler>();

/** Tears down every framework a test subscribed (so a failed test cannot keep the cluster's offers). */
export async function teardownAll(): Promise<void> {
  for (const scheduler of opened) {
    if (!scheduler.sub.ended) await scheduler.call("TEARDOWN").catch(() => undefined);
    scheduler.sub.close();
  }
  opened.clear();
}

/** A scheduler client speaking raw JSON calls. */
export class Scheduler {
  constructor(
    readonly url: string,
    readonly sub: Subscription,
  ) {}

  static async subscribe(masterUrl: string, frameworkInfo: Json = {}, extra: Json = {}): Promise<Scheduler> {
    const info = { user: "root", name: "test", ...frameworkInfo };
    const body: Json = { type: "SUBSCRIBE", subscribe: { framework_info: info, ...extra } };
    if (info.id !== undefined) body.framework_id = info.id;
    const sub = await Subscription.open(`${masterUrl}/api/v1/scheduler`, body);
    await sub.next((e) => e.type === "SUBSCRIBED" || e.type === "ERROR");
    const scheduler = new Scheduler(masterUrl, sub);
    opened.add(scheduler);
    return scheduler;
  }

  get frameworkId(): string {
    return this.sub.frameworkId;
  }

  call(type: string, payload: Json = {}): Promise<Reply> {
    return post(
      `${this.url}/api/v1/scheduler`,
      JSON.stringify({ framework_id: { value: this.frameworkId }, type, ...payload }),
      { "Content-Type": "application/json", "Mesos-Stream-Id": this.sub.streamId },
    );
  }

  async launch(offer: Json, tasks: Json[], refuseSeconds?: number): Promise<Reply> {
    const filters = refuseSeconds === undefined ? {} : { filters: { refuse_seconds: refuseSeconds } };
    return this.call("ACCEPT", {
      accept: {
        offer_ids: [offer.id],
        operations: [
          { type: "LAUNCH", launch: { task_infos: tasks.map((t) => ({ agent_id: offer.agent_id, ...t })) } },
        ],
        ...filters,
      },
    });
  }

  ack(status: Json): Promise<Reply> {
    return this.call("ACKNOWLEDGE", {
      acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
    });
  }

  /** Waits for a task's update in `state`, acknowledging every update of it on the way. */
  async until(taskId: string, state: string, timeoutMs = 10_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    let from = 0;
    for (;;) {
      const event = await this.sub.next(
        (e) => e.type === "UPDATE" && e.update.status.task_id.value === taskId,
        Math.max(1, deadline - Date.now()),
        from,
      );
      from = this.sub.events.indexOf(event) + 1;
      const status = event.update.status;
      if (status.uuid !== undefined) await this.ack(status);
      if (status.state === state) return status;
    }
  }
}

export function commandTask(id: string, command: string, resources = { cpus: 0.1, mem: 32 }): Json {
  return {
    name: id,
    task_id: { value: id },
    resources: scalars(resources),
    command: { value: command },
  };
}

export function scalars(resources: Record<string, number>): Json[] {
  return Object.entries(resources).map(([name, value]) => ({ name, type: "SCALAR", scalar: { value } }));
}

export function customTask(id: string, executorId: string, command: string, data?: string): Json {
  return {
    name: id,
    task_id: { value: id },
    resources: scalars({ cpus: 0.1, mem: 32 }),
    executor: {
      type: "CUSTOM",
      executor_id: { value: executorId },
      command: { value: command },
      resources: scalars({ cpus: 0.1, mem: 32 }),
    },
    ...(data === undefined ? {} : { data: Buffer.from(data).toString("base64") }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A throwaway self-signed certificate for 127.0.0.1 (openssl), as PEM Buffers. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "satyr-local-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The status of `GET url` over https, trusting `ca`. */
export function httpsStatus(url: string, ca: Buffer): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on("error", reject);
  });
}
