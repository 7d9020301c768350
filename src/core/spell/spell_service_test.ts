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

Deno.test("SpellService: quarantine moves each channel to the newest earlier good revision (published, not quarantined), or revokes", async () => {
  const core = startCore({ stablePublish: "owner" });
  const author = core.connect();
  const watcher = core.connect();
  const v1 = await buildSpell(core, author, "spark");
  const v2 = await buildSpell(core, author, "spark"); // never published: never a rollback target
  const v3 = await buildSpell(core, author, "spark");
  const v4 = await buildSpell(core, author, "spark");
  for (
    const [manifest, channel] of [[v1, "stable"], [v3, "beta"], [v4, "beta"], [
      v4,
      "stable",
    ]] as const
  ) {
    await core.send(author, "spell.publish", {
      spell_id: "spark",
      revision_id: manifest.revision_id,
      channel,
    });
  }
  watcher.clear();
  const actor = { principal: { kind: "operator" as const, id: "operator" as const }, address: "x" };
  const revision = (await core.stores.spells.getRevision("spark", v4.revision_id))!;
  const outcome = await core.spells.quarantine(actor, revision, "bad");
  const told = (outcome.events ?? []).map(({ message }) => [
    message.event,
    message.payload.channel,
    message.payload.revision_id,
  ]);
  assert.deepEqual(told, [
    ["spell.active_update", "beta", v3.revision_id],
    ["spell.active_update", "stable", v3.revision_id],
  ]);
  const spell = (await core.stores.spells.get("spark"))!;
  assert.deepEqual(
    [spell.active_draft_rev, spell.active_beta_rev, spell.active_stable_rev],
    [v3.revision_id, v3.revision_id, v3.revision_id],
  );
  // v3 next: v2 was never published, so the rollback skips to v1.
  const third = (await core.stores.spells.getRevision("spark", v3.revision_id))!;
  const second = await core.spells.quarantine(actor, third, "also bad");
  assert.deepEqual(
    (second.events ?? []).map(({ message }) => [message.event, message.payload.revision_id]),
    [["spell.active_update", v1.revision_id], ["spell.active_update", v1.revision_id]],
  );
  const first = (await core.stores.spells.getRevision("spark", v1.revision_id))!;
  const last = await core.spells.quarantine(actor, first, "all bad");
  assert.deepEqual(
    (last.events ?? []).map(({ message }) => [message.event, message.payload.revision_id]),
    [["spell.revoked", v1.revision_id], ["spell.revoked", v1.revision_id]],
  );
  // v2 (never published, on no channel) tells nobody.
  const draft = (await core.stores.spells.getRevision("spark", v2.revision_id))!;
  assert.deepEqual((await core.spells.quarantine(actor, draft, "x")).events, []);
  await core.close();
});

Deno.test("SpellService: a draft publish reaches only the publisher; a stranger's publish is forbidden; an owner's stable waits unless STABLE_PUBLISH=owner", async () => {
  const core = startCore();
  const author = core.connect();
  const stranger = core.connect();
  const manifest = await buildSpell(core, author, "spark");
  const ids = { spell_id: "spark", revision_id: manifest.revision_id };
  stranger.clear();
  await core.send(author, "spell.publish", { ...ids, channel: "draft" });
  assert.deepEqual(author.events.slice(-2), ["spell.active_update", "spell.revision_ready"]);
  assert.deepEqual(stranger.events, []);
  await core.send(stranger, "spell.publish", { ...ids, channel: "beta" });
  assert.equal(stranger.sent.at(-1)!.payload.code, ErrorCode.FORBIDDEN);
  await core.send(author, "spell.publish", { ...ids, channel: "stable" });
  assert.equal(author.sent.at(-1)!.event, "spell.publish_pending");
  assert.equal(
    (await core.stores.moderation.stableRequest("spark"))!.revision_id,
    manifest.revision_id,
  );
  assert.equal((await core.stores.spells.get("spark"))!.active_stable_rev, "");
  await core.close();
});
