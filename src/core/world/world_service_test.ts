import assert from "node:assert/strict";
import { ErrorCode } from "../../protocol/mod.ts";
import { startCore } from "../../testing/core_harness.ts";
import type { FakeSession } from "../../testing/fake_session.ts";

const land = (x: number) => ({ type: "create_land", center: { x, y: 0, z: 0 }, radius: 1 });

async function created(core: ReturnType<typeof startCore>, session: FakeSession, name = "W") {
  await core.send(session, "world.create", { name });
  const world = session.of("world.created").at(-1)!.payload.world as { world_id: string };
  return world.world_id;
}

Deno.test("WorldService: create checks the name, the server's cap and the address's rate", async () => {
  const core = startCore({ limits: { maxWorlds: 3, worldCreatesPerMinute: 2 } });
  const a = core.connect({ address: "192.0.2.1" });
  const b = core.connect({ address: "192.0.2.2" });
  for (const bad of [{}, { name: "  " }, { name: "x".repeat(51) }, { name: "a\u0007b" }]) {
    await core.send(a, "world.create", bad);
  }
  assert.deepEqual(
    a.of("error").map((m) => m.payload.code),
    ["invalid_payload", "invalid_payload", "too_large", "invalid_payload"],
  );
  await created(core, a, "one");
  await created(core, a, "two");
  await core.send(a, "world.create", { name: "three" });
  assert.match(
    String(a.sent.at(-1)!.payload.message),
    /Too many worlds created from your address \(2 a minute\)/,
  );
  await created(core, b, "three"); // another address has its own allowance
  await core.send(b, "world.create", { name: "four" });
  assert.equal(b.sent.at(-1)!.payload.code, ErrorCode.QUOTA_EXCEEDED, "the server holds 3");
  assert.equal(await core.stores.worlds.count(), 3);
  const three = (await core.stores.worlds.page(10)).find((world) => world.name === "three")!;
  assert.equal(three.created_by, b.id, "the creator is the connection that asked");
  await core.close();
});

Deno.test("WorldService: a join sends world.joined with the snapshot seq, the log in chunks with their seqs, then sync_complete for an empty world", async () => {
  const core = startCore({ limits: { maxOutboundBytes: 4096 } });
  const owner = core.connect();
  const worldId = await created(core, owner);
  await core.send(owner, "world.join", { world_id: worldId });
  assert.deepEqual(owner.events.slice(-2), ["world.joined", "sync_complete"]);
  assert.equal(owner.of("world.joined")[0]!.payload.seq, 0);
  for (let i = 0; i < 100; i++) await core.send(owner, "request_spell", { spell: land(i) });
  const joiner = core.connect();
  await core.send(joiner, "world.join", { world_id: worldId });
  const joined = joiner.of("world.joined")[0]!.payload;
  assert.equal(joined.seq, 100);
  assert.equal((joined.world as { player_count: number }).player_count, 2);
  const chunks = joiner.of("sync_ops").map((m) => m.payload);
  assert.ok(chunks.length > 1);
  let next = 1;
  chunks.forEach((chunk, index) => {
    assert.equal(chunk.chunk_index, index);
    assert.equal(chunk.chunk_count, chunks.length);
    assert.equal(chunk.first_seq, next);
    const ops = chunk.ops as { center: { x: number } }[];
    assert.equal(chunk.last_seq, next + ops.length - 1);
    assert.deepEqual(ops.map((op) => op.center.x), ops.map((_, i) => next - 1 + i));
    assert.ok(new TextEncoder().encode(JSON.stringify(chunk)).length < 4096 - 100);
    next += ops.length;
  });
  assert.equal(next, 101);
  await core.close();
});

Deno.test("WorldService: request_spell needs a world, stores in seq order, refuses past the cap and drops other members' copies", async () => {
  const core = startCore({ limits: { maxOpsPerWorld: 3, opDedupeMs: 1000 } });
  const alice = core.connect();
  const bob = core.connect();
  await core.send(alice, "request_spell", { spell: land(0) });
  assert.deepEqual(alice.events, ["spell_rejected"]);
  assert.equal(alice.sent[0]!.payload.code, ErrorCode.NOT_IN_WORLD);
  const worldId = await created(core, alice);
  await core.send(alice, "world.join", { world_id: worldId });
  await core.send(bob, "world.join", { world_id: worldId });
  alice.clear();
  bob.clear();
  await core.send(alice, "request_spell", { spell: land(1) });
  await core.send(bob, "request_spell", { spell: land(1) }); // bob's client ran the same cast
  await core.send(alice, "request_spell", { spell: land(2) });
  assert.deepEqual(bob.of("apply_op").map((m) => m.payload.seq), [1, 2], "the copy was dropped");
  assert.deepEqual(alice.events, ["apply_op", "apply_op"]);
  await core.send(alice, "request_spell", { spell: land(3) });
  await core.send(alice, "request_spell", { spell: land(4) });
  assert.deepEqual(alice.sent.at(-1)!.payload, {
    error: "World op log is full",
    code: ErrorCode.TOO_LARGE,
  });
  await core.send(alice, "request_spell", { spell: { type: "explode" } });
  assert.equal(alice.sent.at(-1)!.event, "spell_rejected");
  await core.send(alice, "ping");
  assert.deepEqual(alice.sent.at(-1)!.payload, { clients: 2, world_id: worldId, ops: 3 });
  await core.close();
});

Deno.test("WorldService: only the creator clears; the clear takes the next seq and the log restarts after it", async () => {
  const core = startCore();
  const owner = core.connect();
  const other = core.connect();
  const worldId = await created(core, owner);
  await core.send(owner, "world.join", { world_id: worldId });
  await core.send(other, "world.join", { world_id: worldId });
  for (let i = 0; i < 3; i++) await core.send(owner, "request_spell", { spell: land(i) });
  await core.send(other, "clear_world");
  assert.equal(other.sent.at(-1)!.payload.code, ErrorCode.FORBIDDEN);
  await core.send(owner, "clear_world");
  assert.deepEqual(other.sent.at(-1)!.payload, { world_id: worldId, seq: 4 });
  await core.send(owner, "request_spell", { spell: land(9) });
  assert.equal(other.sent.at(-1)!.payload.seq, 5);
  const late = core.connect();
  await core.send(late, "world.join", { world_id: worldId });
  assert.equal(late.of("world.joined")[0]!.payload.seq, 5);
  assert.deepEqual(
    late.of("sync_ops").map((m) => [m.payload.first_seq, m.payload.last_seq]),
    [[5, 5]],
  );
  await core.send(owner, "world.leave");
  assert.deepEqual(owner.sent.at(-1)!.payload, { left_world_id: worldId });
  await core.send(owner, "world.leave");
  assert.deepEqual(owner.sent.at(-1)!.payload, { left_world_id: "" });
  await core.send(owner, "clear_world");
  assert.equal(owner.sent.at(-1)!.payload.code, ErrorCode.NOT_IN_WORLD);
  await core.send(owner, "world.get", { world_id: worldId });
  assert.equal((owner.sent.at(-1)!.payload.world as { player_count: number }).player_count, 2);
  await core.close();
});
