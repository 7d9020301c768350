import postgres from "postgres";
import { SchemaTooNewError } from "../storage_errors.ts";
import { MIGRATIONS } from "./migrations.ts";

export { SchemaTooNewError };

/** A Postgres connection pool, or a transaction's connection: both are tagged templates. */
export type Sql = postgres.Sql;

/**
 * Opens a pool on `url`. Notices are not logged (they would repeat the URL's database name at
 * best); `int8` columns stay strings, so stores convert seqs and sizes with `Number`.
 */
export function connectPostgres(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    idle_timeout: 30,
    connect_timeout: 10,
    // Sizes of a few MiB at most are bound as bytea; nothing else needs a type of its own.
    fetch_types: false,
  });
}

/**
 * Brings the schema up to date. Several nodes may start at once: the first takes a transaction-level
 * advisory lock and migrates, the others wait for it and find nothing left to do. `schema_version`
 * holds how many migrations have run (forward only, like SQLite's `user_version`).
 */
export async function migratePostgres(sql: Sql): Promise<number> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(7412001)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`;
    const [row] = await tx<{ version: number }[]>`SELECT version FROM schema_version`;
    let version = row?.version ?? 0;
    if (!row) await tx`INSERT INTO schema_version (version) VALUES (0)`;
    if (version > MIGRATIONS.length) {
      throw new SchemaTooNewError(version, MIGRATIONS.length);
    }
    for (; version < MIGRATIONS.length; version++) {
      await tx.unsafe(MIGRATIONS[version]!);
      await tx`UPDATE schema_version SET version = ${version + 1}`;
    }
    return version;
  });
}
