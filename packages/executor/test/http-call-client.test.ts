import { once } from "node:events";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { HttpCallClient } from "../src/http-call-client.js";

/** A raw TCP server answering each request (once its head and body arrived) with `answer(requestHead)`. */
async function rawServer(answer: (head: string, socket: net.Socket) => string[] | undefined) {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = "";
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffer.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        requests.push(buffer.slice(0, end + 4 + length));
        buffer = buffer.slice(end + 4 + length);
        const pieces = answer(head, socket);
        // Each piece is written separately, so answers arrive split at awkward places.
        for (const [i, piece] of (pieces ?? []).entries()) setTimeout(() => socket.write(piece), i * 5);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const client = new HttpCallClient({
    host: "127.0.0.1",
    port,
    hostHeader: `127.0.0.1:${port}`,
    timeoutMs: 500,
  });
  return {
    client,
    requests,
    async close() {
      client.close();
      server.close();
    },
  };
}

describe("HttpCallClient", () => {
  test("sends a POST with Host, headers and Content-Length, and reads a Content-Length answer split anywhere", async () => {
    const server = await rawServer(() => [
      "HTTP/1.1 400 Bad Req",
      "uest\r\nContent-Length: 16\r\n\r\nNot a",
      " valid UUID",
    ]);
    try {
      const answer = await server.client.post(
        "/api/v1/executor",
        { "Content-Type": "application/x-protobuf" },
        Buffer.from("abc"),
      );
      expect(answer).toEqual({ status: 400, body: "Not a valid UUID" });
      expect(server.requests[0]).toMatch(
        /^POST \/api\/v1\/executor HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/,
      );
      expect(server.requests[0]).toContain(
        "Content-Type: application/x-protobuf\r\nContent-Length: 3\r\n\r\nabc",
      );
    } finally {
      await server.close();
    }
  });

  test("reads chunked answers and reuses the connection", async () => {
    const server = await rawServer(() => [
      "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n",
      "5\r\nhel",
      "lo\r\n6\r\n world\r\n0\r\n\r\n",
    ]);
    try {
      const first = await server.client.post("/x", {}, new Uint8Array());
      const second = await server.client.post("/x", {}, new Uint8Array());
      expect(first).toEqual({ status: 202, body: "hello world" });
      expect(second).toEqual({ status: 202, body: "hello world" });
    } finally {
      await server.close();
    }
  });

  test("Connection: close makes the next call open a new connection", async () => {
    let connections = 0;
    const server = await rawServer((_head, socket) => {
      if (!(socket as net.Socket & { counted?: boolean }).counted) {
        (socket as net.Socket & { counted?: boolean }).counted = true;
        connections++;
      }
      return ["HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"];
    });
    try {
      await server.client.post("/x", {}, new Uint8Array());
      await server.client.post("/x", {}, new Uint8Array());
      expect(connections).toBe(2);
    } finally {
      await server.close();
    }
  });

  test("a silent server times out; garbage and a closed connection reject", async () => {
    const silent = await rawServer(() => undefined);
    try {
      await expect(silent.client.post("/x", {}, new Uint8Array())).rejects.toThrow("no answer within 500 ms");
    } finally {
      await silent.close();
    }
    const garbage = await rawServer(() => ["SMTP ready\r\n\r\n"]);
    try {
      await expect(garbage.client.post("/x", {}, new Uint8Array())).rejects.toThrow(
        "the agent's answer is not HTTP",
      );
    } finally {
      await garbage.close();
    }
    const closing = await rawServer((_head, socket) => {
      socket.destroy();
      return undefined;
    });
    try {
      await expect(closing.client.post("/x", {}, new Uint8Array())).rejects.toThrow(
        "the agent closed the connection",
      );
    } finally {
      await closing.close();
    }
  });

  test("many concurrent calls against node:http share a few connections and all get their answers", async () => {
    const sockets = new Set<net.Socket>();
    const server = http.createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(202);
        response.end(request.url);
      });
    });
    server.on("connection", (socket) => sockets.add(socket));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    const client = new HttpCallClient({
      host: "127.0.0.1",
      port,
      hostHeader: `127.0.0.1:${port}`,
      maxConnections: 3,
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.post(`/call-${i}`, {}, new Uint8Array([i]))),
      );
      expect(answers.map((answer) => answer.body)).toEqual(
        Array.from({ length: 50 }, (_, i) => `/call-${i}`),
      );
      expect(answers.every((answer) => answer.status === 202)).toBe(true);
      expect(sockets.size).toBeLessThanOrEqual(3);
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
