import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { INTERFACE_VERSION } from "../../src/workers/manifest.ts";
import { MIGRATIONS } from "../../src/storage/sqlite/migrations.ts";
import { runCli } from "../helpers/cli.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import type { Message } from "../helpers/message_queue.ts";
import { build, fixture, paddedSpell, publish, sha256 } from "../helpers/spells.ts";
import { spawnServer } from "../helpers/subprocess_server.ts";
import { startTestServer } from "../helpers/test_server.ts";

/** What a server holds, read through its public interfaces (HTTP and a joining Godot client). */
async function snapshot(httpUrl: string, wsUrl: string) {
  const worlds = (await (await fetch(`${httpUrl}/api/worlds`)).json()).worlds as {
    world_id: string;
    name: string;
  }[];
  const ops: Record<string, unknown[]> = {};
  const client = await GodotClient.connect(wsUrl);
  try {
    for (const world of worlds) {
      client.send({ type: "world.join", world_id: world.world_id });
      await client.next("world.joined");
      const first = await client.next(["sync_ops", "sync_complete"]);
      const chunks: Message[] = first.type === "sync_ops" ? [first] : [];
      while (chunks.length > 0 && chunks.length < (chunks[0]!.chunk_count as number)) {
        chunks.push(await client.next("sync_ops"));
      }
      ops[world.name] = chunks.flatMap((chunk) => chunk.ops as unknown[]);
    }
  } finally {
    await client.close();
  }
  const spells = (await (await fetch(`${httpUrl}/api/spells`)).json()).spells as {
    spell_id: string;
    active_beta_rev: string;
  }[];
  const revisions: Record<string, string[]> = {};
  const files: Record<string, string> = {};
  for (const spell of spells) {
    const listed = await (await fetch(`${httpUrl}/api/spells/${spell.spell_id}/revisions`)).json();
    revisions[spell.spell_id] = listed.revisions.map((r: { revision_id: string }) => r.revision_id);
    for (const revision of listed.revisions) {
      const manifest = revision.manifest;
      for (const file of [...manifest.code, ...manifest.assets]) {
        const url =
          `${httpUrl}/api/spells/${spell.spell_id}/revisions/${revision.revision_id}/files/${file.path}`;
        const response = await fetch(url);
        assert.equal(response.status, 200, url);
        const bytes = new Uint8Array(await response.arrayBuffer());
        assert.equal(sha256(bytes), file.hash, `${url} downloads intact`);
        files[`${spell.spell_id}/${revision.revision_id}/${file.path}`] = file.hash;
      }
    }
  }
  return {
    worlds: worlds.map((world) => world.name).sort(),
    ops,
    spells: spells.map((spell) => `${spell.spell_id}:${spell.active_beta_rev}`).sort(),
    revisions,
    files,
  };
}

Deno.test("backup DIR under write load: creates DIR (and its parents) with a consistent database and every blob it uses; never writes into a non-empty DIR", async () => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "1000000",
    RATE_LIMIT_BURST: "1000000",
  });
  const writer = await GodotClient.connect(server.wsUrl);
  const root = await Deno.makeTempDir({ prefix: "ugc-backup-" });
  const target = join(root, "nested", "2026-11-24");
  try {
    await build(writer, "backed_up");
    const world = (await writer.request({ type: "world.create", name: "Busy" }, "world.created"))
      .world as { world_id: string };
    await writer.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    let writing = true;
    const load = (async () => {
      while (writing) {
        for (let i = 0; i < 200; i++) {
          writer.send({ type: "request_spell", spell: { type: "dig" } });
        }
        await writer.roundTrip();
      }
    })();
    const result = await runCli(["backup", target], { DATA_DIR: server.dataDir });
    writing = false;
    await load;
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.blobs, 2);
    assert.equal(report.worlds, 1);
    assert.equal(report.revisions, 1);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(target, "backup.json"))), report);
    const copy = new DatabaseSync(join(target, "ugc.db"), { readOnly: true });
    try {
      const check = copy.prepare("PRAGMA integrity_check").get() as { integrity_check: string };
      assert.equal(check.integrity_check, "ok");
      const ops = copy.prepare("SELECT COUNT(*) AS n FROM world_ops").get() as { n: number };
      assert.equal(Number(ops.n), report.ops, "the report describes the copy");
      for (
        const { hash } of copy.prepare("SELECT hash FROM revision_files").all() as {
          hash: string;
        }[]
      ) {
        const bytes = await Deno.readFile(join(target, "blobs", "sha256", hash.slice(0, 2), hash));
        assert.equal(sha256(bytes), hash);
      }
    } finally {
      copy.close();
    }
    const entries = (await Array.fromAsync(Deno.readDir(target))).map((e) => e.name).sort();
    assert.deepEqual(entries, ["backup.json", "blobs", "ugc.db"], "no -wal, no temp files");
    const again = await runCli(["backup", target], { DATA_DIR: server.dataDir });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds files/);
  } finally {
    await writer.close();
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("write, back up, write more, SIGKILL, restore: exactly the backup's worlds, ops, spells and files come back, and every file downloads; restore refuses while the server runs and refuses a damaged backup", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ugc-restore-" });
  const backups = await Deno.makeTempDir({ prefix: "ugc-restore-backups-" });
  const dir = join(backups, "before");
  let server = await spawnServer(dataDir);
  try {
    // 1. Write.
    let client = await GodotClient.connect(server.wsUrl);
    const w1 = (await client.request({ type: "world.create", name: "W1" }, "world.created"))
      .world as { world_id: string };
    await client.request({ type: "world.create", name: "W2" }, "world.created");
    await client.request({ type: "world.join", world_id: w1.world_id }, "world.joined");
    for (let x = 0; x < 20; x++) {
      client.send({
        type: "request_spell",
        spell: { type: "create_land", center: { x, y: 0, z: 0 } },
      });
      await client.next("apply_op");
    }
    const a1 = (await build(client, "spell_a", { code: fixture("demo_spark.gd") })).last;
    client.send({ type: "spell.publish", spell_id: "spell_a", revision_id: a1.revision_id });
    await client.next("spell.revision_ready");
    await build(client, "spell_b", { code: paddedSpell(30_000, "b") });
    const before = await snapshot(server.httpUrl, server.wsUrl);

    // 2. Back up (online).
    const backedUp = await runCli(["backup", dir], { DATA_DIR: dataDir });
    assert.equal(backedUp.code, 0, backedUp.stderr);

    // 3. Write more.
    await client.request({ type: "world.create", name: "W3" }, "world.created");
    for (let x = 0; x < 10; x++) {
      client.send({ type: "request_spell", spell: { type: "dig", center: { x, y: 1, z: 0 } } });
      await client.next("apply_op");
    }
    await build(client, "spell_c", { code: fixture("demo_spawn.gd") });
    const a2 = (await build(client, "spell_a", { code: paddedSpell(20_000, "a2") })).last;
    client.send({ type: "spell.publish", spell_id: "spell_a", revision_id: a2.revision_id });
    await client.next("spell.revision_ready");

    // 4. A running server's data directory is not restored into.
    const refused = await runCli(["restore", dir], { DATA_DIR: dataDir });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /another ugc-world-server is using .*stop it first/);

    // 5. Crash: the newest writes are in ugc.db-wal (the old restore mixed it into the copy).
    server.child.kill("SIGKILL");
    await server.exited();
    await client.closed;
    client.socket.close();

    // 6. A damaged backup is refused and changes nothing.
    const damagedDir = join(backups, "damaged");
    await copyTree(dir, damagedDir);
    const blobDir = join(damagedDir, "blobs", "sha256");
    const prefix = (await Array.fromAsync(Deno.readDir(blobDir)))[0]!.name;
    const victim = (await Array.fromAsync(Deno.readDir(join(blobDir, prefix))))[0]!.name;
    await Deno.writeTextFile(join(blobDir, prefix, victim), "rotten");
    const dbBefore = sha256(await Deno.readFile(join(dataDir, "ugc.db")));
    const damaged = await runCli(["restore", damagedDir], { DATA_DIR: dataDir });
    assert.equal(damaged.code, 1);
    assert.match(damaged.stderr, /the backup is damaged, nothing was changed/);
    assert.match(damaged.stderr, new RegExp(`${victim.slice(0, 12)}… used by spell_`));
    assert.equal(sha256(await Deno.readFile(join(dataDir, "ugc.db"))), dbBefore);

    // 7. Restore.
    const restored = await runCli(["restore", dir], { DATA_DIR: dataDir });
    assert.equal(restored.code, 0, restored.stderr);
    const report = JSON.parse(restored.stdout);
    assert.equal(report.worlds, 2);
    assert.match(report.replaced, /ugc\.db\.replaced-/);
    await assert.rejects(Deno.stat(join(dataDir, "ugc.db-wal")));
    await assert.rejects(Deno.stat(join(dataDir, "ugc.db-shm")));

    server = await spawnServer(dataDir);
    const after = await snapshot(server.httpUrl, server.wsUrl);
    assert.deepEqual(after, before);
    client = await GodotClient.connect(server.wsUrl);
    try {
      // Over the Godot protocol too: the published revision downloads.
      client.send({
        type: "content.get_file",
        spell_id: "spell_a",
        revision_id: a1.revision_id,
        path: "code/spell.gd",
      });
      const file = await client.next("content.file");
      assert.equal(atob(file.content as string), fixture("demo_spark.gd"));
    } finally {
      await client.close();
    }
  } finally {
    try {
      server.child.kill("SIGTERM");
    } catch { /* already gone */ }
    await server.exited();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(backups, { recursive: true });
  }
});

Deno.test("a corrupt or missing blob: verify names the revisions it breaks; rebuilding the same code repairs it (put verifies the stored copy)", async () => {
  const server = await startTestServer();
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const code = fixture("demo_spawn.gd");
    const first = (await build(client, "victim", { code })).last;
    await publish(client, "victim", first.revision_id as string);
    const manifest = first.manifest as { code: { hash: string }[]; assets: { hash: string }[] };
    const codeBlob = join(server.dataDir, "blobs", "sha256", manifest.code[0]!.hash.slice(0, 2));
    await Deno.writeTextFile(join(codeBlob, manifest.code[0]!.hash), "extends Rot\n");
    const iconHash = manifest.assets[0]!.hash;
    await Deno.remove(join(server.dataDir, "blobs", "sha256", iconHash.slice(0, 2), iconHash));

    const url =
      `${server.httpUrl}/api/spells/victim/revisions/${first.revision_id}/files/code/spell.gd`;
    assert.equal((await fetch(url)).status, 500, "a corrupt blob is never served");

    const verified = await runCli(["verify"], { DATA_DIR: server.dataDir });
    assert.equal(verified.code, 1);
    const report = JSON.parse(verified.stdout);
    assert.equal(report.database, "ok");
    assert.deepEqual(
      report.damaged.map((
        d: { problem: string; revisions: { revision_id: string; path: string }[] },
      ) => [
        d.problem,
        d.revisions.map((r) => `${r.revision_id} ${r.path}`),
      ]).sort(),
      [
        ["corrupt", [`${first.revision_id} code/spell.gd`]],
        ["missing", [`${first.revision_id} assets/icon.png`]],
      ],
    );

    // The same code built again (by anyone): the stored copy is checked and replaced.
    assert.equal((await build(client, "healer", { code })).last.stage, "done");
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(new TextDecoder().decode(await response.arrayBuffer()), code);
    const clean = await runCli(["verify"], { DATA_DIR: server.dataDir });
    assert.equal(clean.code, 0, clean.stdout);
    assert.equal(JSON.parse(clean.stdout).blobs_checked, 2);
  } finally {
    await client.close();
    await server.close();
  }
});

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(join(from, entry.name), join(to, entry.name));
    else await Deno.copyFile(join(from, entry.name), join(to, entry.name));
  }
}

Deno.test("back up before upgrading: this version backs up a database of the previous schema, and restores it (the server migrates it on start)", async () => {
  const root = await Deno.makeTempDir({ prefix: "ugc-upgrade-" });
  const oldDir = join(root, "old");
  try {
    await Deno.mkdir(join(oldDir, "blobs", "sha256"), { recursive: true });
    const code = new TextEncoder().encode(fixture("demo_spark.gd"));
    const hash = sha256(code);
    await Deno.mkdir(join(oldDir, "blobs", "sha256", hash.slice(0, 2)));
    await Deno.writeFile(join(oldDir, "blobs", "sha256", hash.slice(0, 2), hash), code);
    const old = new DatabaseSync(join(oldDir, "ugc.db"));
    old.exec("PRAGMA journal_mode = WAL");
    old.exec(MIGRATIONS[0]! + MIGRATIONS[1]! + "PRAGMA user_version = 2;");
    const at = "2026-01-01T00:00:00.000Z";
    old.exec(`INSERT INTO worlds (world_id, name, created_at, updated_at)
              VALUES ('world_0000000a', 'Old world', '${at}', '${at}');
              INSERT INTO spells (spell_id, active_beta_rev, created_at, updated_at)
              VALUES ('old_spell', 'rev_000001_0000000a', '${at}', '${at}');`);
    const manifest = {
      spell_id: "old_spell",
      revision_id: "rev_000001_0000000a",
      version: 1,
      created_at: at,
      entrypoint: "code/spell.gd",
      language: "gdscript",
      interface_version: INTERFACE_VERSION,
      code: [{ path: "code/spell.gd", hash, size: code.length }],
      assets: [],
      metadata: { name: "Old", description: "", tags: [], preview_icon: "" },
      capabilities: [],
    };
    old.prepare(
      `INSERT INTO revisions (revision_id, spell_id, channel, version, manifest_json, created_at)
                 VALUES ('rev_000001_0000000a', 'old_spell', 'beta', 1, ?, ?)`,
    )
      .run(JSON.stringify(manifest), at);
    old.prepare(`INSERT INTO revision_files (revision_id, path, hash, size)
                 VALUES ('rev_000001_0000000a', 'code/spell.gd', ?, ?)`).run(hash, code.length);
    old.close();

    const backedUp = await runCli(["backup", join(root, "backup")], { DATA_DIR: oldDir });
    assert.equal(backedUp.code, 0, backedUp.stderr);
    assert.equal(JSON.parse(backedUp.stdout).schema_version, 2);
    const restored = await runCli(["restore", join(root, "backup")], {
      DATA_DIR: join(root, "new"),
    });
    assert.equal(restored.code, 0, restored.stderr);
    const server = await startTestServer({}, join(root, "new"));
    try {
      const worlds = (await (await fetch(`${server.httpUrl}/api/worlds`)).json()).worlds;
      assert.deepEqual(worlds.map((w: { name: string }) => w.name), ["Old world"]);
      const file = await fetch(
        `${server.httpUrl}/api/spells/old_spell/revisions/rev_000001_0000000a/files/code/spell.gd`,
      );
      assert.equal(await file.text(), fixture("demo_spark.gd"));
    } finally {
      await server.close({ keepData: true });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
