import assert from "node:assert/strict";
import { memoryStores } from "../../storage/memory/memory_stores.ts";
import { createManifest } from "../../workers/manifest.ts";
import type { Channel } from "../ports/spell_store.ts";
import type { OutboundMessage } from "../session.ts";
import { Announcements } from "./announcements.ts";
import type { Manifest } from "./manifest.ts";

const NOW = "2026-01-01T00:00:00.000Z";

function setup(limit: number) {
  const { spells } = memoryStores().stores;
  const announcements = new Announcements({ spells, limit });
  let version = 0;
  const revision = async (spellId: string): Promise<Manifest> => {
    await spells.ensure(spellId, spellId, NOW, "owner");
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
    await spells.addRevision({ manifest, parentRevisionId: "", files: [] }, NOW);
    return manifest;
  };
  const publish = async (manifest: Manifest, channel: Channel = "beta") => {
    await spells.setActive(manifest.spell_id, channel, manifest.revision_id, NOW);
    const spell = (await spells.get(manifest.spell_id))!;
    announcements.published(
      { spellId: manifest.spell_id, revisionId: manifest.revision_id, channel },
      spell.active_beta_rev
        ? { revisionId: spell.active_beta_rev, channel: "beta" }
        : { revisionId: spell.active_stable_rev, channel: "stable" },
    );
  };
  const cast = async (worldId: string, manifest: Manifest) =>
    announcements.beforeCast(
      worldId,
      (await spells.get(manifest.spell_id))!,
      manifest.revision_id,
      manifest,
    );
  const revisions = async (names: string[]) => {
    const made: Manifest[] = [];
    for (const name of names) made.push(await revision(name));
    return made;
  };
  return { spells, announcements, revision, revisions, publish, cast };
}

const ids = (messages: OutboundMessage[]) =>
  messages.map((m) => `${m.event}:${m.payload.spell_id}`);

Deno.test("Announcements: a join hears the world's recent casts, then the most recently published, up to the limit", async () => {
  const { announcements, revision, revisions, publish, cast } = setup(3);
  const published = await revisions(["a", "b", "c", "d", "e"]);
  for (const m of published) await publish(m);
  await cast("w1", published[0]!);
  assert.deepEqual(ids(await announcements.forJoin("w1")), [
    "spell.active_update:a",
    "spell.active_update:e",
    "spell.active_update:d",
  ]);
  const lastLetters = async (worldId: string) =>
    ids(await announcements.forJoin(worldId)).map((id) => id.slice(-1));
  assert.deepEqual(await lastLetters("w2"), ["e", "d", "c"]);
  // Publishing a draft does not make a spell "recently published".
  await publish(await revision("b"), "draft");
  assert.deepEqual(await lastLetters("w2"), ["e", "d", "c"]);
});

Deno.test("Announcements: before a cast, once per world and revision; another revision is revision_ready", async () => {
  const { revision, publish, cast } = setup(10);
  const first = await revision("s");
  await publish(first);
  const told = (await cast("w", first))!;
  assert.deepEqual(
    [told.event, told.payload.revision_id, told.payload.channel],
    ["spell.active_update", first.revision_id, "beta"],
  );
  assert.equal(await cast("w", first), undefined, "members of w were told already");
  assert.equal((await cast("other", first))?.event, "spell.active_update", "another world was not");
  const unpublished = await revision("s");
  assert.equal((await cast("w", unpublished))?.event, "spell.revision_ready");
  assert.equal(await cast("w", unpublished), undefined);
  // A publish is broadcast to everyone: worlds that knew the spell now know the new revision.
  await publish(unpublished, "stable");
  assert.equal(await cast("w", unpublished), undefined);
  assert.equal(
    (await cast("w", first))?.payload.channel,
    "beta",
    "back to the beta revision: told again",
  );
});

Deno.test("Announcements: memory is bounded; forgetting only means announcing again; limit 0 announces every cast", async () => {
  const { revisions, publish, cast, announcements } = setup(2);
  const spells = await revisions(["a", "b", "c"]);
  for (const m of spells) await publish(m);
  for (const m of spells) await cast("w", m);
  assert.equal(
    (await announcements.forJoin("w")).length,
    2,
    "a world remembers at most `limit` spells",
  );
  assert.notEqual(await cast("w", spells[0]!), undefined, "the oldest was forgotten: told again");
  for (let i = 0; i < 1001; i++) await cast(`world${i}`, spells[1]!);
  assert.notEqual(
    await cast("world0", spells[1]!),
    undefined,
    "the least recently used world was forgotten",
  );
  const none = setup(0);
  const only = await none.revision("x");
  await none.publish(only);
  assert.deepEqual(await none.announcements.forJoin("w"), []);
  assert.notEqual(await none.cast("w", only), undefined);
  assert.notEqual(await none.cast("w", only), undefined);
});
