/**
 * One throwaway Postgres per test file, started on first use, with a migrated template database:
 * each fixture gets a fresh database copied from it (`CREATE DATABASE … TEMPLATE`), so every test
 * starts empty without migrating again. `stopSharedPostgres` ends it (register it as the file's
 * last test). If Postgres cannot start, the tests fail with its error: they never skip.
 */
import { connectPostgres, migratePostgres, type Sql } from "../../src/storage/postgres/pg.ts";
import { startPostgres, type ThrowawayPostgres } from "./throwaway_services.ts";

let server: Promise<ThrowawayPostgres> | undefined;
let databases = 0;

async function shared(): Promise<ThrowawayPostgres> {
  server ??= (async () => {
    const pg = await startPostgres();
    const sql = connectPostgres(pg.url, { max: 1 });
    try {
      await migratePostgres(sql);
    } finally {
      await sql.end();
    }
    return pg;
  })();
  return await server;
}

/** A fresh, migrated, empty database; `drop` closes its pool and removes it. */
export async function freshDatabase(
  options: { max?: number } = {},
): Promise<{ url: string; sql: Sql; drop(): Promise<void> }> {
  const pg = await shared();
  const name = `t${++databases}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = connectPostgres(pg.url, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ugc`);
  } finally {
    await admin.end();
  }
  const url = pg.url.replace(/\/ugc$/, `/${name}`);
  const sql = connectPostgres(url, options);
  return {
    url,
    sql,
    drop: async () => {
      await sql.end();
      const admin = connectPostgres(pg.url, { max: 1 });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export async function stopSharedPostgres(): Promise<void> {
  if (!server) return;
  const pg = await server;
  server = undefined;
  await pg.stop();
}
