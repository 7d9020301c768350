import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.ts";
import { startWithBigWorld } from "../helpers/big_world.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture } from "../helpers/spells.ts";
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

/** Limits for the flood: casts of ~30 KB (the largest cast_params allowed), no rate limit. */
const FLOOD_ENV = {
  MAX_BUFFERED_BYTES: "262144",
  RATE_LIMIT_PER_SEC: "100000",
  RATE_LIMIT_BURST: "100000",
  CASTS_PER_SEC: "100000",
  CAST_BURST: "100000",
  MAX_CAST_PARAMS_BYTES: "32768",
};

/**
 * A world with a published spell whose casts the writer can flood: each cast_event carries ~30 KB
 * of cast_params to every member. Returns the world id; the writer is a member.
 */
async function castableWorld(writer: GodotClient): Promise<string> {
  const { last } = await build(writer, "demo_spark", { code: fixture("demo_spark.gd") });
  writer.send({
    type: "spell.publish",
    spell_id: "demo_spark",
    revision_id: last.revision_id,
    channel: "beta",
  });
  await writer.next("spell.revision_ready");
  const world = (await writer.request({ type: "world.create", name: "Flood" }, "world.created"))
    .world as { world_id: string };
  await writer.request({ type: "world.join", world_id: world.world_id }, "world.joined");
  return world.world_id;
}

const bigCast = {
  type: "spell.cast_request",
  spell_id: "demo_spark",
  cast_params: { pad: "p".repeat(30_000) },
};

Deno.test("a client that stops reading is disconnected; the others keep their latency and memory stays bounded", async () => {
  const server = await startTestServer(FLOOD_ENV);
  const writer = await GodotClient.connect(server.wsUrl);
  const watcher = await GodotClient.connect(server.wsUrl);
  const stalled = await stalledClient(server.app.port);
  try {
    const worldId = await castableWorld(writer);
    await watcher.request({ type: "world.join", world_id: worldId }, "world.joined");
    await stalled.write(clientTextFrame(JSON.stringify({ type: "world.join", world_id: worldId })));
    const rssBefore = Deno.memoryUsage().rss;
    assert.equal((await watcher.roundTrip()).clients, 3);
    // Every cast sends ~30 KB to every member, the stalled client included.
    let worstPingMs = 0;
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 25; i++) writer.send(bigCast);
      const sent = performance.now();
      await watcher.roundTrip();
      worstPingMs = Math.max(worstPingMs, performance.now() - sent);
      watcher.queue.drain("spell.cast_event");
      writer.queue.drain("spell.cast_event");
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
  const server = await startTestServer(FLOOD_ENV);
  const writer = await GodotClient.connect(server.wsUrl);
  const stalled = await stalledSocketIoClient(server.app.port);
  try {
    const worldId = await castableWorld(writer);
    await eventually(async () => (await writer.roundTrip()).clients === 2, {
      what: "the Socket.IO client to connect",
    });
    await stalled.write(
      clientTextFrame(`42${JSON.stringify(["world.join", { world_id: worldId }])}`),
    );
    await eventually(async () => {
      const info = await writer.request({ type: "world.get", world_id: worldId }, "world.info");
      return (info.world as { player_count: number }).player_count === 2;
    }, { what: "the Socket.IO client to join the world" });
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 25; i++) writer.send(bigCast);
      await writer.roundTrip();
      writer.queue.drain("spell.cast_event");
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
  // READER_STALL_MS 1 s instead of the 10 s default (which src/core/dispatcher_test.ts checks on
  // a fake clock): the real sockets prove the wiring without a 10 s wait.
  const { server, worldId } = await startWithBigWorld(100_000, { READER_STALL_MS: "1000" });
  const watcher = await GodotClient.connect(server.wsUrl);
  const stalled = await stalledClient(server.app.port);
  try {
    await stalled.write(clientTextFrame(JSON.stringify({ type: "world.join", world_id: worldId })));
    // ~9 MB of sync cannot fit in the socket buffers: the sync waits for a reader that never reads.
    let pings = 0;
    await eventually(async () => {
      pings++;
      return (await watcher.roundTrip()).clients === 1;
    }, {
      timeoutMs: 20_000,
      what: "the stalled joiner to be closed (after READER_STALL_MS without reading)",
    });
    assert.ok(pings > 10, "the watcher was served while the sync waited");
  } finally {
    stalled.close();
    await watcher.close();
    await server.close();
  }
});
