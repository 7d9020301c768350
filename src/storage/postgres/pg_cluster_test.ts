/**
 * What the Postgres adapters promise beyond the shared contract suites, because several nodes share
 * one database: appends from two pools (two nodes) to one hot world take every seq once, in the
 * order they were acknowledged; a job runs under one node's lease at a time and a lapsed lease hands
 * it over; migrations are idempotent and refuse a newer schema; a node's blob cache is verified and
 * another node reads the shared copy. A real throwaway Postgres.
 */
import assert from "node:assert/strict";
import { freshDatabase, stopSharedPostgres } from "../../../tests/helpers/pg_fixture.ts";
import { world } from "../contract/world_store_contract.ts";
import { migratePostgres, SchemaTooNewError } from "./pg.ts";
import { PgBlobStore } from "./pg_blob_store.ts";
import { leaseBlobs, PgCollector } from "./pg_collector.ts";
import { pgStores } from "./pg_stores.ts";
import { connectPostgres } from "./pg.ts";
import type { VoxelOp } from "../../protocol/mod.ts";

const AT = "2026-01-01T00:00:00.000Z";
const op = (node: number, i: number): VoxelOp => ({
  op: "add_sphere",
  center: { x: node, y: i, z: 0 },
  radius: 1,
  material_id: 1,
});

Deno.test("postgres: two nodes appending to one world at once take every seq once, in ack order", async () => {
  const db = await freshDatabase();
  const other = connectPostgres(db.url);
  try {
    const a = pgStores(db.sql).stores.worlds;
    const b = pgStores(other).stores.worlds;
    await a.create(world("world_00000001"));
    const acked = new Map<number, VoxelOp>();
    const write = async (store: typeof a, node: number) => {
      // 400 appends in flight at once per node: they go as batches, one lock turn each.
      const results = await Promise.all(
        Array.from(
          { length: 400 },
          (_, i) => store.append("world_00000001", [op(node, i)], AT, 10_000),
        ),
      );
      results.forEach((result, i) => {
        assert.ok(result.ok);
        assert.equal(result.firstSeq, result.lastSeq);
        assert.ok(!acked.has(result.firstSeq), `seq ${result.firstSeq} given twice`);
        acked.set(result.firstSeq, op(node, i));
      });
      // One node's own appends are acknowledged in the order it made them.
      const seqs = results.map((result) => result.ok ? result.firstSeq : 0);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    };
    await Promise.all([write(a, 1), write(b, 2)]);
    assert.equal(acked.size, 800);
    assert.equal(await a.lastSeq("world_00000001"), 800);
    const stored = await b.opsAfter("world_00000001", 0, 800, 1000);
    assert.deepEqual(stored.map((s) => s.seq), Array.from({ length: 800 }, (_, i) => i + 1));
    for (const { seq, op } of stored) assert.deepEqual(op, acked.get(seq));
    // The cap holds across nodes: all or none per call.
    const capped = await Promise.all([
      a.append("world_00000001", [op(1, 0), op(1, 1)], AT, 801),
      b.append("world_00000001", [op(2, 0)], AT, 801),
    ]);
    assert.equal(capped.filter((result) => result.ok).length, 1);
    assert.equal(await a.opCount("world_00000001"), 801);
  } finally {
    await other.end();
    await db.drop();
  }
});

Deno.test("postgres: a job runs under one lease; a lapsed lease hands it to another node once", async () => {
  const db = await freshDatabase();
  try {
    const { stores } = pgStores(db.sql);
    await stores.spells.ensure("fire", "Fire", AT, "owner");
    await stores.jobs.create({
      jobId: "job_000000000001",
      spellId: "fire",
      request: { prompt: "", metadata: {}, parentRevisionId: "" },
      requestedBy: "c_a",
      now: AT,
    });
    const nodeA = { holder: "a", ms: 300 };
    const nodeB = { holder: "b", ms: 300 };
    // Both nodes queued it; only one starts it.
    const started = await Promise.all([
      stores.jobs.start("job_000000000001", AT, nodeA),
      stores.jobs.start("job_000000000001", AT, nodeB),
    ]);
    assert.deepEqual(started.filter(Boolean).length, 1);
    const [winner, loser] = started[0] ? [nodeA, nodeB] : [nodeB, nodeA];
    assert.equal(await stores.jobs.renew("job_000000000001", winner), true);
    assert.equal(await stores.jobs.renew("job_000000000001", loser), false);
    assert.deepEqual(await stores.jobs.recover(AT), [], "a live lease is not recovered");
    // The winner dies: nothing renews; after the lease, the other node recovers and starts it.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const recovered = await stores.jobs.recover(AT);
    assert.deepEqual(recovered.map((job) => [job.jobId, job.requestedBy]), [[
      "job_000000000001",
      "c_a",
    ]]);
    assert.equal(await stores.jobs.start("job_000000000001", AT, loser), true);
    assert.equal(await stores.jobs.renew("job_000000000001", winner), false, "the lease moved");
    assert.equal(await stores.jobs.start("job_000000000001", AT, winner), false);
  } finally {
    await db.drop();
  }
});

Deno.test("postgres: migrating again does nothing; a newer schema is refused", async () => {
  const db = await freshDatabase();
  try {
    const version = await migratePostgres(db.sql);
    assert.equal(await migratePostgres(db.sql), version);
    await db.sql`UPDATE schema_version SET version = ${version + 1}`;
    await assert.rejects(migratePostgres(db.sql), SchemaTooNewError);
  } finally {
    await db.drop();
  }
});

Deno.test("postgres: a blob stored by one node is read by another; a rotted cache file is fetched again", async () => {
  const db = await freshDatabase();
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    const a = new PgBlobStore(db.sql, dirs[0]!);
    const b = new PgBlobStore(db.sql, dirs[1]!);
    const bytes = new TextEncoder().encode("a spell's file\n");
    const { hash } = await a.put(bytes);
    assert.deepEqual(await b.get(hash), bytes);
    // Node B's cached copy rots: it is noticed on read and replaced from Postgres.
    const cached = b.cache.pathOf(hash);
    await Deno.writeTextFile(cached, "tampered");
    assert.deepEqual(await b.get(hash), bytes);
    assert.equal(await Deno.readTextFile(cached), "a spell's file\n");
    const opened = (await b.open(hash))!;
    assert.equal(await new Response(opened.body).text(), "a spell's file\n");
    // A build wrote into node A's cache only: upload makes it everyone's.
    const built = new TextEncoder().encode("built\n");
    const local = await a.cache.put(built);
    assert.equal(await b.get(local.hash), undefined);
    await a.upload([local.hash]);
    assert.deepEqual(await b.get(local.hash), built);
  } finally {
    await db.drop();
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("postgres: the collector keeps what is referenced, leased, published or young, and removes the rest", async () => {
  const db = await freshDatabase();
  const dir = await Deno.makeTempDir();
  try {
    const { stores } = pgStores(db.sql);
    const blobs = new PgBlobStore(db.sql, dir);
    const put = async (text: string) => (await blobs.put(new TextEncoder().encode(text))).hash;
    const [kept, garbage, leased, young] = [
      await put("referenced"),
      await put("garbage"),
      await put("leased"),
      await put("young"),
    ];
    const old = "2020-01-01T00:00:00.000Z";
    await stores.spells.ensure("fire", "Fire", old, "owner");
    const manifest = (version: number, hash: string) => ({
      manifest: {
        spell_id: "fire",
        revision_id: `rev_${version}`,
        version,
        created_at: old,
        interface_version: "x",
        code: [],
        assets: [],
      } as unknown as import("../../core/spell/manifest.ts").Manifest,
      parentRevisionId: "",
      files: [{ path: "spell.gd", hash, size: 1 }],
    });
    await stores.spells.addRevision(manifest(1, kept), old);
    await stores.spells.setActive("fire", "beta", "rev_1", old); // published: kept
    await stores.spells.addRevision(manifest(2, garbage), old); // an old draft: collected
    await leaseBlobs(db.sql, "job_000000000001", [leased]);
    await db.sql`UPDATE blobs SET created_at = now() - interval '1 day' WHERE hash <> ${young}`;
    const report = await new PgCollector(db.sql, {
      draftRetentionHours: 1,
      failedJobRetentionHours: 1,
      blobGraceSec: 600,
      cache: blobs.cache,
    }).run();
    assert.equal(report.revisions, 1);
    assert.equal(report.blobs, 1, JSON.stringify(report));
    const left = (await db.sql<{ hash: string }[]>`SELECT hash FROM blobs`).map((r) => r.hash);
    assert.deepEqual(left.sort(), [kept, leased, young].sort());
    assert.equal((await stores.spells.get("fire"))!.active_draft_rev, "rev_1", "draft repointed");
  } finally {
    await db.drop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("postgres: the audit log refuses UPDATE, DELETE and TRUNCATE even from the server's own role", async () => {
  const db = await freshDatabase();
  try {
    const { stores } = pgStores(db.sql);
    const id = await stores.audit.append({
      at: AT,
      actor: "operator",
      address: "127.0.0.1",
      action: "ban.create",
      target: "player:p_1",
      detail: {},
    });
    await assert.rejects(db.sql`UPDATE audit_log SET actor = 'someone else'`, /append-only/);
    await assert.rejects(db.sql`DELETE FROM audit_log WHERE id = ${id}`, /append-only/);
    await assert.rejects(db.sql`TRUNCATE audit_log`, /append-only/);
    assert.deepEqual((await stores.audit.list({ limit: 10 })).map((e) => e.actor), ["operator"]);
  } finally {
    await db.drop();
  }
});

Deno.test("postgres: the throwaway server stops", () => stopSharedPostgres());
