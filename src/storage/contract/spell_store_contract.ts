import assert from "node:assert/strict";
import type { NewRevision } from "../../core/ports/spell_store.ts";
import type { Manifest } from "../../core/spell/manifest.ts";
import { createManifest, INTERFACE_VERSION } from "../../workers/manifest.ts";
import { at, contractTest, type StoreFactory } from "./fixture.ts";

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

export function revision(
  spellId: string,
  version: number,
  options: { interfaceVersion?: string; parent?: string } = {},
): NewRevision {
  // Revision ids are unique across spells: the spell's name picks the hex part.
  let hex = 0;
  for (const char of spellId) hex = (hex * 31 + char.charCodeAt(0)) >>> 0;
  const revisionId = `rev_${String(version).padStart(6, "0")}_${hex.toString(16).padStart(8, "0")}`;
  const manifest: Manifest = {
    ...createManifest({
      spellId,
      revisionId,
      version,
      createdAt: at(version),
      code: [{ path: "code/spell.gd", hash: HASH_A, size: 100 }],
      assets: [{ path: "assets/icon.png", hash: HASH_B, size: 50 }],
      metadata: { name: spellId, description: "", tags: [], preview_icon: "assets/icon.png" },
      capabilities: [],
    }),
    interface_version: options.interfaceVersion ?? INTERFACE_VERSION,
  };
  return {
    manifest,
    parentRevisionId: options.parent ?? "",
    files: [...manifest.code, ...manifest.assets],
  };
}

/** The SpellStore contract: every implementation passes these. */
export function spellStoreContract(factory: StoreFactory): void {
  contractTest(factory, "SpellStore: ensure creates once; list is newest first", async (f) => {
    const spells = f.stores.spells;
    assert.equal(await spells.ensure("fire", "Fire", at(1), "owner"), true);
    assert.equal(await spells.ensure("fire", "Other", at(2), "owner"), false);
    assert.equal(await spells.ensure("ice", "Ice", at(3), "owner"), true);
    assert.equal(await spells.ensure("mud", "Mud", at(3), "owner"), true);
    assert.deepEqual(await spells.get("fire"), {
      spell_id: "fire",
      display_name: "Fire",
      active_draft_rev: "",
      active_beta_rev: "",
      active_stable_rev: "",
      created_at: at(1),
      updated_at: at(1),
    });
    assert.equal(await spells.get("nope"), undefined);
    assert.deepEqual((await spells.list()).map((s) => s.spell_id), ["mud", "ice", "fire"]);
  });

  contractTest(
    factory,
    "SpellStore: versions are reserved one by one; an unknown spell is refused",
    async (f) => {
      const spells = f.stores.spells;
      await spells.ensure("fire", "Fire", at(1), "owner");
      assert.equal(await spells.reserveVersion("fire", at(2)), 1);
      assert.equal(await spells.reserveVersion("fire", at(3)), 2);
      await assert.rejects(spells.reserveVersion("nope", at(3)));
    },
  );

  contractTest(
    factory,
    "SpellStore: a revision becomes the active draft; its files are found by listed path only",
    async (f) => {
      const spells = f.stores.spells;
      await spells.ensure("fire", "Fire", at(0), "owner");
      const first = revision("fire", 1);
      const second = revision("fire", 2, { parent: first.manifest.revision_id });
      await spells.addRevision(first, at(1));
      await spells.addRevision(second, at(2));
      const spell = (await spells.get("fire"))!;
      assert.equal(spell.active_draft_rev, second.manifest.revision_id);
      assert.equal(spell.updated_at, at(2));
      const view = (await spells.getRevision("fire", second.manifest.revision_id))!;
      assert.deepEqual(view, {
        revision_id: second.manifest.revision_id,
        spell_id: "fire",
        parent_revision_id: first.manifest.revision_id,
        channel: "draft",
        version: 2,
        created_at: at(2),
        manifest: second.manifest,
      });
      assert.deepEqual(
        (await spells.listRevisions("fire")).map((r) => r.version),
        [2, 1],
      );
      assert.equal(await spells.getRevision("other", second.manifest.revision_id), undefined);
      assert.deepEqual(
        await spells.fileOf("fire", first.manifest.revision_id, "code/spell.gd"),
        { hash: HASH_A, size: 100 },
      );
      assert.equal(
        await spells.fileOf("fire", first.manifest.revision_id, "code/other.gd"),
        undefined,
      );
      assert.equal(
        await spells.fileOf("ice", first.manifest.revision_id, "code/spell.gd"),
        undefined,
      );
      await assert.rejects(spells.addRevision(first, at(3)), "a revision id is written once");
    },
  );

  contractTest(
    factory,
    "SpellStore: a revision verified against another SpellScript API is never served",
    async (f) => {
      const spells = f.stores.spells;
      await spells.ensure("old", "Old", at(0), "owner");
      const old = revision("old", 1, { interfaceVersion: "1.0" });
      assert.notEqual(INTERFACE_VERSION, "1.0");
      await spells.addRevision(old, at(1));
      assert.equal(await spells.getRevision("old", old.manifest.revision_id), undefined);
      assert.deepEqual(await spells.listRevisions("old"), []);
      assert.equal(
        await spells.fileOf("old", old.manifest.revision_id, "code/spell.gd"),
        undefined,
      );
    },
  );

  contractTest(
    factory,
    "SpellStore: publishing points a channel at a revision; castable lists beta, else stable, latest change first",
    async (f) => {
      const spells = f.stores.spells;
      for (const id of ["a", "b", "c"]) {
        await spells.ensure(id, id, at(0), "owner");
        await spells.addRevision(revision(id, 1), at(1));
      }
      const rev = (id: string) => revision(id, 1).manifest.revision_id;
      await spells.setActive("a", "stable", rev("a"), at(5));
      await spells.setActive("b", "beta", rev("b"), at(6));
      await spells.setActive("c", "draft", rev("c"), at(7));
      assert.equal((await spells.get("a"))!.active_stable_rev, rev("a"));
      assert.equal((await spells.getRevision("b", rev("b")))!.channel, "beta");
      assert.deepEqual(await spells.castable(10), [
        { spellId: "b", revisionId: rev("b"), channel: "beta" },
        { spellId: "a", revisionId: rev("a"), channel: "stable" },
      ]);
      await spells.setActive("a", "beta", rev("a"), at(8));
      assert.deepEqual(await spells.castable(1), [
        { spellId: "a", revisionId: rev("a"), channel: "beta" },
      ]);
    },
  );
}
