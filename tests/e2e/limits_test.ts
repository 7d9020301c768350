import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { startTestServer } from "../helpers/test_server.ts";

const DIG = { type: "dig", center: { x: 1, y: 2, z: 3 }, radius: 2 };

Deno.test("a full op log rejects further ops on both transports and keeps the log intact", async () => {
  const server = await startTestServer({ MAX_OPS_PER_WORLD: "3" });
  const raw = await GodotClient.connect(server.wsUrl);
  const sio = await SioClient.connect(server.httpUrl);
  try {
    const world = (await raw.request({ type: "world.create", name: "Small" }, "world.created"))
      .world as {
        world_id: string;
      };
    await raw.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    await sio.request("world.join", { world_id: world.world_id }, "world.joined");
    for (let i = 0; i < 3; i++) {
      raw.send({ type: "request_spell", spell: DIG });
      await raw.next("apply_op");
    }
    const full = await raw.request({ type: "request_spell", spell: DIG }, "spell_rejected");
    assert.deepEqual([full.error, full.code], ["World op log is full", "too_large"]);
    // Another op (an identical one from another member is a copy of a stored op: dropped free).
    const other = { ...DIG, center: { x: 9, y: 9, z: 9 } };
    const sioFull = await sio.request("request_spell", { spell: other }, "spell_rejected");
    assert.equal(sioFull.error, "World op log is full");
    assert.equal((await raw.roundTrip()).ops, 3);
    // Clearing (by the creator) makes room again.
    raw.send({ type: "clear_world" });
    await raw.next("world_cleared");
    sio.emit("request_spell", { spell: DIG });
    await raw.next("apply_op", { where: () => true });
  } finally {
    await raw.close();
    await sio.close();
    await server.close();
  }
});

Deno.test("Socket.IO: the rate limit answers rate_limited and an oversize message disconnects", async () => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "10",
    RATE_LIMIT_BURST: "20",
    MAX_INBOUND_BYTES: "65536",
  });
  const flooder = await SioClient.connect(server.httpUrl);
  const big = await SioClient.connect(server.httpUrl);
  try {
    for (let i = 0; i < 40; i++) flooder.emit("ping");
    const limited = await flooder.next("error", { where: (m) => m.code === "rate_limited" });
    assert.equal(limited.message, "Rate limit exceeded; message dropped");
    await new Promise((resolve) => setTimeout(resolve, 250));
    await flooder.roundTrip();

    const gone = new Promise<string>((resolve) =>
      big.socket.once("disconnect", (reason: string) => resolve(reason))
    );
    big.emit("world.create", { name: "x", description: "y".repeat(70_000) });
    assert.match(await gone, /transport (close|error)/);
    await flooder.roundTrip();
  } finally {
    await flooder.close();
    await big.close();
    await server.close();
  }
});

Deno.test("a lowered outbound cap holds for lists and sync chunks", async () => {
  const server = await startTestServer({
    MAX_OUTBOUND_BYTES: "4096",
    RATE_LIMIT_PER_SEC: "100000",
    RATE_LIMIT_BURST: "100000",
  });
  const client = await GodotClient.connect(server.wsUrl);
  try {
    for (let i = 0; i < 30; i++) {
      client.send({ type: "world.create", name: `W${i}`, description: "d".repeat(200) });
    }
    const list = await client.request({ type: "world.list" }, "world.list_result");
    assert.ok(JSON.stringify(list).length <= 4096);
    assert.ok((list.worlds as unknown[]).length < 30);
    const worldId = (list.worlds as { world_id: string }[])[0]!.world_id;
    await client.request({ type: "world.join", world_id: worldId }, "world.joined");
    for (let i = 0; i < 200; i++) client.send({ type: "request_spell", spell: DIG });
    await client.roundTrip();
    const other = await GodotClient.connect(server.wsUrl);
    other.send({ type: "world.join", world_id: worldId });
    const first = await other.next("sync_ops");
    let total = (first.ops as unknown[]).length;
    assert.ok(JSON.stringify(first).length <= 4096);
    for (let i = 1; i < (first.chunk_count as number); i++) {
      const chunk = await other.next("sync_ops");
      assert.ok(JSON.stringify(chunk).length <= 4096);
      total += (chunk.ops as unknown[]).length;
    }
    assert.equal(total, 200);
    await other.close();
  } finally {
    await client.close();
    await server.close();
  }
});
