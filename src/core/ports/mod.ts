/**
 * The ports: what the core needs from the world outside it, declared here and implemented outside
 * `src/core/` (ARCHITECTURE.md has the table of adapters). The core imports only these, its own
 * modules and `src/protocol/`.
 * @module
 */
export type { AuditEntry, AuditLog, AuditQuery } from "./audit_log.ts";
export type { BlobStore } from "./blob_store.ts";
export type { Bus, BusSubscriber, Target } from "./bus.ts";
export { type Cancel, type Clock, settlesWithin } from "./clock.ts";
export type { JobLease, JobStatus, JobStore, NewJob, RecoveredJob } from "./job_store.ts";
export type { LogFields, Logger } from "./logger.ts";
export type {
  BanRecord,
  ModerationStore,
  ReportRecord,
  StableRequest,
} from "./moderation_store.ts";
export type { PlayerRecord, PlayerStore } from "./player_store.ts";
export type { Presence } from "./presence.ts";
export type { Charge, ChargeKind, OwnerUsage, QuotaLedger } from "./quota_ledger.ts";
export type { CastableSpell, Channel, NewRevision, SpellStore } from "./spell_store.ts";
export type { Stores, UnitOfWork } from "./unit_of_work.ts";
export type {
  AppendResult,
  SeqOp,
  SyncPlan,
  WorldPageKey,
  WorldRecord,
  WorldStore,
} from "./world_store.ts";
export type {
  ConnectionControl,
  ConnectionSelector,
  ConnectionSummary,
} from "./connection_control.ts";
