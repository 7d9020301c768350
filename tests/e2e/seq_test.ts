import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { loggedErrors, startTestServer } from "../helpers/test_server.ts";

const op = (x: number) => ({ type: "create_land", center: { x, y: 0, z: 0 }, radius: 2 });

Deno.test("sequence numbers on the wire: apply_op.seq, sync_ops first_seq/last_seq, world.joined.seq and world_cleared.seq, alike on both protocols", async () => {
  const server = await startTestServer();
  const alice = await GodotClient.connect(server.wsUrl);
  const web = await SioClient.connect(server.httpUrl);
  let late: GodotClient | undefined;
  try {
    const world = (await alice.request({ type: "world.create", name: "Seq" }, "world.created"))
      .world as { world_id: string };
    const joined = await alice.request(
      { type: "world.join", world_id: world.world_id },
      "world.joined",
    );
    assert.equal(joined.seq, 0);
    for (let x = 0; x < 3; x++) alice.send({ type: "request_spell", spell: op(x) });
    const applied = [];
    for (let x = 0; x < 3; x++) applied.push(await alice.next("apply_op"));
    assert.deepEqual(applied.map((m) => m.seq), [1, 2, 3]);

    const webJoined = await web.request("world.join", { world_id: world.world_id }, "world.joined");
    assert.equal(webJoined.seq, 3);
    const sync = await web.next("sync_ops");
    assert.deepEqual([sync.first_seq, sync.last_seq, (sync.ops as unknown[]).length], [1, 3, 3]);

    alice.send({ type: "clear_world" });
    for (const client of [alice, web]) {
      assert.deepEqual(await client.next("world_cleared"), {
        type: "world_cleared",
        world_id: world.world_id,
        seq: 4,
      });
    }
    // A Socket.IO acknowledgement of an op is the op with its seq.
    const ack = await web.emitWithAck("request_spell", { spell: op(9) });
    assert.equal(ack.seq, 5);
    assert.equal((await alice.next("apply_op")).seq, 5);

    late = await GodotClient.connect(server.wsUrl);
    const lateJoined = await late.request(
      { type: "world.join", world_id: world.world_id },
      "world.joined",
    );
    assert.equal(lateJoined.seq, 5);
    const lateSync = await late.next("sync_ops");
    assert.deepEqual([lateSync.first_seq, lateSync.last_seq], [5, 5]);
    assert.deepEqual(
      (lateSync.ops as { center: { x: number } }[]).map((o) => o.center.x),
      [9],
      "only what came after the clear",
    );
    assert.equal((await late.roundTrip()).ops, 1);
    assert.deepEqual(loggedErrors(server), []);
  } finally {
    await late?.close();
    await alice.close();
    await web.close();
    await server.close();
  }
});

Deno.test("sequence numbers survive a restart: the next op continues the world's order, also after a clear", async () => {
  let server = await startTestServer();
  const alice = await GodotClient.connect(server.wsUrl);
  const world = (await alice.request({ type: "world.create", name: "Kept" }, "world.created"))
    .world as { world_id: string };
  await alice.request({ type: "world.join", world_id: world.world_id }, "world.joined");
  for (let x = 0; x < 2; x++) {
    alice.send({ type: "request_spell", spell: op(x) });
    await alice.next("apply_op");
  }
  alice.send({ type: "clear_world" });
  assert.equal((await alice.next("world_cleared")).seq, 3);
  alice.send({ type: "request_spell", spell: op(5) });
  assert.equal((await alice.next("apply_op")).seq, 4);
  await alice.close();
  server = await server.restart();
  const bob = await GodotClient.connect(server.wsUrl);
  try {
    const joined = await bob.request(
      { type: "world.join", world_id: world.world_id },
      "world.joined",
    );
    assert.equal(joined.seq, 4);
    const sync = await bob.next("sync_ops");
    assert.deepEqual([sync.first_seq, sync.last_seq], [4, 4]);
    bob.send({ type: "request_spell", spell: op(6) });
    assert.equal((await bob.next("apply_op")).seq, 5);
    bob.send({ type: "clear_world" }); // not its creator (a new connection): refused
    assert.equal((await bob.next("error")).code, "forbidden");
  } finally {
    await bob.close();
    await server.close();
  }
});
