import assert from "node:assert/strict";
import { openDatabase } from "../../storage/db.ts";
import { type Channel, SqliteSpellRepo } from "../../storage/spell_repo.ts";
import type { OutboundMessage } from "../session.ts";
import { Announcements } from "./announcements.ts";
import { createManifest, type Manifest } from "./manifest.ts";

const NOW = "2026-01-01T00:00:00.000Z";

function setup(limit: number) {
  const db = openDatabase(":memory:");
  const spells = new SqliteSpellRepo(db);
  const announcements = new Announcements({ spells, limit });
  let version = 0;
  const revision = (spellId: string): Manifest => {
    spells.ensure(spellId, spellId, NOW);
    const revisionId = `rev_${String(++version).padStart(6, "0")}_0000000${version % 10}`;
    const manifest = createManifest({
      spellId,
      revisionId,
      version,
      createdAt: NOW,
      code: [],
      assets: [],
      metadata: { name: spellId, description: "", tags: [], preview_icon: "assets/icon.png" },
      capabilities: [],
    });
    spells.addRevision({ manifest, parentRevisionId: "", files: [] }, NOW);
    return manifest;
  };
  const publish = (manifest: Manifest, channel: Channel = "beta") => {
    spells.setActive(manifest.spell_id, channel, manifest.revision_id, NOW);
    const spell = spells.get(manifest.spell_id)!;
    announcements.published(
      { spellId: manifest.spell_id, revisionId: manifest.revision_id, channel },
      spell.active_beta_rev
        ? { revisionId: spell.active_beta_rev, channel: "beta" }
        : { revisionId: spell.active_stable_rev, channel: "stable" },
    );
  };
  const cast = (worldId: string, manifest: Manifest) =>
    announcements.beforeCast(
      worldId,
      spells.get(manifest.spell_id)!,
      manifest.revision_id,
      manifest,
    );
  return { db, spells, announcements, revision, publish, cast };
}

const ids = (messages: OutboundMessage[]) =>
  messages.map((m) => `${m.event}:${m.payload.spell_id}`);

Deno.test("Announcements: a join hears the world's recent casts, then the most recently published, up to the limit", () => {
  const { db, announcements, revision, publish, cast } = setup(3);
  const published = ["a", "b", "c", "d", "e"].map((id) => revision(id));
  published.forEach((m) => publish(m));
  cast("w1", published[0]!);
  assert.deepEqual(ids(announcements.forJoin("w1")), [
    "spell.active_update:a",
    "spell.active_update:e",
    "spell.active_update:d",
  ]);
  assert.deepEqual(ids(announcements.forJoin("w2")).map((id) => id.slice(-1)), ["e", "d", "c"]);
  // Publishing a draft does not make a spell "recently published".
  publish(revision("b"), "draft");
  assert.deepEqual(ids(announcements.forJoin("w2")).map((id) => id.slice(-1)), ["e", "d", "c"]);
  db.close();
});

Deno.test("Announcements: before a cast, once per world and revision; another revision is revision_ready", () => {
  const { db, revision, publish, cast } = setup(10);
  const first = revision("s");
  publish(first);
  const told = cast("w", first)!;
  assert.deepEqual(
    [told.event, told.payload.revision_id, told.payload.channel],
    ["spell.active_update", first.revision_id, "beta"],
  );
  assert.equal(cast("w", first), undefined, "members of w were told already");
  assert.equal(cast("other", first)?.event, "spell.active_update", "another world was not");
  const unpublished = revision("s");
  assert.equal(cast("w", unpublished)?.event, "spell.revision_ready");
  assert.equal(cast("w", unpublished), undefined);
  // A publish is broadcast to everyone: worlds that knew the spell now know the new revision.
  publish(unpublished, "stable");
  assert.equal(cast("w", unpublished), undefined);
  assert.equal(cast("w", first)?.payload.channel, "beta", "back to the beta revision: told again");
  db.close();
});

Deno.test("Announcements: memory is bounded; forgetting only means announcing again; limit 0 announces every cast", () => {
  const { db, revision, publish, cast, announcements } = setup(2);
  const spells = ["a", "b", "c"].map((id) => revision(id));
  spells.forEach((m) => publish(m));
  for (const m of spells) cast("w", m);
  assert.equal(announcements.forJoin("w").length, 2, "a world remembers at most `limit` spells");
  assert.notEqual(cast("w", spells[0]!), undefined, "the oldest was forgotten: told again");
  for (let i = 0; i < 1001; i++) cast(`world${i}`, spells[1]!);
  assert.notEqual(
    cast("world0", spells[1]!),
    undefined,
    "the least recently used world was forgotten",
  );
  const none = setup(0);
  const only = none.revision("x");
  none.publish(only);
  assert.deepEqual(none.announcements.forJoin("w"), []);
  assert.notEqual(none.cast("w", only), undefined);
  assert.notEqual(none.cast("w", only), undefined);
  none.db.close();
  db.close();
});
