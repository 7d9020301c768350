import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openDatabase } from "./db.ts";
import { MIGRATIONS } from "./migrations.ts";
import { SchemaTooNewError } from "./storage_errors.ts";

Deno.test("migration 3: finished jobs already stored drop their code, queued ones keep it; published revisions are marked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ugc-migrate-" });
  const path = join(dir, "ugc.db");
  try {
    const old = new DatabaseSync(path);
    old.exec(MIGRATIONS[0]! + MIGRATIONS[1]! + "PRAGMA user_version = 2;");
    const at = "2026-01-01T00:00:00.000Z";
    old.exec(`INSERT INTO spells (spell_id, active_beta_rev, created_at, updated_at)
              VALUES ('s', 'rev_000002_00000002', '${at}', '${at}')`);
    for (
      const [id, version] of [["rev_000001_00000001", 1], ["rev_000002_00000002", 2]] as const
    ) {
      old.prepare(`INSERT INTO revisions (revision_id, spell_id, version, manifest_json, created_at)
                   VALUES (?, 's', ?, '{}', ?)`).run(id, version, at);
    }
    const code = JSON.stringify({ code: "extends SpellModule\n" + "#".repeat(40_000) });
    for (
      const [id, status] of [["job_1", "completed"], ["job_2", "failed"], [
        "job_3",
        "pending",
      ]] as const
    ) {
      old.prepare(`INSERT INTO jobs (job_id, spell_id, status, request_json, created_at, updated_at)
                   VALUES (?, 's', ?, ?, ?, ?)`).run(id, status, code, at, at);
    }
    old.close();

    const db = openDatabase(path);
    try {
      const jobs = db.prepare(
        "SELECT job_id, request_json IS NULL AS dropped FROM jobs ORDER BY job_id",
      )
        .all().map((row) => ({ ...row }));
      assert.deepEqual(jobs, [
        { job_id: "job_1", dropped: 1 },
        { job_id: "job_2", dropped: 1 },
        { job_id: "job_3", dropped: 0 },
      ]);
      const marks = db.prepare(
        "SELECT revision_id, published_at IS NOT NULL AS published FROM revisions ORDER BY revision_id",
      ).all().map((row) => ({ ...row }));
      assert.deepEqual(marks, [
        { revision_id: "rev_000001_00000001", published: 0 },
        { revision_id: "rev_000002_00000002", published: 1 },
      ]);
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a database newer than this server is refused with SchemaTooNewError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ugc-migrate-" });
  try {
    const db = new DatabaseSync(join(dir, "ugc.db"));
    db.exec("PRAGMA user_version = 99");
    db.close();
    assert.throws(() => openDatabase(join(dir, "ugc.db")), SchemaTooNewError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
