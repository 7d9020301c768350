import type { AuditLog } from "./audit_log.ts";
import type { JobStore } from "./job_store.ts";
import type { ModerationStore } from "./moderation_store.ts";
import type { PlayerStore } from "./player_store.ts";
import type { QuotaLedger } from "./quota_ledger.ts";
import type { SpellStore } from "./spell_store.ts";
import type { WorldStore } from "./world_store.ts";

/** The stores of one database. */
export interface Stores {
  worlds: WorldStore;
  spells: SpellStore;
  jobs: JobStore;
  quota: QuotaLedger;
  players: PlayerStore;
  moderation: ModerationStore;
  audit: AuditLog;
}

/**
 * What must commit together (queue a build and ensure its spell; finish a build: revision and job;
 * a write and its quota charge). `body` gets stores bound to the unit of work and must use only
 * those, and only them: it commits when `body` resolves and rolls back if it throws. Other callers'
 * store calls never see its writes before it commits.
 */
export interface UnitOfWork {
  run<T>(body: (tx: Stores) => Promise<T>): Promise<T>;
}
