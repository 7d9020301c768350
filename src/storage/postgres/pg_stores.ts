import type { Stores, UnitOfWork } from "../../core/ports/unit_of_work.ts";
import { AsyncGate, runDirect } from "./async_gate.ts";
import type { Sql } from "./pg.ts";
import { PgAuditLog, PgModerationStore, PgPlayerStore } from "./pg_identity_stores.ts";
import { PgJobStore } from "./pg_job_store.ts";
import { PgQuotaLedger } from "./pg_quota_ledger.ts";
import { PgSpellStore } from "./pg_spell_store.ts";
import { PgWorldStore } from "./pg_world_store.ts";

export interface PgStores {
  stores: Stores;
  unitOfWork: UnitOfWork;
  gate: AsyncGate;
}

/**
 * The Postgres adapters of one pool. Calls go through the node's AsyncGate (see there); a unit of
 * work is a Postgres transaction (`sql.begin`) whose stores run on its connection.
 * `beforeSnapshot`: see PgWorldStore.
 */
export function pgStores(
  sql: Sql,
  options: { beforeSnapshot?: (worldId: string) => Promise<void> | undefined } = {},
): PgStores {
  const gate = new AsyncGate();
  const run = <T>(call: () => Promise<T>) => gate.run(call);
  const stores: Stores = {
    worlds: new PgWorldStore(sql, run, options),
    spells: new PgSpellStore(sql, run),
    jobs: new PgJobStore(sql, run),
    quota: new PgQuotaLedger(sql, run),
    players: new PgPlayerStore(sql, run),
    moderation: new PgModerationStore(sql, run),
    audit: new PgAuditLog(sql, run),
  };
  const bound = (tx: Sql): Stores => ({
    worlds: new PgWorldStore(tx, runDirect, { bound: true }),
    spells: new PgSpellStore(tx, runDirect, { bound: true }),
    jobs: new PgJobStore(tx, runDirect, { bound: true }),
    quota: new PgQuotaLedger(tx, runDirect),
    players: new PgPlayerStore(tx, runDirect),
    moderation: new PgModerationStore(tx, runDirect),
    audit: new PgAuditLog(tx, runDirect),
  });
  const unitOfWork: UnitOfWork = {
    run: (body) =>
      gate.transaction(() => sql.begin((tx) => body(bound(tx as unknown as Sql))) as never),
  };
  return { stores, unitOfWork, gate };
}
