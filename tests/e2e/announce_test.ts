import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Manifest } from "../../src/core/spell/manifest.ts";
import { createManifest } from "../../src/workers/manifest.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import type { Message } from "../helpers/message_queue.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { build, fixture, publish, publishSpells } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

type Client = GodotClient | SioClient;

async function newWorld(client: GodotClient, name: string): Promise<string> {
  return ((await client.request({ type: "world.create", name }, "world.created")).world as {
    world_id: string;
  }).world_id;
}

/** Joins and returns the spell ids it was told about (everything before the ping's pong). */
async function joinAndListAnnounced(client: GodotClient, worldId: string): Promise<string[]> {
  client.send({ type: "world.join", world_id: worldId });
  await client.roundTrip(); // answered after the join, its sync and its announcements
  return client.queue.drain("spell.active_update").map((m) => m.spell_id as string);
}

function cast(client: GodotClient, spellId: string, revisionId?: string): void {
  client.send({
    type: "spell.cast_request",
    spell_id: spellId,
    ...(revisionId ? { revision_id: revisionId } : {}),
    cast_params: { target_position: { x: 0, y: 0, z: 0 } },
  });
}

/** The message a client got just before its cast_event of `spellId` (after `since`). */
async function beforeCast(client: Client, spellId: string, since: number): Promise<Message> {
  const event = await client.next("spell.cast_event", { where: (m) => m.spell_id === spellId });
  const index = client.queue.all.indexOf(event, since);
  return client.queue.all[index - 1]!;
}

Deno.test("join announcements are bounded: spells cast in the world lately first, then the most recently published", async () => {
  const server = await startTestServer({ JOIN_ANNOUNCE_SPELLS: "3", BUILDS_PER_CONNECTION: "10" });
  const caster = await GodotClient.connect(server.wsUrl);
  let joiner: GodotClient | undefined;
  let other: GodotClient | undefined;
  try {
    await publishSpells(caster, 6, { prefix: "ann", perSecond: 150 }); // ann_000 … ann_005
    // Connected after the publishes, so all they know is what their join tells them.
    joiner = await GodotClient.connect(server.wsUrl);
    other = await GodotClient.connect(server.wsUrl);
    const world = await newWorld(caster, "Cast here");
    await caster.request({ type: "world.join", world_id: world }, "world.joined");
    cast(caster, "ann_001");
    await caster.next("spell.cast_event");
    assert.deepEqual(await joinAndListAnnounced(joiner, world), ["ann_001", "ann_005", "ann_004"]);
    assert.deepEqual(await joinAndListAnnounced(other, await newWorld(other, "Fresh")), [
      "ann_005",
      "ann_004",
      "ann_003",
    ]);
  } finally {
    await caster.close();
    await joiner?.close();
    await other?.close();
    await server.close();
  }
});

Deno.test("a member hears of a spell before its first cast reaches it: unannounced spells, other revisions, late publishes, both transports", async () => {
  const server = await startTestServer({
    JOIN_ANNOUNCE_SPELLS: "1",
    BUILDS_PER_CONNECTION: "10",
    STABLE_PUBLISH: "owner",
  });
  const caster = await GodotClient.connect(server.wsUrl);
  let godot: GodotClient | undefined;
  let web: SioClient | undefined;
  try {
    const [old, recent] = await publishSpells(caster, 2, { prefix: "pre", perSecond: 150 });
    godot = await GodotClient.connect(server.wsUrl);
    web = await SioClient.connect(server.httpUrl);
    const world = await newWorld(caster, "W");
    await caster.request({ type: "world.join", world_id: world }, "world.joined");
    assert.deepEqual(await joinAndListAnnounced(godot, world), ["pre_001"]);
    await web.request("world.join", { world_id: world }, "world.joined");
    await web.roundTrip();
    assert.deepEqual(web.queue.drain("spell.active_update").map((m) => m.spell_id), ["pre_001"]);

    // pre_000 was not announced to them: the cast is preceded by its active_update.
    let since = godot.queue.all.length;
    const sinceWeb = web.queue.all.length;
    cast(caster, "pre_000");
    for (const [client, from] of [[godot, since], [web, sinceWeb]] as const) {
      const told = await beforeCast(client, "pre_000", from);
      assert.deepEqual([told.type, told.spell_id, told.revision_id, told.channel], [
        "spell.active_update",
        "pre_000",
        old!.revision_id,
        "beta",
      ]);
      assert.deepEqual(told.manifest, old);
    }
    // Once told, not again.
    since = godot.queue.all.length;
    cast(caster, "pre_000");
    assert.equal((await beforeCast(godot, "pre_000", since)).type, "spell.cast_event");

    // A cast of a published revision that is not the active one: revision_ready (download it),
    // not active_update (which would make it the client's active revision).
    const { last } = await build(caster, "pre_001", { code: fixture("demo_spark.gd") });
    const draft = last.manifest as Manifest;
    await publish(caster, "pre_001", draft.revision_id);
    await publish(caster, "pre_001", recent!.revision_id); // back to the earlier one
    since = godot.queue.all.length;
    cast(caster, "pre_001", draft.revision_id);
    const ready = await beforeCast(godot, "pre_001", since);
    assert.deepEqual([ready.type, ready.revision_id], ["spell.revision_ready", draft.revision_id]);

    // A late publish reaches everyone at once; the next cast uses it, and it is never unannounced.
    caster.send({
      type: "spell.publish",
      spell_id: "pre_001",
      revision_id: recent!.revision_id,
      channel: "stable",
    });
    await godot.next("spell.active_update", { where: (m) => m.channel === "stable" });
    since = godot.queue.all.length;
    cast(caster, "pre_001");
    const event = await godot.next("spell.cast_event", { where: (m) => m.spell_id === "pre_001" });
    assert.equal(event.revision_id, recent!.revision_id, "beta is still the cast fallback");
    const toldBefore = godot.queue.all.slice(0, godot.queue.all.indexOf(event, since)).filter((m) =>
      (m.type === "spell.active_update" || m.type === "spell.revision_ready") &&
      m.revision_id === recent!.revision_id
    );
    assert.ok(toldBefore.length > 0);
  } finally {
    await caster.close();
    await godot?.close();
    await web?.close();
    await server.close();
  }
});

Deno.test("with 15,000 published spells a join announces JOIN_ANNOUNCE_SPELLS (200), not every spell", async () => {
  const first = await startTestServer();
  await first.close({ keepData: true });
  const db = new DatabaseSync(`${first.dataDir}/ugc.db`);
  const spell = db.prepare(
    `INSERT INTO spells (spell_id, display_name, active_beta_rev, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const revision = db.prepare(
    `INSERT INTO revisions (revision_id, spell_id, channel, version, manifest_json, created_at)
     VALUES (?, ?, 'beta', 1, ?, ?)`,
  );
  db.exec("BEGIN");
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  for (let i = 0; i < 15_000; i++) {
    const spellId = `many_${String(i).padStart(5, "0")}`;
    const revisionId = `rev_000001_${i.toString(16).padStart(8, "0")}`;
    const at = new Date(start + i * 1000).toISOString();
    const manifest = createManifest({
      spellId,
      revisionId,
      version: 1,
      createdAt: at,
      code: [{ path: "code/spell.gd", hash: "a".repeat(64), size: 1000 }],
      assets: [{ path: "assets/icon.png", hash: "b".repeat(64), size: 70 }],
      metadata: { name: spellId, description: "", tags: [], preview_icon: "assets/icon.png" },
      capabilities: [],
    });
    spell.run(spellId, spellId, revisionId, at, at);
    revision.run(revisionId, spellId, JSON.stringify(manifest), at);
  }
  db.exec("COMMIT");
  db.close();
  const server = await startTestServer({}, first.dataDir);
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const announced = await joinAndListAnnounced(client, await newWorld(client, "Many"));
    assert.equal(announced.length, 200);
    assert.equal(announced[0], "many_14999", "the most recently published first");
    const bytes = client.queue.all.reduce((n, m) => n + JSON.stringify(m).length, 0);
    assert.ok(bytes < 300_000, `a join sent ${bytes} bytes`);
  } finally {
    await client.close();
    await server.close();
  }
});
