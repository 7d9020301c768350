import assert from "node:assert/strict";
import { join } from "node:path";
import { measureDataBytes } from "./data_usage.ts";
import { openDatabase } from "./db.ts";

Deno.test("blob bytes count each referenced blob once: a hash's first reference adds its size, its last one leaving (cascades too) takes it off", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ugc-usage-" });
  const db = openDatabase(join(dir, "ugc.db"));
  try {
    const blobBytes = () =>
      Number(
        (db.prepare("SELECT blob_bytes FROM storage_stats").get() as { blob_bytes: number })
          .blob_bytes,
      );
    db.exec("INSERT INTO spells (spell_id, created_at, updated_at) VALUES ('s', 'x', 'x')");
    const revision = db.prepare(
      "INSERT INTO revisions (revision_id, spell_id, version, manifest_json, created_at) VALUES (?, 's', ?, '{}', 'x')",
    );
    const file = db.prepare(
      "INSERT INTO revision_files (revision_id, path, hash, size) VALUES (?, ?, ?, ?)",
    );
    revision.run("r1", 1);
    file.run("r1", "code/spell.gd", "a".repeat(64), 1000);
    file.run("r1", "assets/icon.png", "b".repeat(64), 100);
    assert.equal(blobBytes(), 1100);
    revision.run("r2", 2);
    file.run("r2", "code/spell.gd", "a".repeat(64), 1000); // shared: counted once
    file.run("r2", "assets/icon.png", "c".repeat(64), 50);
    assert.equal(blobBytes(), 1150);
    db.exec("DELETE FROM revisions WHERE revision_id = 'r1'"); // files go by ON DELETE CASCADE
    assert.equal(blobBytes(), 1050, "b is gone, a is still referenced by r2");
    db.exec("DELETE FROM revisions WHERE revision_id = 'r2'");
    assert.equal(blobBytes(), 0);
    const before = measureDataBytes(db);
    revision.run("r3", 3);
    file.run("r3", "code/spell.gd", "d".repeat(64), 40_000);
    assert.ok(measureDataBytes(db) >= before + 40_000);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
