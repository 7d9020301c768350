import assert from "node:assert/strict";
import { io } from "socket.io-client";
import WebSocket from "ws";
import { eventually } from "../helpers/eventually.ts";
import { startTestServer, type TestServer } from "../helpers/test_server.ts";

/** Opens a raw connection that claims to come from `forwardedFor`, waits for `connected`, closes. */
async function rawVisit(server: TestServer, forwardedFor: string): Promise<void> {
  const ws = new WebSocket(server.wsUrl, { headers: { "x-forwarded-for": forwardedFor } });
  await new Promise((resolve, reject) => {
    ws.once("message", resolve);
    ws.once("error", reject);
  });
  const closed = new Promise((resolve) => ws.once("close", resolve));
  ws.close();
  await closed;
}

async function socketIoVisit(server: TestServer, forwardedFor: string): Promise<void> {
  const socket = io(server.httpUrl, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    extraHeaders: { "x-forwarded-for": forwardedFor },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connected", () => resolve());
    socket.once("connect_error", reject);
  });
  socket.disconnect();
}

function openedFrom(server: TestServer): string[] {
  return server.logs.filter((entry) => entry.msg === "connection opened")
    .map((entry) => `${entry.transport} ${entry.address}`);
}

Deno.test("connection logs carry the peer address; X-Forwarded-For is ignored from untrusted peers", async () => {
  const server = await startTestServer();
  try {
    await rawVisit(server, "203.0.113.7");
    await socketIoVisit(server, "203.0.113.7");
    await eventually(() => openedFrom(server).length === 2);
    assert.deepEqual(openedFrom(server), ["websocket 127.0.0.1", "socket.io 127.0.0.1"]);
    const closed = () => server.logs.filter((entry) => entry.msg === "connection closed");
    await eventually(() => closed().length === 2);
    assert.deepEqual(closed().map((entry) => entry.address), ["127.0.0.1", "127.0.0.1"]);
  } finally {
    await server.close();
  }
});

Deno.test("behind a trusted proxy the client's address is the forwarded one, on both protocols", async () => {
  const server = await startTestServer({ TRUSTED_PROXIES: "127.0.0.0/8,::1" });
  try {
    // The client's own claim (6.6.6.6) is left of what the proxy saw (203.0.113.7): ignored.
    await rawVisit(server, "6.6.6.6, 203.0.113.7");
    await socketIoVisit(server, "198.51.100.2");
    await eventually(() => openedFrom(server).length === 2);
    assert.deepEqual(openedFrom(server), ["websocket 203.0.113.7", "socket.io 198.51.100.2"]);
  } finally {
    await server.close();
  }
});
