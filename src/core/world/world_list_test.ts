import assert from "node:assert/strict";
import { startCore } from "../../testing/core_harness.ts";

type Listed = { name: string; player_count: number }[];

Deno.test("WorldList: populated worlds first (most players), then the last active, then never-used, newest first", async () => {
  const core = startCore({ limits: { worldCreatesPerMinute: 100 } });
  const a = core.connect();
  const ids: Record<string, string> = {};
  for (const name of ["empty-old", "active", "busy", "quiet", "empty-new"]) {
    await core.clock.advance(1000);
    await core.send(a, "world.create", { name });
    ids[name] = (a.sent.at(-1)!.payload.world as { world_id: string }).world_id;
  }
  const join = async (name: string) => {
    const session = core.connect();
    await core.send(session, "world.join", { world_id: ids[name] });
    return session;
  };
  await join("busy");
  await join("busy");
  const quiet = await join("quiet");
  const active = await join("active");
  await core.send(active, "request_spell", { spell: { type: "dig" } });
  await core.send(active, "world.leave");
  await core.send(a, "world.list");
  const worlds = a.sent.at(-1)!.payload.worlds as Listed;
  assert.deepEqual(
    worlds.map((w) => [w.name, w.player_count]),
    [["busy", 2], ["quiet", 1], ["active", 0], ["empty-new", 0], ["empty-old", 0]],
  );
  quiet.close(1000, "bye");
  await core.send(a, "world.list");
  const after = a.sent.at(-1)!.payload.worlds as Listed;
  assert.deepEqual(after.map((w) => w.name).slice(0, 3), ["busy", "quiet", "active"]);
  await core.close();
});

Deno.test("WorldList: a burst of changes is one world.list_updated to everyone, at most one per interval", async () => {
  const core = startCore({ limits: { worldCreatesPerMinute: 1000, worldListUpdateMs: 1000 } });
  const creator = core.connect();
  const watcher = core.connect();
  for (let i = 0; i < 20; i++) await core.send(creator, "world.create", { name: `w${i}` });
  assert.equal(watcher.of("world.list_updated").length, 0);
  await core.clock.advance(100);
  const updates = watcher.of("world.list_updated");
  assert.equal(updates.length, 1);
  assert.equal((updates[0]!.payload.worlds as Listed).length, 20, "the final list");
  await core.send(creator, "world.create", { name: "later" });
  await core.clock.advance(500);
  assert.equal(watcher.of("world.list_updated").length, 1, "not twice within the interval");
  await core.clock.advance(500);
  assert.equal(watcher.of("world.list_updated").length, 2);
  await core.close();
});

Deno.test("WorldList: pages are newest first and a cursor continues exactly where the last page ended", async () => {
  const core = startCore({ limits: { worldCreatesPerMinute: 1000, worldsPageMax: 10 } });
  const creator = core.connect();
  for (let i = 0; i < 7; i++) {
    await core.clock.advance(1000);
    await core.send(creator, "world.create", { name: `w${i}` });
  }
  const first = await core.worlds.lists.page("3", null);
  assert.deepEqual(first.worlds.map((w) => w.name), ["w6", "w5", "w4"]);
  const second = await core.worlds.lists.page("3", first.next_cursor);
  assert.deepEqual(second.worlds.map((w) => w.name), ["w3", "w2", "w1"]);
  const last = await core.worlds.lists.page("3", second.next_cursor);
  assert.deepEqual(last.worlds.map((w) => w.name), ["w0"]);
  assert.equal(last.next_cursor, "");
  await assert.rejects(core.worlds.lists.page("11", null), /limit must be 1 to 10/);
  await assert.rejects(core.worlds.lists.page(null, "not/a cursor"), /cursor is not valid/);
  await core.close();
});

Deno.test("WorldList: activity is written in one batch after 5 s, and at close", async () => {
  const core = startCore();
  const player = core.connect();
  await core.send(player, "world.create", { name: "w" });
  const worldId = (player.sent.at(-1)!.payload.world as { world_id: string }).world_id;
  await core.send(player, "world.join", { world_id: worldId });
  assert.equal((await core.stores.worlds.get(worldId))!.last_active_at, "");
  await core.clock.advance(5000);
  const joinedAt = (await core.stores.worlds.get(worldId))!.last_active_at;
  assert.notEqual(joinedAt, "");
  await core.clock.advance(1000);
  await core.send(player, "request_spell", { spell: { type: "dig" } });
  await core.close();
  assert.ok((await core.stores.worlds.get(worldId))!.last_active_at > joinedAt);
});
