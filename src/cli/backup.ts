import { backup as sqliteBackup, DatabaseSync } from "node:sqlite";
import { dirname, join, resolve } from "node:path";
import { FsBlobStore } from "../storage/fs/fs_blob_store.ts";
import { BlobLeases } from "../storage/sqlite/blob_leases.ts";
import { blobCatalog, type BlobUse, contents, hasTable, integrity } from "./blob_catalog.ts";

/** What `backup` wrote (also saved as DIR/backup.json). */
export interface BackupReport {
  dir: string;
  created_at: string;
  schema_version: number;
  worlds: number;
  ops: number;
  spells: number;
  revisions: number;
  jobs: number;
  blobs: number;
  blob_bytes: number;
  database_bytes: number;
}

export const BACKUP_MANIFEST = "backup.json";

/**
 * `backup DIR`: a consistent copy of the live database (SQLite's online backup API, in one step,
 * so it is one snapshot however busy the server is; checked with integrity_check) and a verified
 * copy of every blob it references, under DIR (created; it must not hold files yet). While it
 * copies, a hold keeps the collector from deleting blobs, so none the snapshot needs can vanish.
 * If any blob in the data directory is missing or corrupt it fails naming the revisions, and
 * removes what it wrote.
 */
export async function backup(dataDir: string, target: string): Promise<BackupReport> {
  const dir = resolve(target);
  const source = join(dataDir, "ugc.db");
  await Deno.stat(source).catch(() => {
    throw new Error(`no database at ${source}; is DATA_DIR right?`);
  });
  const created = await createEmptyDir(dir);
  try {
    return await copyInto(source, new FsBlobStore(join(dataDir, "blobs")), dir);
  } catch (error) {
    // Leave no half backup that a restore could mistake for a whole one.
    for (const name of created ? [""] : ["ugc.db", "blobs", BACKUP_MANIFEST]) {
      await Deno.remove(join(dir, name), { recursive: true }).catch(() => {});
    }
    throw error;
  }
}

async function copyInto(source: string, blobs: FsBlobStore, dir: string): Promise<BackupReport> {
  const copyPath = join(dir, "ugc.db");
  const live = new DatabaseSync(source);
  const holder = `backup:${crypto.randomUUID()}`;
  // An older schema (backing up before an upgrade) has no holds; its server collects nothing.
  const leases = hasTable(live, "gc_holds") ? new BlobLeases(live) : undefined;
  try {
    live.exec("PRAGMA busy_timeout = 10000");
    await leases?.hold(holder);
    await sqliteBackup(live, copyPath, { rate: -1 });
    const copy = new DatabaseSync(copyPath);
    let report: BackupReport;
    try {
      copy.exec("PRAGMA journal_mode = DELETE"); // one self-contained file, no -wal beside it
      const check = integrity(copy);
      if (check !== "ok") throw new Error(`the copy failed its integrity check: ${check}`);
      const catalog = blobCatalog(copy);
      const target = new FsBlobStore(join(dir, "blobs"));
      const damaged: string[] = [];
      let blobBytes = 0;
      for (const entry of catalog) {
        const bytes = await blobs.get(entry.hash).catch(() => undefined);
        if (!bytes) {
          damaged.push(describe(entry.hash, entry.uses));
          continue;
        }
        await target.put(bytes);
        blobBytes += bytes.length;
      }
      if (damaged.length > 0) {
        throw new Error(
          `${damaged.length} blob(s) in the data directory are missing or corrupt, so this backup would be incomplete; run \`ugc-world-server verify\` (rebuilding a damaged revision's code repairs its blob):\n  ${
            damaged.join("\n  ")
          }`,
        );
      }
      await Deno.remove(join(dir, "blobs", "tmp"), { recursive: true }).catch(() => {});
      report = {
        dir,
        created_at: new Date().toISOString(),
        schema_version: Number(
          (copy.prepare("PRAGMA user_version").get() as { user_version: number }).user_version,
        ),
        ...contents(copy),
        blobs: catalog.length,
        blob_bytes: blobBytes,
        database_bytes: 0,
      } as BackupReport;
    } finally {
      copy.close();
    }
    report.database_bytes = (await Deno.stat(copyPath)).size;
    await Deno.writeTextFile(join(dir, BACKUP_MANIFEST), JSON.stringify(report, null, 2) + "\n");
    return report;
  } finally {
    try {
      await leases?.unhold(holder);
    } finally {
      live.close();
    }
  }
}

/** `<hash…> (spell/revision path, …)` */
export function describe(hash: string, uses: readonly BlobUse[]): string {
  const where = uses.map((use) => `${use.spell_id}/${use.revision_id} ${use.path}`).join(", ");
  return `${hash.slice(0, 12)}… used by ${where}`;
}

/** Creates `dir` (and its parents); true if it was created, false if it existed empty. */
async function createEmptyDir(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) {
      throw new Error(`${dir} already holds files; back up into a new (or empty) directory`);
    }
    return false;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(dirname(dir), { recursive: true });
  await Deno.mkdir(dir);
  return true;
}
