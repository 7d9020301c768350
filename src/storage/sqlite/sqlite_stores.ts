import type { Stores, UnitOfWork } from "../../core/ports/unit_of_work.ts";
import { TransactionGate } from "../transaction_gate.ts";
import type { Database } from "./db.ts";
import { runNow } from "./run.ts";
import {
  SqliteAuditLog,
  SqliteModerationStore,
  SqlitePlayerStore,
} from "./sqlite_identity_stores.ts";
import { SqliteJobStore } from "./sqlite_job_store.ts";
import { SqliteQuotaLedger } from "./sqlite_quota_ledger.ts";
import { SqliteSpellStore } from "./sqlite_spell_store.ts";
import { SqliteWorldStore, SqliteWorldTables } from "./sqlite_world_store.ts";

/** The SQLite adapters of one database: the stores, their unit of work, and the gate they share. */
export interface SqliteStores {
  stores: Stores;
  unitOfWork: UnitOfWork;
  /**
   * Everything else that uses this connection on the server (the collector, blob leases, the
   * storage probe) goes through it too, so nothing lands inside an open unit of work.
   */
  gate: TransactionGate;
}

/**
 * Builds the stores on `db`. node:sqlite is synchronous and a unit of work's body awaits between
 * statements, so calls go through a TransactionGate: with no unit of work open they run at once;
 * while one is open, other callers' calls wait for it to end. The unit of work's own stores
 * (`tx`) run directly on the open transaction.
 */
export function sqliteStores(db: Database): SqliteStores {
  const gate = new TransactionGate();
  const run = <T>(call: () => T) => gate.run(call);
  const worldTables = new SqliteWorldTables(db);
  const stores: Stores = {
    worlds: new SqliteWorldStore(worldTables, run),
    spells: new SqliteSpellStore(db, run),
    jobs: new SqliteJobStore(db, run),
    quota: new SqliteQuotaLedger(db, run),
    players: new SqlitePlayerStore(db, run),
    moderation: new SqliteModerationStore(db, run),
    audit: new SqliteAuditLog(db, run),
  };
  const tx: Stores = {
    worlds: new SqliteWorldStore(worldTables, runNow, { bound: true }),
    spells: new SqliteSpellStore(db, runNow),
    jobs: new SqliteJobStore(db, runNow),
    quota: new SqliteQuotaLedger(db, runNow),
    players: new SqlitePlayerStore(db, runNow),
    moderation: new SqliteModerationStore(db, runNow),
    audit: new SqliteAuditLog(db, runNow),
  };
  const hooks = {
    begin: () => db.exec("BEGIN IMMEDIATE"),
    commit: () => db.exec("COMMIT"),
    // SQLite rolls back by itself after some failures (a full disk among them).
    rollback: () => {
      if (db.isTransaction) db.exec("ROLLBACK");
    },
  };
  const unitOfWork: UnitOfWork = {
    run: (body) => gate.transaction(hooks, () => body(tx)),
  };
  return { stores, unitOfWork, gate };
}
