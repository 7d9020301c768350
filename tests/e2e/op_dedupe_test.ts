import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { startTestServer } from "../helpers/test_server.ts";

/** What `ctx.world.set_voxel(pos, v)` sends from every client that runs the cast. */
function setVoxel(i: number): Record<string, unknown> {
  return {
    type: i % 2 === 0 ? "create_land" : "dig",
    center: { x: i * 1.25, y: 10.5, z: -i },
    radius: 2.0,
    material_id: i % 2 === 0 ? 3 : 0,
  };
}

Deno.test("duplicate ops: a 50-member world where every member sends the same 10 ops stores and broadcasts 10", async () => {
  const server = await startTestServer();
  const raw: GodotClient[] = [];
  const web: SioClient[] = [];
  try {
    for (let i = 0; i < 45; i++) raw.push(await GodotClient.connect(server.wsUrl));
    for (let i = 0; i < 5; i++) web.push(await SioClient.connect(server.httpUrl));
    const world = (await raw[0]!.request({ type: "world.create", name: "Fifty" }, "world.created"))
      .world as { world_id: string };
    for (const client of raw) {
      await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    }
    for (const client of web) {
      await client.request("world.join", { world_id: world.world_id }, "world.joined");
    }
    // Every client ran the same cast: each sends the spell's 10 set_voxel ops, interleaved.
    for (let i = 0; i < 10; i++) {
      for (const client of raw) client.send({ type: "request_spell", spell: setVoxel(i) });
      for (const client of web) client.emit("request_spell", { spell: setVoxel(i) });
    }
    await eventually(
      () => raw.every((c) => c.queue.all.filter((m) => m.type === "apply_op").length >= 10),
      { what: "every member to get the ops" },
    );
    for (const client of [...raw, ...web]) await client.roundTrip();
    assert.equal((await raw[0]!.roundTrip()).ops, 10, "the log grew by 10");
    for (const client of [...raw, ...web]) {
      const ops = client.queue.all.filter((m) => m.type === "apply_op");
      assert.equal(ops.length, 10, "each member got each op once");
      assert.equal(client.queue.all.filter((m) => m.type === "spell_rejected").length, 0);
    }
    // A joiner's sync holds the 10 as well.
    const late = await GodotClient.connect(server.wsUrl);
    late.send({ type: "world.join", world_id: world.world_id });
    assert.equal(((await late.next("sync_ops")).ops as unknown[]).length, 10);
    await late.close();
  } finally {
    for (const client of raw) await client.close();
    for (const client of web) await client.close();
    await server.close();
  }
});

Deno.test("duplicate ops: one member's own repeats are kept; after the window the same op is new; a Socket.IO copy is acknowledged with the op", async () => {
  const server = await startTestServer({ OP_DEDUPE_MS: "300" });
  const alice = await GodotClient.connect(server.wsUrl);
  const bob = await SioClient.connect(server.httpUrl);
  try {
    const world = (await alice.request({ type: "world.create", name: "Two" }, "world.created"))
      .world as { world_id: string };
    await alice.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    await bob.request("world.join", { world_id: world.world_id }, "world.joined");

    // A spell that sets one voxel twice: both clients send it twice; it is stored twice.
    const op = setVoxel(4);
    alice.send({ type: "request_spell", spell: op });
    alice.send({ type: "request_spell", spell: op });
    await alice.next("apply_op");
    await alice.next("apply_op");
    const ack = await bob.emitWithAck("request_spell", { spell: op });
    assert.deepEqual(ack, {
      op: { op: "add_sphere", center: { x: 5, y: 10.5, z: -4 }, radius: 2, material_id: 3 },
    }, "a dropped copy still acknowledges with the op");
    await bob.emitWithAck("request_spell", { spell: op });
    assert.equal((await alice.roundTrip()).ops, 2);
    await bob.roundTrip();
    assert.equal(bob.queue.all.filter((m) => m.type === "apply_op").length, 2);

    // Past the window the same op is a new op (a player placing the same block again later).
    await new Promise((resolve) => setTimeout(resolve, 400));
    bob.emit("request_spell", { spell: op });
    await alice.next("apply_op");
    assert.equal((await alice.roundTrip()).ops, 3);

    // After clear_world it is new as well.
    alice.send({ type: "clear_world" });
    await alice.next("world_cleared");
    bob.emit("request_spell", { spell: op });
    await alice.next("apply_op");
    assert.equal((await alice.roundTrip()).ops, 1);
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});
