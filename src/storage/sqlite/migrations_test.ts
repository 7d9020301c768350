import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openDatabase } from "./db.ts";
import { MIGRATIONS } from "./migrations.ts";
import { SchemaTooNewError } from "../storage_errors.ts";
import { sqliteStores } from "./sqlite_stores.ts";

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

Deno.test("migration 5: every stored op gets its per-world seq in the order it was stored; appends continue after it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ugc-migrate-" });
  const path = join(dir, "ugc.db");
  try {
    const old = new DatabaseSync(path);
    old.exec(MIGRATIONS.slice(0, 4).join("\n") + "PRAGMA user_version = 4;");
    const at = "2026-01-01T00:00:00.000Z";
    for (const id of ["world_0000000a", "world_0000000b"]) {
      old.prepare(
        "INSERT INTO worlds (world_id, name, created_at, updated_at) VALUES (?, 'w', ?, ?)",
      ).run(id, at, at);
    }
    // Interleaved, as two busy worlds write: a's ops are op_id 1, 3, 5; b's 2, 4.
    for (const [world, x] of [["a", 0], ["b", 0], ["a", 1], ["b", 1], ["a", 2]] as const) {
      old.prepare(
        "INSERT INTO world_ops (world_id, op_type, op_data, created_at) VALUES (?, 'subtract_sphere', ?, ?)",
      ).run(`world_0000000${world}`, JSON.stringify({ center: { x, y: 0, z: 0 }, radius: 1 }), at);
    }
    old.close();

    const db = openDatabase(path);
    try {
      const rows = db.prepare("SELECT world_id, seq, op_data FROM world_ops ORDER BY op_id").all()
        .map((row) => [
          row.world_id,
          row.seq,
          (JSON.parse(row.op_data as string) as { center: { x: number } }).center.x,
        ]);
      assert.deepEqual(rows, [
        ["world_0000000a", 1, 0],
        ["world_0000000b", 1, 0],
        ["world_0000000a", 2, 1],
        ["world_0000000b", 2, 1],
        ["world_0000000a", 3, 2],
      ]);
      assert.throws(() =>
        db.prepare(
          "INSERT INTO world_ops (world_id, seq, op_type, op_data, created_at) VALUES ('world_0000000a', 3, 'x', '{}', '')",
        ).run()
      );
      const { stores } = sqliteStores(db);
      assert.equal(await stores.worlds.lastSeq("world_0000000a"), 3);
      assert.equal(await stores.worlds.opCount("world_0000000b"), 2);
      const appended = await stores.worlds.append(
        "world_0000000b",
        [{ op: "subtract_sphere", center: { x: 9, y: 0, z: 0 }, radius: 1 }],
        at,
        100,
      );
      assert.deepEqual(appended, { ok: true, firstSeq: 3, lastSeq: 3, count: 3 });
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("migration 6: spells and worlds stored before identities belong to 'legacy'; the audit log refuses UPDATE and DELETE", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ugc-migrate-" });
  const path = join(dir, "ugc.db");
  try {
    const old = new DatabaseSync(path);
    old.exec(MIGRATIONS.slice(0, 5).join("\n") + "PRAGMA user_version = 5;");
    const at = "2026-01-01T00:00:00.000Z";
    old.exec(`INSERT INTO spells (spell_id, created_at, updated_at) VALUES ('s', '${at}', '${at}');
              INSERT INTO worlds (world_id, name, created_by, created_at, updated_at)
              VALUES ('world_00000001', 'W', 'c_gone', '${at}', '${at}')`);
    old.close();
    const db = openDatabase(path);
    const { stores } = sqliteStores(db);
    assert.equal(await stores.spells.ownerOf("s"), "legacy");
    assert.equal((await stores.worlds.get("world_00000001"))!.owner_id, "legacy");
    await stores.audit.append({
      at,
      actor: "operator",
      address: "127.0.0.1",
      action: "publish",
      target: "spell:s/rev_000001_00000001",
      detail: {},
    });
    // Not even SQL on the file rewrites history without dropping the triggers first.
    assert.throws(() => db.exec("UPDATE audit_log SET actor = 'someone else'"), /append-only/);
    assert.throws(() => db.exec("DELETE FROM audit_log"), /append-only/);
    assert.equal((await stores.audit.list({ limit: 10 }))[0]!.actor, "operator");
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
