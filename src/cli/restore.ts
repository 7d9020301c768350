import { DatabaseSync } from "node:sqlite";
import { join, resolve } from "node:path";
import { lockDataDir, prepareDataDir } from "../storage/data_dir.ts";
import { FsBlobStore } from "../storage/fs/fs_blob_store.ts";
import { MIGRATIONS } from "../storage/sqlite/migrations.ts";
import { blobCatalog, contents, integrity } from "./blob_catalog.ts";
import { describe } from "./backup.ts";

export interface RestoreReport {
  from: string;
  data_dir: string;
  worlds: number;
  ops: number;
  spells: number;
  revisions: number;
  jobs: number;
  blobs: number;
  blobs_copied: number;
  /** Where the database it replaced was moved (with its -wal), or "" if there was none. */
  replaced: string;
}

/**
 * `restore DIR`: installs a backup made by `backup DIR`. It takes the data directory's lock, so it
 * refuses while a server runs there; checks the copy (integrity_check, a schema this server knows)
 * and every blob it references (present, and hashing to its name) before it changes anything;
 * copies the blobs in; then moves the current database aside together with its `-wal` (a stale
 * WAL beside the restored file would be replayed into it), removes the `-shm`, and renames the
 * copy into place. The backup directory is only read.
 */
export async function restore(dataDir: string, source: string): Promise<RestoreReport> {
  const from = resolve(source);
  const backupDb = join(from, "ugc.db");
  await Deno.stat(backupDb).catch(() => {
    throw new Error(`${from} is not a backup: it has no ugc.db`);
  });
  // `backup` writes a self-contained file; a WAL beside it means something opened and changed the
  // copy, and part of it would be left behind.
  if ((await Deno.stat(`${backupDb}-wal`).catch(() => undefined))?.size) {
    throw new Error(
      `${backupDb}-wal exists: the backup was opened and changed after it was made; use an untouched backup`,
    );
  }
  await prepareDataDir(dataDir);
  const lock = lockDataDir(dataDir);
  const staging = join(dataDir, `restore-${crypto.randomUUID()}`);
  try {
    await Deno.mkdir(staging);
    const staged = join(staging, "ugc.db");
    await Deno.copyFile(backupDb, staged);
    const { catalog, counts } = checkCopy(staged);

    const backupBlobs = new FsBlobStore(join(from, "blobs"));
    const damaged: string[] = [];
    for (const entry of catalog) {
      const state = await backupBlobs.check(entry.hash);
      if (state !== "ok") damaged.push(`${describe(entry.hash, entry.uses)}: ${state}`);
    }
    if (damaged.length > 0) {
      throw new Error(
        `the backup is damaged, nothing was changed: ${damaged.length} blob(s) missing or corrupt:\n  ${
          damaged.join("\n  ")
        }`,
      );
    }

    const blobs = new FsBlobStore(join(dataDir, "blobs"));
    let copied = 0;
    for (const entry of catalog) {
      if (await blobs.check(entry.hash) === "ok") continue;
      await blobs.put((await backupBlobs.get(entry.hash))!);
      copied++;
    }
    const replaced = await installDatabase(dataDir, staged);
    return {
      from,
      data_dir: resolve(dataDir),
      ...counts,
      blobs: catalog.length,
      blobs_copied: copied,
      replaced,
    } as RestoreReport;
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    lock.release();
  }
}

function checkCopy(path: string) {
  const db = new DatabaseSync(path);
  try {
    const version = Number(
      (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version,
    );
    if (version > MIGRATIONS.length) {
      throw new Error(
        `the backup's schema (version ${version}) is newer than this server knows (${MIGRATIONS.length}); restore it with the server version that made it`,
      );
    }
    const check = integrity(db);
    if (check !== "ok") throw new Error(`the backup's database is damaged: ${check}`);
    return { catalog: blobCatalog(db), counts: contents(db) };
  } finally {
    db.close();
  }
}

async function installDatabase(dataDir: string, staged: string): Promise<string> {
  const live = join(dataDir, "ugc.db");
  const aside = `${live}.replaced-${new Date().toISOString().replaceAll(":", "-")}`;
  let replaced = "";
  if (await exists(live)) {
    await Deno.rename(live, aside);
    replaced = aside;
  }
  // The old WAL belongs to the old file: keep it beside it, never beside the restored one.
  if (await exists(`${live}-wal`)) {
    if (replaced) await Deno.rename(`${live}-wal`, `${aside}-wal`);
    else await Deno.remove(`${live}-wal`);
  }
  await Deno.remove(`${live}-shm`).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  const file = await Deno.open(staged, { read: true, write: true });
  try {
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(staged, live);
  return replaced;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
