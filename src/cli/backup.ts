import { backup as sqliteBackup, DatabaseSync } from "node:sqlite";
import { join, resolve } from "node:path";

/**
 * `backup <file>`: a consistent online copy of the database while the server keeps writing, plus
 * `<file>.blobs`, the blob files that copy refers to — copy those too (or the whole blobs/ folder)
 * to restore spells. It uses SQLite's online backup API rather than `VACUUM INTO`: Deno's
 * node:sqlite refuses ATTACH (which VACUUM INTO needs) unless the process has every permission.
 */
export async function backup(
  dataDir: string,
  target: string,
): Promise<{ file: string; blobs: number; bytes: number }> {
  const file = resolve(target);
  try {
    await Deno.lstat(file);
    throw new Error(`${file} already exists; choose a new file name`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const source = new DatabaseSync(join(dataDir, "ugc.db"), { readOnly: true });
  try {
    source.exec("PRAGMA busy_timeout = 10000");
    await sqliteBackup(source, file);
  } finally {
    source.close();
  }
  const copy = new DatabaseSync(file);
  let hashes: string[];
  try {
    copy.exec("PRAGMA journal_mode = DELETE"); // one self-contained file, no -wal beside it
    const check = copy.prepare("PRAGMA integrity_check").get() as { integrity_check: string };
    if (check.integrity_check !== "ok") {
      throw new Error(`backup failed its integrity check: ${check.integrity_check}`);
    }
    hashes = (copy.prepare("SELECT DISTINCT hash FROM revision_files ORDER BY hash").all() as {
      hash: string;
    }[])
      .map((row) => row.hash);
  } finally {
    copy.close();
  }
  const listing = hashes.map((hash) => `blobs/sha256/${hash.slice(0, 2)}/${hash}`).join("\n");
  await Deno.writeTextFile(`${file}.blobs`, listing === "" ? "" : listing + "\n");
  return { file, blobs: hashes.length, bytes: (await Deno.stat(file)).size };
}
