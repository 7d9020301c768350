import { DatabaseSync } from "node:sqlite";
import { MIGRATIONS } from "./migrations.ts";

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
  if (current > MIGRATIONS.length) {
    throw new Error(
      `Database schema version ${current} is newer than this server understands (${MIGRATIONS.length}); upgrade the server`,
    );
  }
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
    db.exec("ROLLBACK");
    throw error;
  }
}

/** Closes the database after folding the WAL back into the main file. */
export function closeDatabase(db: Database): void {
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
