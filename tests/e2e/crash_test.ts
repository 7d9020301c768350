import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { fixture } from "../helpers/spells.ts";
import { spawnServer } from "../helpers/subprocess_server.ts";

Deno.test("SIGKILL during builds: after restart no half-made revision is reachable and jobs finish", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ugc-crash-" });
  let server = await spawnServer(dataDir, { BUILD_WORKERS: "1" });
  const clients = await Promise.all([0, 1, 2, 3].map(() => GodotClient.connect(server.wsUrl)));
  const jobIds: string[] = [];
  try {
    for (const [i, client] of clients.entries()) {
      for (const n of [0, 1]) {
        client.send({
          type: "spell.start_build",
          spell_id: `crash_${i}_${n}`,
          code: fixture("demo_spawn.gd"),
        });
        jobIds.push((await client.next("spell.build_started")).job_id as string);
      }
    }
    // Kill while the queue is busy: some builds done, one running, the rest waiting.
    await clients[0]!.next("job.progress", { where: (m) => m.stage === "done" });
    server.child.kill("SIGKILL");
    assert.equal((await server.exited()).signal, "SIGKILL");
    await Promise.all(clients.map((client) => client.closed));

    server = await spawnServer(dataDir, { BUILD_WORKERS: "2" });
    const jobs = await eventually(async () => {
      const all = await Promise.all(
        jobIds.map(async (id) => (await fetch(`${server.httpUrl}/api/jobs/${id}`)).json()),
      );
      return all.every((job) => job.status === "completed" || job.status === "failed")
        ? all
        : undefined;
    }, { timeoutMs: 30_000, what: "recovered jobs to finish" });
    assert.ok(
      jobs.every((job) => job.status === "completed"),
      JSON.stringify(jobs.map((j) => [j.job_id, j.status])),
    );
    assert.match(server.stderr(), /"msg":"recovered after restart"/);

    server.child.kill("SIGTERM");
    assert.equal((await server.exited()).code, 0);
    const db = new DatabaseSync(join(dataDir, "ugc.db"));
    try {
      assert.equal(
        (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
        "ok",
      );
      const revisions = db.prepare("SELECT revision_id, spell_id FROM revisions").all() as {
        revision_id: string;
      }[];
      assert.equal(
        revisions.length,
        jobIds.length,
        "one revision per job, none duplicated or half-made",
      );
      for (
        const file of db.prepare("SELECT hash, size FROM revision_files").all() as {
          hash: string;
          size: number;
        }[]
      ) {
        const bytes = await Deno.readFile(
          join(dataDir, "blobs", "sha256", file.hash.slice(0, 2), file.hash),
        );
        assert.equal(createHash("sha256").update(bytes).digest("hex"), file.hash);
        assert.equal(bytes.length, file.size);
      }
      const completed = db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status = 'completed'")
        .get() as { n: number };
      assert.equal(Number(completed.n), jobIds.length);
    } finally {
      db.close();
    }
    const temp = await Array.fromAsync(Deno.readDir(join(dataDir, "blobs", "tmp"))).catch(() => []);
    assert.deepEqual(temp, []);
  } finally {
    for (const client of clients) client.socket.close();
    try {
      server.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await server.exited();
    await Deno.remove(dataDir, { recursive: true });
  }
});
