import http from "node:http";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type ExecutorInfo,
  ExecutorInfo_Type,
  ExecutorInfoSchema,
  encodeTaskPayload,
  FrameworkIDSchema,
  type FunctionRef,
  type Offer,
  Offer_Operation_Type,
  readRecords,
  scheduler,
  schedulerCodecs,
  type TaskInfo,
  TaskInfoSchema,
  type TaskStatus,
} from "@satyr/proto";
import { executorCommand } from "../../src/index.js";

const codecs = schedulerCodecs("protobuf");

/**
 * A bare-bones framework speaking the v1 scheduler API with raw HTTP and @satyr/proto codecs (the executor
 * package must not depend on @satyr/core): subscribes, collects offers and updates, acknowledges updates that
 * carry a uuid, and launches tasks.
 */
export class RawScheduler {
  readonly events: scheduler.Event[] = [];
  readonly updates: TaskStatus[] = [];
  readonly failures: scheduler.Event_Failure[] = [];
  frameworkId = "";
  #streamId = "";
  readonly #masterUrl: string;
  #request: http.ClientRequest | undefined;
  readonly #offers: Offer[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor(masterUrl: string) {
    this.#masterUrl = masterUrl;
  }

  static async subscribe(masterUrl: string, options: { checkpoint?: boolean } = {}): Promise<RawScheduler> {
    const framework = new RawScheduler(masterUrl);
    await framework.#open(options.checkpoint ?? false);
    await framework.waitFor(() => framework.frameworkId !== "", "SUBSCRIBED");
    return framework;
  }

  /** Takes the next offer (waiting for one). */
  async offer(): Promise<Offer> {
    await this.waitFor(() => this.#offers.length > 0, "an offer");
    return this.#offers.shift()!;
  }

  /** Launches tasks on one offer. */
  async launch(offer: Offer, tasks: TaskInfo[]): Promise<void> {
    await this.call({
      type: scheduler.Call_Type.ACCEPT,
      accept: {
        offerIds: [offer.id!],
        operations: [{ type: Offer_Operation_Type.LAUNCH, launch: { taskInfos: tasks } }],
        filters: { refuseSeconds: 0 },
      },
    });
  }

  kill(taskId: string, agentId: string): Promise<void> {
    return this.call({
      type: scheduler.Call_Type.KILL,
      kill: { taskId: { value: taskId }, agentId: { value: agentId } },
    });
  }

  shutdown(executorId: string, agentId: string): Promise<void> {
    return this.call({
      type: scheduler.Call_Type.SHUTDOWN,
      shutdown: { executorId: { value: executorId }, agentId: { value: agentId } },
    });
  }

  /** Updates of one task, in arrival order. */
  updatesOf(taskId: string): TaskStatus[] {
    return this.updates.filter((status) => status.taskId?.value === taskId);
  }

  /** Resolves with the terminal update of a task. */
  async terminal(taskId: string, timeoutMs = 20_000): Promise<TaskStatus> {
    const terminal = (status: TaskStatus) => ![0, 1, 6, 8].includes(status.state);
    await this.waitFor(
      () => this.updatesOf(taskId).some(terminal),
      `a terminal update of ${taskId}`,
      timeoutMs,
    );
    return this.updatesOf(taskId).find(terminal)!;
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  async call(init: MessageInitShape<typeof scheduler.CallSchema>): Promise<void> {
    const call = create(scheduler.CallSchema, init);
    call.frameworkId = create(FrameworkIDSchema, { value: this.frameworkId });
    const { status, body } = await post(`${this.#masterUrl}/api/v1/scheduler`, codecs.call.encode(call), {
      "Content-Type": codecs.contentType,
      Accept: codecs.contentType,
      "Mesos-Stream-Id": this.#streamId,
    });
    if (status !== 202) throw new Error(`${scheduler.Call_Type[call.type]} answered ${status}: ${body}`);
  }

  /** Ends the framework (TEARDOWN), which also stops its executors. */
  async teardown(): Promise<void> {
    if (this.frameworkId !== "") await this.call({ type: scheduler.Call_Type.TEARDOWN }).catch(() => {});
    this.#request?.destroy();
  }

  #open(checkpoint: boolean): Promise<void> {
    const call = create(scheduler.CallSchema, {
      type: scheduler.Call_Type.SUBSCRIBE,
      subscribe: { frameworkInfo: { user: "test", name: "executor-e2e", checkpoint, failoverTimeout: 0 } },
    });
    return new Promise((resolve, reject) => {
      const request = http.request(`${this.#masterUrl}/api/v1/scheduler`, {
        method: "POST",
        headers: { "Content-Type": codecs.contentType, Accept: codecs.contentType },
      });
      this.#request = request;
      request.on("error", reject);
      request.on("response", (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`SUBSCRIBE answered ${response.statusCode}`));
          return;
        }
        this.#streamId = String(response.headers["mesos-stream-id"] ?? "");
        resolve();
        void this.#read(response);
      });
      request.end(codecs.call.encode(call));
    });
  }

  async #read(response: http.IncomingMessage): Promise<void> {
    try {
      for await (const record of readRecords(response)) this.#handle(codecs.event.decode(record));
    } catch {
      // The stream ends when the test tears the framework down.
    }
  }

  #handle(event: scheduler.Event): void {
    this.events.push(event);
    switch (event.type) {
      case scheduler.Event_Type.SUBSCRIBED:
        this.frameworkId = event.subscribed?.frameworkId?.value ?? "";
        break;
      case scheduler.Event_Type.OFFERS:
        this.#offers.push(...(event.offers?.offers ?? []));
        break;
      case scheduler.Event_Type.UPDATE: {
        const status = event.update?.status;
        if (status === undefined) break;
        this.updates.push(status);
        if (status.uuid.length > 0) {
          void this.call({
            type: scheduler.Call_Type.ACKNOWLEDGE,
            acknowledge: { agentId: status.agentId!, taskId: status.taskId!, uuid: status.uuid },
          }).catch(() => {});
        }
        break;
      }
      case scheduler.Event_Type.FAILURE:
        if (event.failure !== undefined) this.failures.push(event.failure);
        break;
      default:
        break;
    }
    for (const check of [...this.#waiters]) check();
  }
}

/** The ExecutorInfo of satyr-executor for this framework, as core builds it. */
export function satyrExecutorInfo(
  frameworkId: string,
  executorId: string,
  env: Record<string, string> = {},
): ExecutorInfo {
  return create(ExecutorInfoSchema, {
    type: ExecutorInfo_Type.CUSTOM,
    executorId: { value: executorId },
    frameworkId: { value: frameworkId },
    command: {
      ...executorCommand(),
      environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) },
    },
    resources: [
      { name: "cpus", type: 0, scalar: { value: 1 } },
      { name: "mem", type: 0, scalar: { value: 64 } },
    ],
  });
}

/** A function task for satyr-executor. */
export function clusterTask(
  taskId: string,
  offer: Offer,
  executor: ExecutorInfo,
  fn: FunctionRef | ((...args: never[]) => unknown) | Uint8Array,
  calls: unknown[][] = [[]],
): TaskInfo {
  const data =
    fn instanceof Uint8Array
      ? fn
      : encodeTaskPayload({
          fn: typeof fn === "function" ? { kind: "source", source: fn.toString(), name: fn.name } : fn,
          calls,
        });
  return create(TaskInfoSchema, {
    name: taskId,
    taskId: { value: taskId },
    agentId: offer.agentId!,
    executor,
    resources: [
      { name: "cpus", type: 0, scalar: { value: 0.1 } },
      { name: "mem", type: 0, scalar: { value: 32 } },
    ],
    data,
  });
}

function post(
  url: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    request.on("error", reject);
    request.end(body);
  });
}
