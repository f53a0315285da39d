import http from "node:http";
import { create } from "@bufbuild/protobuf";
import { executor as api, encodeRecord, executorCodecs, TaskInfoSchema } from "@satyr/proto";

const codecs = executorCodecs("protobuf");

/**
 * The agent side of the executor bench: serves /api/v1/executor on 127.0.0.1, feeds LAUNCH events to the one
 * subscribed executor keeping at most `window` tasks in flight (as an agent's cpus would bound them), answers
 * every UPDATE with 202 and an ACKNOWLEDGED event, and resolves a batch when all its tasks reported FINISHED.
 */
export class BenchAgent {
  #server;
  #stream;
  #subscribed;
  #batch;
  frameworkId = "bench-framework";
  executorId = "bench-executor";
  failures = 0;

  static async start({ executorCpus }) {
    const agent = new BenchAgent();
    agent.executorCpus = executorCpus;
    let resolveSubscribed;
    agent.#subscribed = new Promise((resolve) => {
      resolveSubscribed = resolve;
    });
    agent.#server = http.createServer((request, response) =>
      agent.#handle(request, response, resolveSubscribed),
    );
    agent.#server.keepAliveTimeout = 60_000;
    await new Promise((resolve) => agent.#server.listen(0, "127.0.0.1", resolve));
    return agent;
  }

  get endpoint() {
    return `127.0.0.1:${this.#server.address().port}`;
  }

  subscribed() {
    return this.#subscribed;
  }

  /** Runs `count` tasks carrying `data`, at most `window` at once; resolves when all FINISHED. */
  runBatch(count, window, data, prefix) {
    return new Promise((resolve) => {
      this.#batch = { count, window, data, prefix, launched: 0, finished: 0, resolve };
      for (let i = 0; i < window && i < count; i++) this.#launchNext();
    });
  }

  shutdown() {
    this.#send(create(api.EventSchema, { type: api.Event_Type.SHUTDOWN }));
  }

  async stop() {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #launchNext() {
    const batch = this.#batch;
    const taskId = `${batch.prefix}-${batch.launched++}`;
    const task = create(TaskInfoSchema, {
      name: taskId,
      taskId: { value: taskId },
      agentId: { value: "bench-agent" },
      resources: [{ name: "cpus", type: 0, scalar: { value: 0.1 } }],
      data: batch.data,
    });
    this.#send(create(api.EventSchema, { type: api.Event_Type.LAUNCH, launch: { task } }));
  }

  #send(event) {
    this.#stream.write(encodeRecord(codecs.event.encode(event)));
  }

  #handle(request, response, resolveSubscribed) {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const call = codecs.call.decode(new Uint8Array(Buffer.concat(chunks)));
      if (call.type === api.Call_Type.SUBSCRIBE) {
        response.writeHead(200, { "Content-Type": codecs.contentType });
        this.#stream = response;
        this.#send(
          create(api.EventSchema, {
            type: api.Event_Type.SUBSCRIBED,
            subscribed: {
              executorInfo: {
                executorId: { value: this.executorId },
                resources: [{ name: "cpus", type: 0, scalar: { value: this.executorCpus } }],
              },
              frameworkInfo: { user: "bench", name: "bench", id: { value: this.frameworkId } },
              agentInfo: { hostname: "127.0.0.1", id: { value: "bench-agent" } },
            },
          }),
        );
        resolveSubscribed();
        return;
      }
      response.writeHead(202).end();
      const status = call.update?.status;
      if (status === undefined) return;
      this.#send(
        create(api.EventSchema, {
          type: api.Event_Type.ACKNOWLEDGED,
          acknowledged: { taskId: status.taskId, uuid: status.uuid },
        }),
      );
      const batch = this.#batch;
      if (status.state === 1 || batch === undefined) return;
      if (status.state !== 2) this.failures++;
      batch.finished++;
      if (batch.launched < batch.count) this.#launchNext();
      if (batch.finished === batch.count) {
        this.#batch = undefined;
        batch.resolve();
      }
    });
  }
}
