import { once } from "node:events";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { executor as api } from "@satyr/proto";
import {
  AgentConnection,
  type AgentConnectionOptions,
  isAgentCallError,
  isAgentConnectionError,
} from "../src/index.js";

const message = create(api.CallSchema, {
  type: api.Call_Type.MESSAGE,
  frameworkId: { value: "framework-1" },
  executorId: { value: "executor-1" },
  message: { data: new Uint8Array([1, 2, 3]) },
});

/** What a call settled with: "ok", or the error it was rejected with. */
async function outcome(promise: Promise<void>): Promise<unknown> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return error;
  }
}

/**
 * A raw TCP server answering each complete request with the pieces `answer` returns, written a few ms apart so
 * answers arrive split at awkward places. Counts connections and keeps every request as received.
 */
async function rawServer(
  answer: (socket: net.Socket) => string[] | undefined,
  options: Partial<AgentConnectionOptions> = {},
) {
  const requests: string[] = [];
  let connections = 0;
  let chunks = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = "";
    socket.on("data", (chunk: Buffer) => {
      chunks++;
      buffer += chunk.toString("latin1");
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        requests.push(buffer.slice(0, end + 4 + length));
        buffer = buffer.slice(end + 4 + length);
        for (const [i, piece] of (answer(socket) ?? []).entries()) {
          setTimeout(() => socket.writable && socket.write(piece), i * 5);
        }
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const connection = new AgentConnection({
    endpoint: `127.0.0.1:${port}`,
    codec: "protobuf",
    callTimeoutMs: 2_000,
    ...options,
  });
  return {
    connection,
    requests,
    port,
    get connections() {
      return connections;
    },
    /** Reads the server made: several requests written at once arrive in one. */
    get chunks() {
      return chunks;
    },
    async close() {
      await connection.close();
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe("AgentConnection.call", () => {
  test("POSTs the encoded call with Host, content types, token and Content-Length; a split 400 is an AgentCallError", async () => {
    const server = await rawServer(
      () => ["HTTP/1.1 400 Bad Req", "uest\r\nContent-Length: 16\r\n\r\nNot a", " valid UUID"],
      {
        authenticationToken: "secret-token",
      },
    );
    try {
      const error = await outcome(server.connection.call(message, "MESSAGE"));
      expect(isAgentCallError(error)).toBe(true);
      if (!isAgentCallError(error)) return;
      expect(error.status).toBe(400);
      expect(error.body).toBe("Not a valid UUID");
      expect(error.message).toBe("the agent answered MESSAGE with HTTP 400: Not a valid UUID");

      const request = server.requests[0] ?? "";
      const encoded = server.connection.codecs.call.encode(message);
      expect(request).toMatch(/^POST \/api\/v1\/executor HTTP\/1\.1\r\n/);
      const head = request.slice(0, request.indexOf("\r\n\r\n")).split("\r\n");
      // Header names are case-insensitive; compare them lowercased.
      const headers = Object.fromEntries(
        head
          .slice(1)
          .map((line) => [
            line.slice(0, line.indexOf(":")).toLowerCase(),
            line.slice(line.indexOf(":") + 1).trim(),
          ]),
      );
      expect(headers).toMatchObject({
        host: `127.0.0.1:${server.port}`,
        "content-type": "application/x-protobuf",
        accept: "application/x-protobuf",
        authorization: "Bearer secret-token",
        "content-length": String(encoded.byteLength),
      });
      expect(request.endsWith(`\r\n\r\n${Buffer.from(encoded).toString("latin1")}`)).toBe(true);
    } finally {
      await server.close();
    }
  });

  test("202 (chunked) and 200 are accepted, and sequential calls reuse keep-alive connections", async () => {
    let served = 0;
    const server = await rawServer(() =>
      served++ % 2 === 0
        ? ["HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nhel", "lo\r\n0\r\n\r\n"]
        : ["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"],
    );
    try {
      for (let i = 0; i < 6; i++)
        expect(await outcome(server.connection.call(message, "MESSAGE"))).toBe("ok");
      expect(server.requests).toHaveLength(6);
      expect(server.connections).toBe(1);
    } finally {
      await server.close();
    }
  });

  test("after Connection: close the next call opens a new connection", async () => {
    const server = await rawServer(() => [
      "HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    ]);
    try {
      expect(await outcome(server.connection.call(message, "UPDATE"))).toBe("ok");
      // The server side ends the connection only after its answer; give the client a moment to see it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await outcome(server.connection.call(message, "UPDATE"))).toBe("ok");
      expect(server.connections).toBe(2);
    } finally {
      await server.close();
    }
  });

  test("a silent agent, garbage, a dropped connection and an unreachable agent are AgentConnectionErrors", async () => {
    const silent = await rawServer(() => undefined, { callTimeoutMs: 300 });
    try {
      const error = await outcome(silent.connection.call(message, "UPDATE"));
      expect(isAgentConnectionError(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /^UPDATE to the agent at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/executor failed: no answer within 300 ms$/,
      );
    } finally {
      await silent.close();
    }

    const garbage = await rawServer(() => ["SMTP ready\r\n\r\n"]);
    try {
      const error = await outcome(garbage.connection.call(message, "UPDATE"));
      expect(isAgentConnectionError(error)).toBe(true);
      // The HTTP parser's complaint is passed on.
      expect((error as Error).message).toContain("does not match the HTTP/1.1 protocol");
    } finally {
      await garbage.close();
    }

    const dropping = await rawServer((socket) => {
      socket.destroy();
      return undefined;
    });
    try {
      const error = await outcome(dropping.connection.call(message, "MESSAGE"));
      expect(isAgentConnectionError(error)).toBe(true);
      expect((error as Error).message).toContain("MESSAGE to the agent");
    } finally {
      await dropping.close();
    }

    const { port } = dropping;
    const unreachable = new AgentConnection({ endpoint: `127.0.0.1:${port}`, codec: "json" });
    try {
      const error = await outcome(unreachable.call(message, "UPDATE"));
      expect(isAgentConnectionError(error)).toBe(true);
      expect((error as Error).message).toContain("ECONNREFUSED");
    } finally {
      await unreachable.close();
    }
  });

  test("close() fails a call in flight", async () => {
    const server = await rawServer(() => undefined);
    try {
      const pending = outcome(server.connection.call(message, "UPDATE"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await server.connection.close();
      expect(isAgentConnectionError(await pending)).toBe(true);
    } finally {
      await server.close();
    }
  });

  test("many concurrent calls are pipelined over one connection and each gets its own answer", async () => {
    const sockets = new Set<net.Socket>();
    let count = 0;
    const server = http.createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        // Every fifth call is refused, so answers cannot be mixed up between concurrent calls unnoticed.
        const refuse = count++ % 5 === 4;
        response.writeHead(refuse ? 503 : 202);
        response.end(refuse ? "Agent has not finished recovery" : "");
      });
    });
    server.on("connection", (socket) => sockets.add(socket));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const connection = new AgentConnection({ endpoint: `127.0.0.1:${port}`, codec: "protobuf" });
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => outcome(connection.call(message, "UPDATE"))),
      );
      expect(results.filter((result) => result === "ok")).toHaveLength(40);
      const refused = results.filter(isAgentCallError);
      expect(refused).toHaveLength(10);
      expect(
        refused.every((error) => error.status === 503 && error.body === "Agent has not finished recovery"),
      ).toBe(true);
      expect(sockets.size).toBe(1);
    } finally {
      await connection.close();
      server.closeAllConnections();
      server.close();
    }
  });

  test("the calls of one turn go out in one write and their answers, read together, are matched in order", async () => {
    let served = 0;
    const server = await rawServer(() => {
      const status = served++ % 2 === 0 ? "202 Accepted" : "409 Conflict";
      const body = status.startsWith("409") ? `no ${served}` : "";
      // One piece per answer: pipelined answers arrive back to back, several in one read.
      return [`HTTP/1.1 ${status}\r\nContent-Length: ${body.length}\r\n\r\n${body}`];
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => outcome(server.connection.call(message, "UPDATE"))),
      );
      expect(results[0]).toBe("ok");
      expect(results.map((result) => (isAgentCallError(result) ? result.body : result))).toEqual([
        "ok",
        "no 2",
        "ok",
        "no 4",
        "ok",
        "no 6",
      ]);
      expect(server.requests).toHaveLength(6);
      expect(server.chunks).toBe(1);
      expect(server.connections).toBe(1);
    } finally {
      await server.close();
    }
  });

  test("requests written behind an answer with Connection: close are sent again on a new connection", async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      let buffer = "";
      let answered = false;
      socket.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("latin1");
        const count = buffer.split("POST ").length - 1;
        // The first request of each connection is answered, and the connection closed: the rest are never read.
        if (!answered && count > 0) {
          answered = true;
          socket.end("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        }
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const connection = new AgentConnection({ endpoint: `127.0.0.1:${port}`, codec: "protobuf" });
    try {
      const results = await Promise.all(
        Array.from({ length: 3 }, () => outcome(connection.call(message, "UPDATE"))),
      );
      expect(results).toEqual(["ok", "ok", "ok"]);
      // Three connections: each answered one request of those still waiting.
      expect(connections).toBe(3);
    } finally {
      await connection.close();
      server.close();
    }
  });

  test("an answer without a length ends with the connection; a chunked one may carry trailers", async () => {
    const untilClose = await rawServer((socket) => {
      socket.end("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nthe call is malformed");
      return undefined;
    });
    try {
      const error = await outcome(untilClose.connection.call(message, "UPDATE"));
      expect(isAgentCallError(error) && error.body).toBe("the call is malformed");
    } finally {
      await untilClose.close();
    }
    const trailers = await rawServer(() => [
      "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n",
      "4;ext=1\r\nbusy\r\n0\r\nX-Trailer: yes\r\n\r\n",
    ]);
    try {
      const error = await outcome(trailers.connection.call(message, "UPDATE"));
      expect(isAgentCallError(error) && error.status).toBe(503);
      expect(isAgentCallError(error) && error.body).toBe("busy");
      // The trailers were read to their end: the connection serves the next call.
      const again = await outcome(trailers.connection.call(message, "UPDATE"));
      expect(isAgentCallError(again) && again.body).toBe("busy");
      expect(trailers.connections).toBe(1);
    } finally {
      await trailers.close();
    }
  });
});
