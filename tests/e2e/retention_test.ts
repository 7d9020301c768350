import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { ENTRYPOINT } from "../../src/core/spell/manifest.ts";
import { createManifest } from "../../src/workers/manifest.ts";
import { openDatabase } from "../../src/storage/sqlite/db.ts";
import { runNow } from "../../src/storage/sqlite/run.ts";
import { FsBlobStore } from "../../src/storage/fs/fs_blob_store.ts";
import { SqliteSpellStore } from "../../src/storage/sqlite/sqlite_spell_store.ts";
import { runCli } from "../helpers/cli.ts";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture, paddedSpell, sha256 } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

const NO_GRACE = {
  DRAFT_RETENTION_HOURS: "0",
  FAILED_JOB_RETENTION_HOURS: "0",
  BLOB_GRACE_SEC: "0",
};

function blobPath(dataDir: string, hash: string): string {
  return join(dataDir, "blobs", "sha256", hash.slice(0, 2), hash);
}

async function blobCount(dataDir: string): Promise<number> {
  let count = 0;
  const root = join(dataDir, "blobs", "sha256");
  for await (const prefix of Deno.readDir(root)) {
    for await (const _ of Deno.readDir(join(root, prefix.name))) count++;
  }
  return count;
}

Deno.test("gc, run while the server runs: old never-published revisions, spells left without one, failed jobs and unreferenced blobs go; published revisions stay downloadable; quota frees up", async () => {
  const server = await startTestServer({ MAX_SPELLS_PER_ADDRESS: "4" });
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const drafts = [
      (await build(client, "draft_only", { code: paddedSpell(2_000, "one") })).last,
      (await build(client, "draft_only", { code: paddedSpell(2_000, "two") })).last,
    ];
    const published = (await build(client, "published", { code: fixture("demo_spark.gd") })).last;
    client.send({
      type: "spell.publish",
      spell_id: "published",
      revision_id: published.revision_id,
    });
    await client.next("spell.revision_ready");
    const failed = await build(client, "failing", { code: fixture("bad/uses_os.gd") });
    await client.request({ type: "spell.create_draft", spell_id: "empty" }, "spell.draft_created");
    client.send({ type: "spell.create_draft", spell_id: "fifth" });
    assert.equal((await client.next("error")).code, "quota_exceeded");
    // A blob left by a crash long ago, referenced by nothing.
    const leftover = new TextEncoder().encode("orphan");
    await Deno.mkdir(join(server.dataDir, "blobs", "sha256", sha256(leftover).slice(0, 2)), {
      recursive: true,
    });
    await Deno.writeFile(blobPath(server.dataDir, sha256(leftover)), leftover);

    const result = await runCli(["gc"], { DATA_DIR: server.dataDir, ...NO_GRACE });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.revisions, 2);
    assert.equal(report.spells, 3, "draft_only, failing and empty");
    assert.equal(report.jobs, 3, "two completed jobs of collected revisions and the failed one");
    assert.equal(report.blobs, 3, "the two drafts' code and the leftover; the shared icon stays");

    const spells = (await (await fetch(`${server.httpUrl}/api/spells`)).json()).spells;
    assert.deepEqual(spells.map((s: { spell_id: string }) => s.spell_id), ["published"]);
    const file = await fetch(
      `${server.httpUrl}/api/spells/published/revisions/${published.revision_id}/files/code/spell.gd`,
    );
    assert.equal(await file.text(), fixture("demo_spark.gd"));
    const job = await fetch(`${server.httpUrl}/api/jobs/${failed.jobId}`);
    assert.equal(job.status, 404);
    await job.body?.cancel();
    for (const draft of drafts) {
      const hash = (draft.manifest as { code: { hash: string }[] }).code[0]!.hash;
      await assert.rejects(Deno.stat(blobPath(server.dataDir, hash)));
    }
    assert.equal((await runCli(["verify"], { DATA_DIR: server.dataDir })).code, 0);

    // What was collected no longer counts against the address (the server re-reads its usage).
    await eventually(async () => {
      client.send({ type: "spell.create_draft", spell_id: "fifth" });
      return (await client.next(["spell.draft_created", "error"])).type === "spell.draft_created";
    }, { what: "the spell quota to free up", timeoutMs: 5000 });
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("the server collects every GC_INTERVAL_SEC by itself and logs what it removed", async () => {
  const server = await startTestServer({ GC_INTERVAL_SEC: "1", ...NO_GRACE });
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const { last } = await build(client, "short_lived", { code: paddedSpell(1_000, "short") });
    await eventually(
      () =>
        server.logs.some((entry) =>
          entry.msg === "storage collected" && Number(entry.revisions) >= 1
        ),
      { what: "the periodic collector to remove the unpublished revision", timeoutMs: 10_000 },
    );
    const response = await fetch(`${server.httpUrl}/api/spells/short_lived/revisions`);
    assert.equal(response.status, 404, "its spell went with it");
    await response.body?.cancel();
    assert.match(last.revision_id as string, /^rev_/);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("gc killed mid-run (SIGKILL) leaves a consistent store, and the next run finishes the job", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ugc-gc-kill-" });
  try {
    // 150 old unpublished revisions, 30 published ones, 2,000 unreferenced blobs.
    const db = openDatabase(join(dataDir, "ugc.db"));
    const spells = new SqliteSpellStore(db, runNow);
    const blobs = new FsBlobStore(join(dataDir, "blobs"));
    const old = new Date(Date.now() - 2 * 3_600_000).toISOString();
    for (let n = 0; n < 180; n++) {
      const spellId = `s${n % 30}`;
      await spells.ensure(spellId, spellId, old, "legacy");
      const version = await spells.reserveVersion(spellId, old);
      const id = `rev_${String(version).padStart(6, "0")}_${n.toString(16).padStart(8, "0")}`;
      const file = await writeBlob(blobs, `revision ${n}`);
      const files = [{ path: ENTRYPOINT, hash: file.hash, size: file.size }];
      await spells.addRevision({
        manifest: createManifest({
          spellId,
          revisionId: id,
          version,
          createdAt: old,
          code: files,
          assets: [],
          metadata: { name: spellId, description: "", tags: [], preview_icon: "" },
          capabilities: [],
        }),
        parentRevisionId: "",
        files,
      }, old);
      if (n < 30) await spells.setActive(spellId, "stable", id, old);
    }
    db.close();
    for (let n = 0; n < 2_000; n++) await writeBlob(blobs, `garbage ${n}`);
    const before = await blobCount(dataDir);

    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname, "gc"],
      env: { DATA_DIR: dataDir, DRAFT_RETENTION_HOURS: "1", BLOB_GRACE_SEC: "0" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    await eventually(async () => (await blobCount(dataDir)) < before - 100, {
      what: "gc to start deleting",
      timeoutMs: 20_000,
    });
    child.kill("SIGKILL");
    assert.equal((await child.status).signal, "SIGKILL");
    const midway = await blobCount(dataDir);
    assert.ok(midway > 30, "killed before it finished");

    const check = new DatabaseSync(join(dataDir, "ugc.db"));
    try {
      const integrity = check.prepare("PRAGMA integrity_check").get() as {
        integrity_check: string;
      };
      assert.equal(integrity.integrity_check, "ok");
    } finally {
      check.close();
    }
    assert.equal(
      (await runCli(["verify"], { DATA_DIR: dataDir })).code,
      0,
      "no revision lost a blob",
    );
    const again = await runCli(["gc"], {
      DATA_DIR: dataDir,
      DRAFT_RETENTION_HOURS: "1",
      BLOB_GRACE_SEC: "0",
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await blobCount(dataDir), 30, "only the published revisions' blobs are left");
    const verified = await runCli(["verify"], { DATA_DIR: dataDir });
    assert.equal(verified.code, 0);
    assert.equal(JSON.parse(verified.stdout).blobs_checked, 30);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("builds racing a collector that runs back to back with no retention and no grace: every revision that exists has all its blobs", async () => {
  const server = await startTestServer({ ...NO_GRACE, MAX_BUILDS_PER_HOUR: "10000" });
  const clients = await Promise.all([0, 1, 2].map(() => GodotClient.connect(server.wsUrl)));
  let racing = true;
  let collections = 0;
  const collector = (async () => {
    while (racing) {
      await server.app.collect();
      collections++;
    }
  })();
  try {
    // Four contents built over and over: each build may reuse a blob the collector is deleting.
    const codes = [0, 1, 2, 3].map((n) => paddedSpell(3_000, `race ${n}`));
    const published: { spellId: string; revisionId: string }[] = [];
    const deadline = Date.now() + 2_500;
    await Promise.all(clients.map(async (client, c) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const spellId = `race_${c}_${n % 3}`;
        const { last } = await build(client, spellId, { code: codes[(c + n) % 4] });
        if (last.stage !== "done" || n % 4 !== 0) continue;
        client.send({ type: "spell.publish", spell_id: spellId, revision_id: last.revision_id });
        const reply = await client.next(["spell.revision_ready", "error"], {
          where: (m) => m.type === "error" || m.revision_id === last.revision_id,
        });
        // Retention 0: the collector may have taken the draft first; that is allowed.
        if (reply.type === "spell.revision_ready") {
          published.push({ spellId, revisionId: last.revision_id as string });
        } else assert.equal(reply.code, "revision_not_found");
      }
    }));
    racing = false;
    await collector;
    assert.ok(collections > 3, `only ${collections} collections ran`);
    assert.ok(published.length > 0);
    const verified = await runCli(["verify"], { DATA_DIR: server.dataDir });
    assert.equal(verified.code, 0, verified.stdout);
    for (const { spellId, revisionId } of published) {
      const response = await fetch(
        `${server.httpUrl}/api/spells/${spellId}/revisions/${revisionId}/files/code/spell.gd`,
      );
      assert.equal(response.status, 200);
      await response.body?.cancel();
    }
  } finally {
    racing = false;
    await collector;
    for (const client of clients) await client.close();
    await server.close();
  }
});

/** A blob written straight into place (no fsync: test setup only). */
async function writeBlob(
  blobs: FsBlobStore,
  text: string,
): Promise<{ hash: string; size: number }> {
  const bytes = new TextEncoder().encode(text);
  const hash = sha256(bytes);
  await Deno.mkdir(join(blobs.root, "sha256", hash.slice(0, 2)), { recursive: true });
  await Deno.writeFile(blobs.pathOf(hash), bytes);
  return { hash, size: bytes.length };
}
