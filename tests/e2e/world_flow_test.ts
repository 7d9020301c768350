import assert from "node:assert/strict";
import { startWithBigWorld } from "../helpers/big_world.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { eventually, liveClients } from "../helpers/eventually.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { loggedErrors, startTestServer } from "../helpers/test_server.ts";

const KEY_1 = { type: "create_land", center: { x: 1.5, y: 2, z: -3 }, radius: 8.0, material_id: 1 };
const KEY_2 = { type: "dig", center: { x: 4, y: 5, z: 6 }, radius: 6.0 };

Deno.test("the Godot client's world flow: list, create, auto-join, ops, a second client syncs", async () => {
  const server = await startTestServer();
  const alice = await GodotClient.connect(server.wsUrl);
  const bob = await GodotClient.connect(server.wsUrl);
  try {
    assert.match(alice.clientId, /^c_[0-9a-f]{24}$/);
    assert.notEqual(alice.clientId, bob.clientId);

    const empty = await alice.request({ type: "world.list" }, "world.list_result");
    assert.deepEqual(empty.worlds, []);

    alice.send({ type: "world.create", name: "  My World  ", description: "" });
    const created = await alice.next("world.created");
    const world = created.world as Record<string, unknown>;
    assert.equal(world.name, "My World");
    assert.match(world.world_id as string, /^world_[0-9a-f]{8}$/);
    assert.equal(world.created_by, alice.clientId);
    assert.equal(world.player_count, 0);
    // Everyone, the creator included, hears about the new world.
    for (const client of [alice, bob]) {
      const updated = await client.next("world.list_updated");
      assert.deepEqual(
        (updated.worlds as unknown[]).map((w) => (w as { world_id: string }).world_id),
        [world.world_id],
      );
    }

    // The dialog joins by itself on world.created.
    const joined = await alice.request(
      { type: "world.join", world_id: world.world_id },
      "world.joined",
    );
    assert.equal(joined.world_id, world.world_id);
    assert.equal((joined.world as { player_count: number }).player_count, 1);
    assert.equal((await alice.next("sync_complete")).message, "World is empty");

    alice.send({ type: "request_spell", spell: KEY_1 });
    const add = await alice.next("apply_op");
    assert.deepEqual(add.op, {
      op: "add_sphere",
      center: { x: 1.5, y: 2, z: -3 },
      radius: 8,
      material_id: 1,
    });
    alice.send({ type: "request_spell", spell: KEY_2 });
    const sub = await alice.next("apply_op");
    assert.deepEqual(sub.op, { op: "subtract_sphere", center: { x: 4, y: 5, z: 6 }, radius: 6 });

    const listed = await bob.request({ type: "world.list" }, "world.list_result");
    assert.equal((listed.worlds as { player_count: number }[])[0]!.player_count, 1);
    const bobJoined = await bob.request(
      { type: "world.join", world_id: world.world_id },
      "world.joined",
    );
    assert.equal((bobJoined.world as { player_count: number }).player_count, 2);
    const sync = await bob.next("sync_ops");
    assert.deepEqual(sync.ops, [add.op, sub.op]);
    assert.equal(bob.queue.has("sync_complete"), false);

    // Ops now reach both members, the sender included. (Bob's op is not alice's first one again:
    // the same op from another member within OP_DEDUPE_MS would be taken as a copy.)
    bob.send({ type: "request_spell", spell: { ...KEY_1, center: { x: 9, y: 9, z: 9 } } });
    await alice.next("apply_op");
    await bob.next("apply_op");

    const pong = await alice.roundTrip();
    assert.deepEqual({ ...pong, type: undefined }, {
      type: undefined,
      clients: 2,
      world_id: world.world_id,
      ops: 3,
    });
    assert.deepEqual(loggedErrors(server), []);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

Deno.test("a world of 5,000 ops syncs in several frames under 64 KiB, in order", async () => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "1000000",
    RATE_LIMIT_BURST: "1000000",
  });
  const writer = await GodotClient.connect(server.wsUrl);
  const reader = await GodotClient.connect(server.wsUrl);
  try {
    const world = (await writer.request({ type: "world.create", name: "Big" }, "world.created"))
      .world as {
        world_id: string;
      };
    await writer.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    const total = 5000;
    for (let i = 0; i < total; i++) {
      const spell = i % 3 === 0
        ? { type: "dig", center: { x: i, y: -i / 7, z: 0.123456789 }, radius: 1 + (i % 60) }
        : {
          type: "create_land",
          center: { x: i, y: i / 3, z: -1e5 },
          radius: 0.5 + (i % 63),
          material_id: i % 256,
        };
      writer.send({ type: "request_spell", spell });
    }
    assert.equal((await writer.roundTrip()).ops, total);

    reader.send({ type: "world.join", world_id: world.world_id });
    await reader.next("world.joined");
    const first = await reader.next("sync_ops");
    const chunkCount = first.chunk_count as number;
    assert.ok(chunkCount > 1, `expected several chunks, got ${chunkCount}`);
    const ops = [...(first.ops as { center: { x: number } }[])];
    for (let index = 1; index < chunkCount; index++) {
      const chunk = await reader.next("sync_ops");
      assert.equal(chunk.chunk_index, index);
      ops.push(...(chunk.ops as { center: { x: number } }[]));
    }
    assert.equal(ops.length, total);
    ops.forEach((op, i) => assert.equal(op.center.x, i));
    reader.assertClean(); // every chunk was ≤ 65,535 bytes
  } finally {
    await writer.close();
    await reader.close();
    await server.close();
  }
});

Deno.test("a Socket.IO client and a raw client share a world: ops, counts and ordering", async () => {
  const server = await startTestServer();
  const godot = await GodotClient.connect(server.wsUrl);
  const web = await SioClient.connect(server.httpUrl);
  try {
    const world = (await web.request("world.create", { name: "Mixed" }, "world.created")).world as {
      world_id: string;
    };
    await godot.next("world.list_updated");
    // Join and an op back to back: the op must be handled after the join (contract §4.3).
    web.emit("world.join", { world_id: world.world_id });
    web.emit("request_spell", { spell: KEY_1 });
    assert.equal(
      ((await web.next("world.joined")).world as { player_count: number }).player_count,
      1,
    );
    await web.next("apply_op");

    godot.send({ type: "world.join", world_id: world.world_id });
    godot.send({ type: "request_spell", spell: KEY_2 });
    assert.equal(
      ((await godot.next("world.joined")).world as { player_count: number }).player_count,
      2,
    );
    assert.equal(((await godot.next("sync_ops")).ops as unknown[]).length, 1);
    const fromGodot = await web.next("apply_op");
    assert.equal((fromGodot.op as { op: string }).op, "subtract_sphere");
    assert.equal(((await godot.next("apply_op")).op as { op: string }).op, "subtract_sphere");

    web.emit("request_spell", { spell: KEY_1 });
    assert.equal(((await godot.next("apply_op")).op as { op: string }).op, "add_sphere");

    const listed = await godot.request({ type: "world.list" }, "world.list_result");
    assert.equal((listed.worlds as { player_count: number }[])[0]!.player_count, 2);
    const http = await (await fetch(`${server.httpUrl}/api/worlds`)).json();
    assert.equal(http.worlds[0].player_count, 2);
    assert.equal((await web.roundTrip()).ops, 3);

    await web.close();
    await eventually(async () => (await liveClients(server.httpUrl)) === 1, {
      what: "the server to see the disconnect",
    });
    const after = await godot.request(
      { type: "world.get", world_id: world.world_id },
      "world.info",
    );
    assert.equal((after.world as { player_count: number }).player_count, 1);
  } finally {
    await godot.close();
    await web.close();
    await server.close();
  }
});

Deno.test("Socket.IO over long-polling and with acknowledgements gets the same replies", async () => {
  const server = await startTestServer();
  const polling = await SioClient.connect(server.httpUrl, ["polling"]);
  const upgrading = await SioClient.connect(server.httpUrl, ["polling", "websocket"]);
  try {
    const created = await polling.emitWithAck("world.create", { name: "Acked" });
    assert.equal((created.world as { name: string }).name, "Acked");
    const bad = await polling.emitWithAck("world.create", { name: "" });
    assert.deepEqual(bad, { message: "World name is required", code: "invalid_payload" });
    const list = await upgrading.emitWithAck("world.list", {});
    assert.equal((list.worlds as unknown[]).length, 1);
    // No payload at all is fine for events whose fields are optional.
    upgrading.emit("ping");
    assert.equal((await upgrading.next("pong")).world_id, "");
  } finally {
    await polling.close();
    await upgrading.close();
    await server.close();
  }
});

Deno.test("leave, get and clear_world: only the world's creator may clear it", async () => {
  const server = await startTestServer();
  const owner = await GodotClient.connect(server.wsUrl);
  const guest = await GodotClient.connect(server.wsUrl);
  try {
    const left = await owner.request({ type: "world.leave" }, "world.left");
    assert.equal(left.left_world_id, ""); // never null: Godot types it as String
    const world = (await owner.request({ type: "world.create", name: "Mine" }, "world.created"))
      .world as {
        world_id: string;
      };
    for (const client of [owner, guest]) {
      client.send({ type: "world.join", world_id: world.world_id });
      await client.next("world.joined");
    }
    owner.send({ type: "request_spell", spell: KEY_1 });
    await guest.next("apply_op");

    const denied = await guest.request({ type: "clear_world" }, "error");
    assert.equal(denied.code, "forbidden");
    assert.equal((await guest.roundTrip()).ops, 1);

    owner.send({ type: "clear_world" });
    assert.equal((await guest.next("world_cleared")).world_id, world.world_id);
    assert.equal((await owner.next("world_cleared")).world_id, world.world_id);
    assert.equal((await owner.roundTrip()).ops, 0);

    const guestLeft = await guest.request({ type: "world.leave" }, "world.left");
    assert.equal(guestLeft.left_world_id, world.world_id);
    const info = await guest.request({ type: "world.get", world_id: world.world_id }, "world.info");
    assert.equal((info.world as { player_count: number }).player_count, 1);
    const notIn = await guest.request({ type: "clear_world" }, "error");
    assert.deepEqual([notIn.message, notIn.code], ["Must join a world first", "not_in_world"]);
  } finally {
    await owner.close();
    await guest.close();
    await server.close();
  }
});

Deno.test("worlds and ops survive a restart; player counts restart at 0", async () => {
  let server = await startTestServer();
  let client = await GodotClient.connect(server.wsUrl);
  const world = (await client.request(
    { type: "world.create", name: "Persistent", description: "kept" },
    "world.created",
  ))
    .world as { world_id: string };
  await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
  client.send({ type: "request_spell", spell: KEY_1 });
  client.send({ type: "request_spell", spell: KEY_2 });
  await client.next("apply_op");
  await client.next("apply_op");
  await client.close();

  server = await server.restart();
  client = await GodotClient.connect(server.wsUrl);
  try {
    const listed = await client.request({ type: "world.list" }, "world.list_result");
    const worlds = listed.worlds as {
      world_id: string;
      player_count: number;
      description: string;
    }[];
    assert.equal(worlds.length, 1);
    assert.equal(worlds[0]!.world_id, world.world_id);
    assert.equal(worlds[0]!.description, "kept");
    assert.equal(worlds[0]!.player_count, 0);
    await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    const sync = await client.next("sync_ops");
    assert.deepEqual((sync.ops as { op: string }[]).map((op) => op.op), [
      "add_sphere",
      "subtract_sphere",
    ]);
    const integrity = server.app.db!.prepare("PRAGMA integrity_check").get() as {
      integrity_check: string;
    };
    assert.equal(integrity.integrity_check, "ok");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("world lists stay under one Godot frame however many worlds exist", async () => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "100000",
    RATE_LIMIT_BURST: "100000",
    WORLD_CREATES_PER_MINUTE: "100000",
  });
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const description = "\u0001é".repeat(250); // escapes and multi-byte characters: ~1.7 KB of JSON each
    for (let i = 0; i < 60; i++) {
      client.send({ type: "world.create", name: `World ${i}`, description });
    }
    await client.roundTrip();
    const listed = await client.request({ type: "world.list" }, "world.list_result");
    const worlds = listed.worlds as { name: string }[];
    assert.ok(worlds.length > 10 && worlds.length < 60, `got ${worlds.length} worlds`);
    assert.equal(worlds[0]!.name, "World 59"); // newest first
    const http = await (await fetch(`${server.httpUrl}/api/worlds`)).json();
    assert.equal(http.worlds.length, 60);
  } finally {
    await client.close(); // fails if any list_updated broadcast was over 65,535 bytes
    await server.close();
  }
});

Deno.test("one broadcast, framed once, reaches raw, websocket, polling and upgraded Socket.IO clients alike", async () => {
  const server = await startTestServer();
  const raw = await GodotClient.connect(server.wsUrl);
  const sioClients = [
    await SioClient.connect(server.httpUrl, ["websocket"]),
    await SioClient.connect(server.httpUrl, ["polling"]),
    await SioClient.connect(server.httpUrl, ["polling", "websocket"]),
  ];
  try {
    // Multi-byte text and sizes either side of the 126-byte and 16-bit WebSocket length forms.
    const created = await raw.request(
      { type: "world.create", name: "Zauberwürfel ✨ 🐉", description: "ß".repeat(100) },
      "world.created",
    );
    const world = created.world as { world_id: string };
    const announced = [raw, ...sioClients].map((client) => client.next("world.list_updated"));
    for (const update of await Promise.all(announced)) {
      assert.deepEqual(update.worlds, [created.world]);
    }
    raw.send({ type: "world.join", world_id: world.world_id });
    await raw.next("world.joined");
    for (const client of sioClients) {
      client.emit("world.join", { world_id: world.world_id });
      await client.next("world.joined");
    }
    const ops = [KEY_1, KEY_2, { ...KEY_1, radius: 3 }];
    for (const op of ops) raw.send({ type: "request_spell", spell: op });
    const seenByRaw = [];
    for (const op of ops) {
      const applied = await raw.next("apply_op");
      assert.equal((applied.op as { radius: number }).radius, op.radius);
      seenByRaw.push(applied);
    }
    for (const client of sioClients) {
      for (const applied of seenByRaw) {
        assert.deepEqual({ ...await client.next("apply_op"), type: "apply_op" }, applied);
      }
    }
    // A large direct reply (a sync chunk near the frame cap) uses the same framing.
    for (let i = 0; i < 400; i++) raw.send({ type: "request_spell", spell: KEY_2 });
    for (const client of [raw, ...sioClients]) {
      for (let i = 0; i < 400; i++) await client.next("apply_op");
    }
    const late = await SioClient.connect(server.httpUrl, ["polling"]);
    sioClients.push(late);
    late.emit("world.join", { world_id: world.world_id });
    const sync = await late.next("sync_ops");
    assert.equal((sync.ops as unknown[]).length, 403);
    assert.ok(JSON.stringify(sync).length > 20_000);
  } finally {
    await raw.close();
    for (const client of sioClients) await client.close();
    await server.close();
  }
});

Deno.test("a full world (100k ops, ~9 MB) syncs to a joiner under the default limits; live ops follow the sync exactly once", async () => {
  // Up to the default cap, under the default limits (4 MiB buffered per connection).
  const filled = 100_000 - LIVE_OPS;
  const { server, worldId } = await startWithBigWorld(filled);
  const world = { world_id: worldId };
  const member = await GodotClient.connect(server.wsUrl);
  const joiner = await GodotClient.connect(server.wsUrl);
  const webJoiner = await SioClient.connect(server.httpUrl);
  const bystander = await GodotClient.connect(server.wsUrl);
  try {
    member.send({ type: "world.join", world_id: world.world_id });
    await lastSyncChunk(member);
    joiner.send({ type: "world.join", world_id: world.world_id });
    webJoiner.emit("world.join", { world_id: world.world_id });
    for (let i = 0; i < LIVE_OPS; i++) {
      member.send({
        type: "request_spell",
        spell: { ...KEY_1, center: { x: filled + i, y: 0.123456789, z: -1e5 } },
      });
    }
    // Another player is served while the sync is going out.
    assert.equal((await bystander.roundTrip()).world_id, "");
    await lastSyncChunk(joiner);
    for (let i = 0; i < LIVE_OPS; i++) await member.next("apply_op");
    const live = joiner.queue.all.filter((m) => m.type === "apply_op");
    while (
      joiner.queue.all.filter((m) => m.type === "apply_op").length + syncedOps(joiner) < 100_000
    ) {
      await joiner.next("apply_op");
    }
    // Every op exactly once, in the order applied; no live op ahead of the sync.
    const arrived = joiner.queue.all.filter((m) => m.type === "sync_ops" || m.type === "apply_op");
    const lastChunk = arrived.findLastIndex((m) => m.type === "sync_ops");
    assert.ok(arrived.slice(0, lastChunk).every((m) => m.type === "sync_ops"));
    const xs = arrived.flatMap((m) =>
      (m.type === "sync_ops"
        ? m.ops as { center: { x: number } }[]
        : [m.op as { center: { x: number } }])
        .map((op) => op.center.x)
    );
    assert.equal(xs.length, 100_000);
    assert.ok(xs.every((x, i) => x === i), "ops out of order or duplicated");
    assert.ok(live.length <= LIVE_OPS);
    joiner.assertClean(); // every frame ≤ 65,535 bytes, and the joiner was never cut
    assert.equal((await joiner.roundTrip()).ops, 100_000);
    // The Socket.IO joiner got the whole log too.
    await lastSyncChunk(webJoiner);
    while (
      webJoiner.queue.all.filter((m) => m.type === "apply_op").length + syncedOps(webJoiner) <
        100_000
    ) {
      await webJoiner.next("apply_op");
    }
    assert.equal((await webJoiner.roundTrip()).ops, 100_000);
  } finally {
    await member.close();
    await joiner.close();
    await webJoiner.close();
    await bystander.close();
    await server.close();
  }
});

const LIVE_OPS = 10;

/** Waits for a joiner's last sync_ops chunk. */
async function lastSyncChunk(client: GodotClient | SioClient): Promise<void> {
  while (true) {
    const chunk = await client.next("sync_ops", { timeoutMs: 20_000 });
    if (chunk.chunk_index === (chunk.chunk_count as number) - 1) return;
  }
}

function syncedOps(client: GodotClient | SioClient): number {
  return client.queue.all
    .filter((m) => m.type === "sync_ops")
    .reduce((sum, m) => sum + (m.ops as unknown[]).length, 0);
}
