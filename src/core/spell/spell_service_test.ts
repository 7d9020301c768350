import assert from "node:assert/strict";
import { ErrorCode } from "../../protocol/mod.ts";
import { startCore } from "../../testing/core_harness.ts";
import { buildSpell } from "../../testing/spells.ts";

Deno.test("SpellService: drafts, lists and revisions", async () => {
  const core = startCore();
  const author = core.connect();
  await core.send(author, "spell.create_draft", { spell_id: "fire_ball" });
  const draft = author.sent.at(-1)!.payload;
  assert.equal(draft.created, true);
  assert.equal((draft.spell as { display_name: string }).display_name, "Fire Ball");
  await core.send(author, "spell.create_draft", { spell_id: "fire_ball" });
  assert.equal(author.sent.at(-1)!.payload.created, false);
  await core.send(author, "spell.create_draft", { spell_id: "Bad Id" });
  assert.equal(author.sent.at(-1)!.payload.code, ErrorCode.INVALID_PAYLOAD);
  const manifest = await buildSpell(core, author, "fire_ball");
  await core.send(author, "spell.get_revisions", { spell_id: "fire_ball" });
  const revisions = author.sent.at(-1)!.payload.revisions as { revision_id: string }[];
  assert.deepEqual(revisions.map((r) => r.revision_id), [manifest.revision_id]);
  await core.send(author, "spell.list");
  assert.equal((author.sent.at(-1)!.payload.spells as unknown[]).length, 1);
  await core.close();
});

Deno.test("SpellService: publish tells everyone; a cast reaches the world after its announcement", async () => {
  const core = startCore();
  const author = core.connect();
  const player = core.connect();
  const elsewhere = core.connect();
  const manifest = await buildSpell(core, author, "spark");
  await core.send(author, "world.create", { name: "w" });
  const worldId = (author.sent.at(-1)!.payload.world as { world_id: string }).world_id;
  for (const session of [author, player]) {
    await core.send(session, "world.join", { world_id: worldId });
  }
  player.clear();
  elsewhere.clear();
  let acked: Record<string, unknown> | undefined;
  core.dispatcher.dispatch(
    author,
    "spell.publish",
    { spell_id: "spark", revision_id: manifest.revision_id, channel: "beta" },
    (reply) => acked = reply,
  );
  await core.clock.advance(0);
  assert.deepEqual(elsewhere.events, ["spell.active_update", "spell.revision_ready"]);
  assert.equal(acked!.channel, "beta");
  await core.send(author, "spell.cast_request", {
    spell_id: "spark",
    cast_params: { target_position: { x: 1, y: 2, z: 3 } },
  });
  const cast = player.of("spell.cast_event")[0]!.payload;
  assert.deepEqual(
    [cast.spell_id, cast.revision_id, cast.caster_id, cast.world_id],
    ["spark", manifest.revision_id, author.id, worldId],
  );
  assert.ok(Number.isInteger(cast.seed));
  assert.equal(elsewhere.of("spell.cast_event").length, 0, "casts stay in their world");
  // A late joiner is told of the spell before it can meet a cast of it.
  const late = core.connect();
  await core.send(late, "world.join", { world_id: worldId });
  assert.ok(late.events.indexOf("spell.active_update") > late.events.indexOf("world.joined"));
  await core.close();
});

Deno.test("SpellService: refused casts say why, as spell.cast_rejected", async () => {
  const core = startCore();
  const caster = core.connect();
  await core.send(caster, "spell.cast_request", { spell_id: "x" });
  assert.equal(caster.sent.at(-1)!.payload.code, ErrorCode.NOT_IN_WORLD);
  await core.send(caster, "world.create", { name: "w" });
  const worldId = (caster.sent.at(-1)!.payload.world as { world_id: string }).world_id;
  await core.send(caster, "world.join", { world_id: worldId });
  await core.send(caster, "spell.cast_request", { spell_id: "nope" });
  assert.deepEqual(caster.sent.at(-1)!.payload, {
    spell_id: "nope",
    error: "Spell not found",
    code: ErrorCode.SPELL_NOT_FOUND,
  });
  await buildSpell(core, caster, "unpublished");
  await core.send(caster, "spell.cast_request", { spell_id: "unpublished" });
  assert.equal(caster.sent.at(-1)!.payload.error, "No active revision found");
  await core.send(caster, "spell.cast_request", {
    spell_id: "unpublished",
    revision_id: "rev_000009_00000000",
  });
  assert.equal(caster.sent.at(-1)!.payload.code, ErrorCode.REVISION_NOT_FOUND);
  const manifest = await buildSpell(core, caster, "ok");
  await core.send(caster, "spell.publish", { spell_id: "ok", revision_id: manifest.revision_id });
  await core.send(caster, "spell.cast_request", {
    spell_id: "ok",
    cast_params: { target_position: "here" },
  });
  assert.equal(caster.sent.at(-1)!.event, "spell.cast_rejected");
  assert.equal(caster.sent.at(-1)!.payload.code, ErrorCode.INVALID_PAYLOAD);
  await core.close();
});
