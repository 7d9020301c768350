import assert from "node:assert/strict";
import { join } from "node:path";
import { ENTRYPOINT } from "../../core/spell/manifest.ts";
import { createManifest } from "../../workers/manifest.ts";
import { BlobLeases } from "./blob_leases.ts";
import { Collector } from "./collector.ts";
import { type Database, openDatabase } from "./db.ts";
import { FsBlobStore } from "../fs/fs_blob_store.ts";
import { runNow } from "./run.ts";
import { SqliteJobStore } from "./sqlite_job_store.ts";
import { SqliteSpellStore } from "./sqlite_spell_store.ts";

const HOUR = 3_600_000;
const encoder = new TextEncoder();

interface Fixture {
  dir: string;
  db: Database;
  blobs: FsBlobStore;
  leases: BlobLeases;
  spells: SqliteSpellStore;
  collector: (options?: { draftRetentionHours?: number; now?: number }) => Collector;
  /** A finished revision of `spellId` holding `code`, created `ageHours` ago. */
  revision(spellId: string, code: string, ageHours?: number): Promise<{ id: string; hash: string }>;
  close(): Promise<void>;
}

async function fixture(): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "ugc-collector-" });
  const db = openDatabase(join(dir, "ugc.db"));
  const blobs = new FsBlobStore(join(dir, "blobs"));
  const spells = new SqliteSpellStore(db, runNow);
  let serial = 0;
  return {
    dir,
    db,
    blobs,
    leases: new BlobLeases(db),
    spells,
    collector: (options = {}) =>
      new Collector({
        db,
        blobs,
        draftRetentionHours: options.draftRetentionHours ?? 1,
        failedJobRetentionHours: 1,
        blobGraceSec: 0,
        now: () => options.now ?? Date.now(),
      }),
    async revision(spellId, code, ageHours = 0) {
      const at = new Date(Date.now() - ageHours * HOUR).toISOString();
      await spells.ensure(spellId, spellId, at, "owner");
      const version = await spells.reserveVersion(spellId, at);
      const id = `rev_${String(version).padStart(6, "0")}_${
        (++serial).toString(16).padStart(8, "0")
      }`;
      const file = { path: ENTRYPOINT, ...await blobs.put(encoder.encode(code)) };
      const manifest = createManifest({
        spellId,
        revisionId: id,
        version,
        createdAt: at,
        code: [{ path: file.path, hash: file.hash, size: file.size }],
        assets: [],
        metadata: { name: spellId, description: "", tags: [], preview_icon: "" },
        capabilities: [],
      });
      await spells.addRevision({
        manifest,
        parentRevisionId: "",
        files: [{ path: file.path, hash: file.hash, size: file.size }],
      }, at);
      db.prepare("UPDATE spells SET updated_at = ? WHERE spell_id = ?").run(at, spellId);
      return { id, hash: file.hash };
    },
    async close() {
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("a blob leased by a build is never collected, whichever side goes first", async () => {
  const f = await fixture();
  try {
    const code = encoder.encode("extends SpellModule # leftover\n");
    // A leftover: stored once, referenced by nothing now (its revision was collected).
    const { hash } = await f.blobs.put(code);
    const path = f.blobs.pathOf(hash);

    // 1. The build leases first, then finds the file and reuses it: the collector keeps it.
    await f.leases.lease("job_000000000001", [hash]);
    let report = await f.collector().run();
    assert.equal(report.blobs, 0);
    assert.ok(await exists(path));
    assert.equal((await f.blobs.put(code)).hash, hash); // the build's put: already there
    // The revision commits and the lease ends in the same transaction (SqliteJobStore.complete).
    const spells = f.spells;
    await spells.ensure("s", "s", new Date().toISOString(), "owner");
    const manifest = createManifest({
      spellId: "s",
      revisionId: "rev_000001_00000001",
      version: await spells.reserveVersion("s", new Date().toISOString()),
      createdAt: new Date().toISOString(),
      code: [{ path: ENTRYPOINT, hash, size: code.length }],
      assets: [],
      metadata: { name: "s", description: "", tags: [], preview_icon: "" },
      capabilities: [],
    });
    await f.spells.addRevision({
      manifest,
      parentRevisionId: "",
      files: [{ path: ENTRYPOINT, hash, size: code.length }],
    }, new Date().toISOString());
    await f.leases.release("job_000000000001");
    report = await f.collector().run();
    assert.equal(report.blobs, 0);
    assert.equal(await f.blobs.check(hash), "ok");

    // 2. The collector goes first: the blob is gone before the lease, so the build's put (which
    //    only looks after leasing) writes it again.
    const other = encoder.encode("extends SpellModule # another leftover\n");
    const second = (await f.blobs.put(other)).hash;
    report = await f.collector().run();
    assert.equal(report.blobs, 1);
    assert.equal(await exists(f.blobs.pathOf(second)), false);
    await f.leases.lease("job_000000000002", [second]);
    await f.blobs.put(other);
    assert.equal((await f.collector().run()).blobs, 0);
    assert.equal(await f.blobs.check(second), "ok");

    // 3. Why the lease exists: without one, a put that found the file can lose it to the sweep.
    const third = encoder.encode("extends SpellModule # unleased\n");
    const unleased = (await f.blobs.put(third)).hash;
    await f.blobs.put(third); // "already stored", the build would now reference it…
    assert.equal((await f.collector().run()).blobs, 1); // …but it is gone
    assert.equal(await f.blobs.check(unleased), "missing");
  } finally {
    await f.close();
  }
});

Deno.test("retention: old never-published revisions and then-empty spells go; published ones, recent drafts and spells with queued builds stay", async () => {
  const f = await fixture();
  try {
    const old = await f.revision("old_draft", "extends SpellModule # old\n", 5);
    const published = await f.revision("published", "extends SpellModule # pub\n", 5);
    await f.spells.setActive("published", "beta", published.id, new Date().toISOString());
    const once = await f.revision("once_published", "extends SpellModule # once\n", 5);
    await f.spells.setActive("once_published", "stable", once.id, new Date().toISOString());
    const later = await f.revision("once_published", "extends SpellModule # later\n", 0);
    await f.spells.setActive("once_published", "stable", later.id, new Date().toISOString());
    const recent = await f.revision("mixed", "extends SpellModule # recent\n", 0);
    const stale = await f.revision("mixed", "extends SpellModule # stale\n", 5);
    // A spell with no revision but a queued build is kept whatever its age.
    const longAgo = new Date(Date.now() - 5 * HOUR).toISOString();
    await f.spells.ensure("queued", "queued", longAgo, "owner");
    await new SqliteJobStore(f.db, runNow).create({
      jobId: "job_00000000000a",
      spellId: "queued",
      request: { prompt: "", metadata: {}, parentRevisionId: "" },
      requestedBy: "c_x",
      now: longAgo,
    });
    await f.spells.ensure("empty_old", "empty_old", longAgo, "owner");
    await f.spells.ensure("empty_new", "empty_new", new Date().toISOString(), "owner");
    f.db.prepare("UPDATE spells SET active_draft_rev = ? WHERE spell_id = 'mixed'").run(stale.id);

    const report = await f.collector().run();
    assert.equal(report.revisions, 2); // old_draft's and mixed's stale one
    const revisions =
      (f.db.prepare("SELECT revision_id FROM revisions ORDER BY revision_id").all() as {
        revision_id: string;
      }[]).map((row) => row.revision_id).sort();
    assert.deepEqual(revisions, [published.id, once.id, later.id, recent.id].sort());
    const spellIds = (await f.spells.list()).map((spell) => spell.spell_id).sort();
    assert.deepEqual(spellIds, ["empty_new", "mixed", "once_published", "published", "queued"]);
    assert.equal(
      (await f.spells.get("mixed"))!.active_draft_rev,
      recent.id,
      "the draft pointer moved",
    );
    assert.equal(await f.blobs.check(old.hash), "missing");
    assert.equal(await f.blobs.check(stale.hash), "missing");
    for (const kept of [published, once, later, recent]) {
      assert.equal(await f.blobs.check(kept.hash), "ok");
    }
  } finally {
    await f.close();
  }
});

Deno.test("a hold (a backup in progress) pauses blob deletion; the blob grace spares young files", async () => {
  const f = await fixture();
  try {
    const { hash } = await f.blobs.put(encoder.encode("leftover"));
    await f.leases.hold("backup:test");
    let report = await f.collector().run();
    assert.equal(report.blobs, 0);
    assert.equal(report.blobs_skipped, "a backup is in progress");
    await f.leases.unhold("backup:test");
    const graceful = new Collector({
      db: f.db,
      blobs: f.blobs,
      draftRetentionHours: 1,
      failedJobRetentionHours: 1,
      blobGraceSec: 600,
    });
    report = await graceful.run();
    assert.equal(report.blobs, 0, "written seconds ago: kept");
    const old = new Date(Date.now() - 11 * 60_000);
    await Deno.utime(f.blobs.pathOf(hash), old, old);
    report = await graceful.run();
    assert.equal(report.blobs, 1);
  } finally {
    await f.close();
  }
});
