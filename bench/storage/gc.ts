// deno-lint-ignore-file no-console -- a measurement script reports to its terminal
/**
 * The collector on a data directory with `--blobs` blob files (default 100,000): half referenced by
 * published revisions, half referenced by nothing (older than the grace). Runs it twice in this
 * process, yielding to the event loop between batches as the server does, and reports each run's
 * time and the longest event-loop stall it caused: first with the garbage to delete, then again
 * (the steady state: everything referenced). `deno run -A bench/storage/gc.ts [--blobs 100000]`
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Collector } from "../../src/storage/sqlite/collector.ts";
import { openDatabase } from "../../src/storage/sqlite/db.ts";
import { FsBlobStore } from "../../src/storage/fs/fs_blob_store.ts";

const args = Deno.args;
const total = Number(args[args.indexOf("--blobs") + 1] || 100_000) || 100_000;
const dir = await Deno.makeTempDir({ prefix: "ugc-gc-bench-" });
const db = openDatabase(join(dir, "ugc.db"));
const blobs = new FsBlobStore(join(dir, "blobs"));
const old = new Date(Date.now() - 86_400_000);

try {
  const setupStart = performance.now();
  const referenced = Math.floor(total / 2);
  const insertRevision = db.prepare(
    `INSERT INTO revisions (revision_id, spell_id, channel, version, manifest_json, created_at, published_at)
     VALUES (?, 'bench', 'stable', ?, '{}', ?, ?)`,
  );
  const insertFile = db.prepare(
    "INSERT INTO revision_files (revision_id, path, hash, size) VALUES (?, 'code/spell.gd', ?, ?)",
  );
  db.exec("BEGIN");
  db.prepare("INSERT INTO spells (spell_id, created_at, updated_at) VALUES ('bench', ?, ?)")
    .run(old.toISOString(), old.toISOString());
  for (let n = 0; n < total; n++) {
    const bytes = new TextEncoder().encode(`blob number ${n} `.repeat(8));
    const hash = createHash("sha256").update(bytes).digest("hex");
    await Deno.mkdir(join(blobs.root, "sha256", hash.slice(0, 2)), { recursive: true });
    await Deno.writeFile(blobs.pathOf(hash), bytes);
    await Deno.utime(blobs.pathOf(hash), old, old);
    if (n < referenced) {
      const id = `rev_${String(n + 1).padStart(6, "0")}_${n.toString(16).padStart(8, "0")}`;
      insertRevision.run(id, n + 1, old.toISOString(), old.toISOString());
      insertFile.run(id, hash, bytes.length);
    }
  }
  db.exec("COMMIT");
  console.error(`set up ${total} blobs in ${Math.round(performance.now() - setupStart)} ms`);

  const collector = new Collector({
    db,
    blobs,
    draftRetentionHours: 168,
    failedJobRetentionHours: 24,
    blobGraceSec: 600,
    pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
  });
  const runs = [];
  for (const label of ["with half garbage", "steady state"]) {
    let last = performance.now();
    let worstStall = 0;
    const watch = setInterval(() => {
      const now = performance.now();
      worstStall = Math.max(worstStall, now - last);
      last = now;
    }, 1);
    const report = await collector.run();
    clearInterval(watch);
    runs.push({
      run: label,
      ms: report.ms,
      blobs_deleted: report.blobs,
      blobs_kept: report.blobs_kept,
      worst_event_loop_stall_ms: Math.round(worstStall),
    });
  }
  console.log(JSON.stringify({ blobs: total, runs }, null, 2));
} finally {
  db.close();
  await Deno.remove(dir, { recursive: true });
}
