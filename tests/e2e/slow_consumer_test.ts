import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.ts";
import { startWithBigWorld } from "../helpers/big_world.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { startTestServer } from "../helpers/test_server.ts";

/** Opens a raw WebSocket by hand over TCP and then never reads another byte. */
async function stalledClient(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  await conn.write(new TextEncoder().encode(
    "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  const head = new Uint8Array(1024);
  await conn.read(head); // the 101; after this the client reads nothing
  return conn;
}

/** A masked client text frame (payload < 126 bytes), as RFC 6455 requires of clients. */
function clientTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const frame = new Uint8Array(6 + payload.length);
  frame.set([0x81, 0x80 | payload.length, ...mask]);
  payload.forEach((byte, i) => frame[6 + i] = byte ^ mask[i % 4]!);
  return frame;
}

/** A Socket.IO client over engine.io's websocket transport that joins "/" and then never reads. */
async function stalledSocketIoClient(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n" +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  await conn.read(new Uint8Array(1024)); // the 101 (and maybe engine.io's open packet)
  await conn.write(clientTextFrame("40")); // connect to the default namespace
  return conn;
}

const MAX_RSS_GROWTH = 256 * 1024 * 1024;

Deno.test("a client that stops reading is disconnected; the others keep their latency and memory stays bounded", async () => {
  const server = await startTestServer({
    MAX_BUFFERED_BYTES: "262144",
    RATE_LIMIT_PER_SEC: "100000",
    RATE_LIMIT_BURST: "100000",
    MAX_WORLDS_PER_ADDRESS: "1000", // world.create is only the traffic generator here
  });
  const writer = await GodotClient.connect(server.wsUrl);
  const watcher = await GodotClient.connect(server.wsUrl);
  const stalled = await stalledClient(server.app.port);
  try {
    const rssBefore = Deno.memoryUsage().rss;
    assert.equal((await watcher.roundTrip()).clients, 3);
    // Every world.create broadcasts a near-64 KiB world list to everyone, the stalled client included.
    const description = "d".repeat(500);
    let worstPingMs = 0;
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 25; i++) {
        writer.send({ type: "world.create", name: `w${round}_${i}`, description });
      }
      const sent = performance.now();
      await watcher.roundTrip();
      worstPingMs = Math.max(worstPingMs, performance.now() - sent);
      watcher.queue.drain("world.list_updated");
      writer.queue.drain("world.list_updated");
      writer.queue.drain("world.created");
    }
    assert.ok(server.logs.some((entry) => entry.msg === "closing slow consumer"));
    // Its close frame cannot get through a full buffer: the TCP connection is cut within a second.
    await eventually(async () => (await watcher.roundTrip()).clients === 2, {
      what: "the stalled client to be disconnected and forgotten",
    });
    const growth = Deno.memoryUsage().rss - rssBefore;
    assert.ok(growth < MAX_RSS_GROWTH, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB`);
    // Not a timing assertion: a generous bound that only a stalled event loop would break.
    assert.ok(worstPingMs < 5000, `a neighbour's ping took ${worstPingMs.toFixed(0)} ms`);
  } finally {
    stalled.close();
    await writer.close();
    await watcher.close();
    await server.close();
  }
});

Deno.test("a Socket.IO client that stops reading is disconnected too", async () => {
  const server = await startTestServer({
    MAX_BUFFERED_BYTES: "262144",
    RATE_LIMIT_PER_SEC: "100000",
    RATE_LIMIT_BURST: "100000",
    MAX_WORLDS_PER_ADDRESS: "1000", // world.create is only the traffic generator here
  });
  const writer = await GodotClient.connect(server.wsUrl);
  const stalled = await stalledSocketIoClient(server.app.port);
  try {
    await eventually(async () => (await writer.roundTrip()).clients === 2, {
      what: "the Socket.IO client to join",
    });
    const description = "d".repeat(500);
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 25; i++) {
        writer.send({ type: "world.create", name: `s${round}_${i}`, description });
      }
      await writer.roundTrip();
      writer.queue.drain("world.list_updated");
      writer.queue.drain("world.created");
    }
    await eventually(async () => (await writer.roundTrip()).clients === 1, {
      what: "the stalled Socket.IO client to be disconnected",
    });
    assert.ok(server.logs.some((entry) => entry.msg === "closing slow consumer"));
  } finally {
    stalled.close();
    await writer.close();
    await server.close();
  }
});

Deno.test("a joiner that stops reading its world sync is disconnected; the others are served meanwhile", async () => {
  const { server, worldId } = await startWithBigWorld(100_000);
  const watcher = await GodotClient.connect(server.wsUrl);
  const stalled = await stalledClient(server.app.port);
  try {
    await stalled.write(clientTextFrame(JSON.stringify({ type: "world.join", world_id: worldId })));
    // ~9 MB of sync cannot fit in the socket buffers: the sync waits for a reader that never reads.
    let pings = 0;
    await eventually(async () => {
      pings++;
      return (await watcher.roundTrip()).clients === 1;
    }, { timeoutMs: 20_000, what: "the stalled joiner to be closed (after 10 s without reading)" });
    assert.ok(pings > 10, "the watcher was served while the sync waited");
  } finally {
    stalled.close();
    await watcher.close();
    await server.close();
  }
});
