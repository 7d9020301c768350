import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import { parsePrometheus, valueOf } from "../helpers/prometheus.ts";
import { EngineIo, RawPeer } from "../helpers/raw_peer.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { build } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

async function scrape(httpUrl: string) {
  const response = await fetch(`${httpUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

Deno.test("/metrics is strict Prometheus text and its counters move", async () => {
  const server = await startTestServer();
  const raw = await GodotClient.connect(server.wsUrl);
  const sio = await SioClient.connect(server.httpUrl);
  try {
    const before = await scrape(server.httpUrl);
    assert.equal(valueOf(before, "ugc_connections", { transport: "websocket" }), 1);
    assert.equal(valueOf(before, "ugc_connections", { transport: "socket.io" }), 1);
    assert.equal(valueOf(before, "ugc_worlds"), 0);

    await raw.request({ type: "world.create", name: "M" }, "world.created");
    // The list update is coalesced: it follows the create shortly, to both connections.
    await raw.next("world.list_updated");
    await sio.next("world.list_updated");
    raw.sendRaw("not json");
    await raw.next("error");
    await sio.request("world.join", { world_id: "world_00000000" }, "error");
    await build(raw, "metered");

    const after = await scrape(server.httpUrl);
    assert.equal(valueOf(after, "ugc_worlds"), 1);
    assert.equal(valueOf(after, "ugc_messages_received_total", { type: "world.create" }), 1);
    assert.equal(valueOf(after, "ugc_messages_received_total", { type: "invalid" }), 1);
    assert.equal(valueOf(after, "ugc_messages_rejected_total", { code: "invalid_json" }), 1);
    assert.equal(valueOf(after, "ugc_messages_rejected_total", { code: "world_not_found" }), 1);
    assert.equal(valueOf(after, "ugc_messages_sent_total", { type: "world.list_updated" }), 2);
    assert.equal(valueOf(after, "ugc_builds_total", { outcome: "completed" }), 1);
    assert.equal(valueOf(after, "ugc_build_duration_seconds_count"), 1);
    assert.equal(valueOf(after, "ugc_build_queue_depth"), 0);
    assert.ok(valueOf(after, "ugc_bytes_sent_total") > valueOf(before, "ugc_bytes_sent_total"));
    assert.ok(valueOf(after, "ugc_raw_bytes_received_total") > 0);
  } finally {
    await raw.close();
    await sio.close();
    await server.close();
  }
});

Deno.test("the connection cap refuses raw upgrades with 503 and Socket.IO with a connect error", async () => {
  const server = await startTestServer({ MAX_CONNECTIONS: "2" });
  const first = await GodotClient.connect(server.wsUrl);
  const second = await SioClient.connect(server.httpUrl);
  try {
    await assert.rejects(GodotClient.connect(server.wsUrl));
    const raw = await RawPeer.open(server.app.port);
    assert.deepEqual([raw.status, raw.body], [503, "Server is full"]);
    await assert.rejects(SioClient.connect(server.httpUrl));
    // The engine.io handshake itself is refused, with the reason (no session is ever made).
    const handshake = await EngineIo.handshake(server.httpUrl);
    assert.deepEqual([handshake.status, JSON.parse(handshake.body).message], [
      403,
      "Server is full",
    ]);
    await first.roundTrip();
    await second.roundTrip();
    await first.close();
    // A freed slot is usable again.
    const third = await GodotClient.connect(server.wsUrl);
    await third.close();
  } finally {
    await second.close();
    await server.close();
  }
});
