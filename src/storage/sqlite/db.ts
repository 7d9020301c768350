import { DatabaseSync } from "node:sqlite";
import { MIGRATIONS } from "./migrations.ts";
import { isStorageFull, SchemaTooNewError } from "../storage_errors.ts";

export type Database = DatabaseSync;

/**
 * Opens (creating if needed) the SQLite database with the settings every write path relies on:
 * WAL (readers never block the writer), synchronous=NORMAL (a committed transaction survives a
 * process crash), enforced foreign keys, and a busy timeout for the backup command's reader.
 */
export function openDatabase(path: string): Database {
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = 5000;
  `);
  migrate(db);
  return db;
}

/** Runs the migrations not yet applied, each in its own transaction with its user_version bump. */
export function migrate(db: Database): void {
  const current = Number(
    (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version,
  );
  if (current > MIGRATIONS.length) throw new SchemaTooNewError(current, MIGRATIONS.length);
  for (let version = current; version < MIGRATIONS.length; version++) {
    transaction(db, () => {
      db.exec(MIGRATIONS[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
}

/**
 * Runs `body` inside BEGIN IMMEDIATE … COMMIT, rolling back if it throws. Inside another
 * transaction it joins that one, so repository methods that are atomic on their own can also be
 * combined into one commit by a caller.
 */
export function transaction<T>(db: Database, body: () => T): T {
  if (db.isTransaction) return body();
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    // SQLite rolls back by itself after some failures (a full disk among them); a second ROLLBACK
    // would throw and hide the error that matters.
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Closes the database after folding the WAL back into the main file. On a full disk the fold can
 * fail; the WAL then stays beside the file and is folded in at the next start.
 */
export function closeDatabase(db: Database): void {
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (error) {
    if (!isStorageFull(error)) throw error;
  } finally {
    db.close();
  }
}
