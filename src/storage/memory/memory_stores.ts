import type { BuildRequest, JobView } from "../../core/build/job.ts";
import type { RevisionStanding } from "../../core/identity/policy.ts";
import type { AuditEntry, AuditLog, AuditQuery } from "../../core/ports/audit_log.ts";
import type { JobStatus, JobStore, NewJob, RecoveredJob } from "../../core/ports/job_store.ts";
import type {
  BanRecord,
  ModerationStore,
  ReportRecord,
  StableRequest,
} from "../../core/ports/moderation_store.ts";
import type { PlayerRecord, PlayerStore } from "../../core/ports/player_store.ts";
import type { Charge, OwnerUsage, QuotaLedger } from "../../core/ports/quota_ledger.ts";
import type {
  CastableSpell,
  Channel,
  NewRevision,
  SpellStore,
} from "../../core/ports/spell_store.ts";
import type { Stores, UnitOfWork } from "../../core/ports/unit_of_work.ts";
import type {
  AppendResult,
  SeqOp,
  SyncPlan,
  WorldPageKey,
  WorldRecord,
  WorldStore,
} from "../../core/ports/world_store.ts";
import type { Manifest, RevisionView, SpellView } from "../../core/spell/manifest.ts";
import type { VoxelOp } from "../../protocol/mod.ts";
import { INTERFACE_VERSION } from "../../workers/manifest.ts";
import { TransactionGate } from "../transaction_gate.ts";

interface WorldEntry {
  record: WorldRecord;
  clearedSeq: number;
  lastSeq: number;
  ops: SeqOp[];
}

interface SpellEntry {
  view: SpellView;
  ownerId: string;
  nextVersion: number;
  /** Insertion order (SQLite's rowid): ties in the newest-first orders. */
  order: number;
}

interface RevisionEntry {
  view: RevisionView;
  publishedAt?: string;
  quarantinedAt?: string;
  files: Map<string, { hash: string; size: number }>;
}

interface JobEntry {
  view: JobView;
  request?: BuildRequest;
  requestedBy: string;
  order: number;
}

interface LedgerEntry {
  owner: string;
  kind: string;
  ref: string;
  bytes: number;
  at: string;
}

/** Everything one in-memory "database" holds; a unit of work snapshots and restores it whole. */
interface MemoryData {
  worlds: Map<string, WorldEntry>;
  spells: Map<string, SpellEntry>;
  revisions: Map<string, RevisionEntry>;
  jobs: Map<string, JobEntry>;
  ledger: Map<string, LedgerEntry>;
  players: Map<string, PlayerRecord>;
  reports: Map<string, ReportRecord & { order: number }>;
  bans: Map<string, BanRecord & { order: number }>;
  stableRequests: Map<string, StableRequest>;
  audit: AuditEntry[];
  serial: number;
}

/** The current data; a rolled-back unit of work puts its snapshot back. */
class MemoryDatabase {
  data: MemoryData = {
    worlds: new Map(),
    spells: new Map(),
    revisions: new Map(),
    jobs: new Map(),
    ledger: new Map(),
    players: new Map(),
    reports: new Map(),
    bans: new Map(),
    stableRequests: new Map(),
    audit: [],
    serial: 0,
  };
  readonly gate = new TransactionGate();
}

type Run = <T>(call: (data: MemoryData) => T) => Promise<T>;

/**
 * The ports on plain in-process maps: the same semantics as the SQLite stores (the contract tests
 * run both), for unit tests that must take milliseconds. Results are copies: nothing a caller does
 * to them changes what is stored. Not a production store (nothing survives the process).
 */
export function memoryStores(): { stores: Stores; unitOfWork: UnitOfWork } {
  const database = new MemoryDatabase();
  const gated: Run = (call) => database.gate.run(() => call(database.data));
  const direct: Run = (call) => {
    try {
      return Promise.resolve(call(database.data));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const make = (run: Run): Stores => ({
    worlds: new MemoryWorldStore(run),
    spells: new MemorySpellStore(run),
    jobs: new MemoryJobStore(run),
    quota: new MemoryQuotaLedger(run),
    players: new MemoryPlayerStore(run),
    moderation: new MemoryModerationStore(run),
    audit: new MemoryAuditLog(run),
  });
  const stores = make(gated);
  const tx = make(direct);
  let snapshot: MemoryData | undefined;
  const hooks = {
    begin: () => snapshot = structuredClone(database.data),
    commit: () => snapshot = undefined,
    rollback: () => {
      if (snapshot) database.data = snapshot;
      snapshot = undefined;
    },
  };
  return {
    stores,
    unitOfWork: { run: (body) => database.gate.transaction(hooks, () => body(tx)) },
  };
}

const copy = <T>(value: T): T => structuredClone(value);

class MemoryWorldStore implements WorldStore {
  #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  create(world: WorldRecord): Promise<void> {
    return this.#run((data) => {
      if (data.worlds.has(world.world_id)) {
        throw new Error(`UNIQUE constraint failed: worlds.world_id (${world.world_id})`);
      }
      data.worlds.set(world.world_id, { record: copy(world), clearedSeq: 0, lastSeq: 0, ops: [] });
    });
  }

  get(worldId: string): Promise<WorldRecord | undefined> {
    return this.#run((data) => {
      const entry = data.worlds.get(worldId);
      return entry ? copy(entry.record) : undefined;
    });
  }

  count(): Promise<number> {
    return this.#run((data) => data.worlds.size);
  }

  page(limit: number, after?: WorldPageKey): Promise<WorldRecord[]> {
    return this.#run((data) =>
      [...data.worlds.values()].map((entry) => entry.record)
        .filter((record) =>
          !after || record.created_at < after.createdAt ||
          (record.created_at === after.createdAt && record.world_id < after.worldId)
        )
        .sort((a, b) => compare(b.created_at, a.created_at) || compare(b.world_id, a.world_id))
        .slice(0, limit)
        .map(copy)
    );
  }

  byActivity(limit: number): Promise<WorldRecord[]> {
    return this.#run((data) =>
      [...data.worlds.values()].map((entry) => entry.record)
        .sort((a, b) =>
          compare(b.last_active_at, a.last_active_at) || compare(b.created_at, a.created_at)
        )
        .slice(0, limit)
        .map(copy)
    );
  }

  recordActivity(entries: readonly [worldId: string, at: string][]): Promise<void> {
    return this.#run((data) => {
      for (const [worldId, at] of entries) {
        const entry = data.worlds.get(worldId);
        if (entry) entry.record.last_active_at = at;
      }
    });
  }

  append(
    worldId: string,
    ops: readonly VoxelOp[],
    _createdAt: string,
    maxOps: number,
  ): Promise<AppendResult> {
    return this.#run((data) => {
      const entry = requireWorld(data, worldId);
      const count = entry.ops.length;
      if (count + ops.length > maxOps) return { ok: false, count };
      const firstSeq = entry.lastSeq + 1;
      ops.forEach((op, i) => entry.ops.push({ seq: firstSeq + i, op: copy(op) }));
      entry.lastSeq += ops.length;
      return { ok: true, firstSeq, lastSeq: entry.lastSeq, count: entry.ops.length };
    });
  }

  lastSeq(worldId: string): Promise<number> {
    return this.#run((data) => data.worlds.get(worldId)?.lastSeq ?? 0);
  }

  opCount(worldId: string): Promise<number> {
    return this.#run((data) => data.worlds.get(worldId)?.ops.length ?? 0);
  }

  syncPlan(worldId: string): Promise<SyncPlan> {
    return this.#run((data) => {
      const entry = data.worlds.get(worldId);
      if (!entry) return { lastSeq: 0, count: 0, maxOpJsonBytes: 8 };
      let max = 0;
      for (const { op } of entry.ops) max = Math.max(max, utf8(JSON.stringify(op)));
      return { lastSeq: entry.lastSeq, count: entry.ops.length, maxOpJsonBytes: max + 8 };
    });
  }

  opsAfter(worldId: string, afterSeq: number, upToSeq: number, limit: number): Promise<SeqOp[]> {
    return this.#run((data) => {
      const ops = data.worlds.get(worldId)?.ops ?? [];
      const start = ops.findIndex((entry) => entry.seq > afterSeq);
      if (start < 0) return [];
      const page: SeqOp[] = [];
      for (let i = start; i < ops.length && page.length < limit; i++) {
        if (ops[i]!.seq > upToSeq) break;
        page.push(copy(ops[i]!));
      }
      return page;
    });
  }

  clear(worldId: string): Promise<{ seq: number; removed: number }> {
    return this.#run((data) => {
      const entry = requireWorld(data, worldId);
      const removed = entry.ops.length;
      entry.lastSeq++;
      entry.clearedSeq = entry.lastSeq;
      entry.ops = [];
      for (const [key, row] of data.ledger) {
        if (row.kind === "ops" && row.ref === worldId) data.ledger.delete(key);
      }
      return { seq: entry.lastSeq, removed };
    });
  }

  delete(worldId: string): Promise<boolean> {
    return this.#run((data) => {
      if (!data.worlds.delete(worldId)) return false;
      for (const [key, row] of data.ledger) {
        if ((row.kind === "ops" || row.kind === "world") && row.ref === worldId) {
          data.ledger.delete(key);
        }
      }
      return true;
    });
  }
}

function requireWorld(data: MemoryData, worldId: string): WorldEntry {
  const entry = data.worlds.get(worldId);
  if (!entry) throw new Error(`FOREIGN KEY constraint failed: no world ${worldId}`);
  return entry;
}

/** Only revisions verified against the current SpellScript API are served (as on SQLite). */
function served(revision: RevisionEntry | undefined): revision is RevisionEntry {
  return revision?.view.manifest.interface_version === INTERFACE_VERSION;
}

function standingOf(entry: RevisionEntry): RevisionStanding {
  return {
    published: entry.publishedAt !== undefined,
    quarantined: entry.quarantinedAt !== undefined,
  };
}

class MemorySpellStore implements SpellStore {
  #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  ensure(spellId: string, displayName: string, now: string, ownerId: string): Promise<boolean> {
    return this.#run((data) => {
      if (data.spells.has(spellId)) return false;
      data.spells.set(spellId, {
        ownerId,
        view: {
          spell_id: spellId,
          display_name: displayName,
          active_draft_rev: "",
          active_beta_rev: "",
          active_stable_rev: "",
          created_at: now,
          updated_at: now,
        },
        nextVersion: 1,
        order: ++data.serial,
      });
      return true;
    });
  }

  get(spellId: string): Promise<SpellView | undefined> {
    return this.#run((data) => {
      const entry = data.spells.get(spellId);
      return entry ? copy(entry.view) : undefined;
    });
  }

  list(): Promise<SpellView[]> {
    return this.#run((data) =>
      [...data.spells.values()]
        .sort((a, b) => compare(b.view.created_at, a.view.created_at) || b.order - a.order)
        .map((entry) => copy(entry.view))
    );
  }

  reserveVersion(spellId: string, now: string): Promise<number> {
    return this.#run((data) => {
      const entry = data.spells.get(spellId);
      if (!entry) throw new Error(`Cannot reserve a version of spell "${spellId}": no such spell`);
      entry.view.updated_at = now;
      return entry.nextVersion++;
    });
  }

  addRevision(revision: NewRevision, now: string): Promise<void> {
    return this.#run((data) => {
      const { manifest } = revision;
      const spell = data.spells.get(manifest.spell_id);
      if (!spell) throw new Error(`FOREIGN KEY constraint failed: no spell ${manifest.spell_id}`);
      if (data.revisions.has(manifest.revision_id)) {
        throw new Error(`UNIQUE constraint failed: revisions.revision_id`);
      }
      data.revisions.set(manifest.revision_id, {
        view: {
          revision_id: manifest.revision_id,
          spell_id: manifest.spell_id,
          parent_revision_id: revision.parentRevisionId,
          channel: "draft",
          version: manifest.version,
          created_at: manifest.created_at,
          manifest: copy(manifest) as Manifest,
        },
        files: new Map(revision.files.map((file) => [file.path, { ...file }])),
      });
      spell.view.active_draft_rev = manifest.revision_id;
      spell.view.updated_at = now;
    });
  }

  getRevision(spellId: string, revisionId: string): Promise<RevisionView | undefined> {
    return this.#run((data) => {
      const entry = data.revisions.get(revisionId);
      return served(entry) && entry.view.spell_id === spellId ? copy(entry.view) : undefined;
    });
  }

  listRevisions(spellId: string): Promise<RevisionView[]> {
    return this.#run((data) =>
      [...data.revisions.values()]
        .filter((entry) => served(entry) && entry.view.spell_id === spellId)
        .sort((a, b) => b.view.version - a.view.version)
        .map((entry) => copy(entry.view))
    );
  }

  fileOf(
    spellId: string,
    revisionId: string,
    path: string,
  ): Promise<{ hash: string; size: number } | undefined> {
    return this.#run((data) => {
      const entry = data.revisions.get(revisionId);
      if (!served(entry) || entry.view.spell_id !== spellId) return undefined;
      const file = entry.files.get(path);
      return file ? { hash: file.hash, size: file.size } : undefined;
    });
  }

  setActive(spellId: string, channel: Channel, revisionId: string, now: string): Promise<void> {
    return this.#run((data) => {
      const spell = data.spells.get(spellId);
      if (spell) {
        spell.view[`active_${channel}_rev`] = revisionId;
        spell.view.updated_at = now;
      }
      const revision = data.revisions.get(revisionId);
      if (revision) {
        revision.view.channel = channel;
        if (channel !== "draft") revision.publishedAt ??= now;
      }
    });
  }

  ownerOf(spellId: string): Promise<string | undefined> {
    return this.#run((data) => data.spells.get(spellId)?.ownerId);
  }

  clearActive(spellId: string, channel: Channel, now: string): Promise<void> {
    return this.#run((data) => {
      const spell = data.spells.get(spellId);
      if (!spell) return;
      spell.view[`active_${channel}_rev`] = "";
      spell.view.updated_at = now;
    });
  }

  standing(spellId: string, revisionId: string): Promise<RevisionStanding | undefined> {
    return this.#run((data) => {
      const entry = data.revisions.get(revisionId);
      return served(entry) && entry.view.spell_id === spellId ? standingOf(entry) : undefined;
    });
  }

  standings(spellId: string): Promise<Map<string, RevisionStanding>> {
    return this.#run((data) =>
      new Map(
        [...data.revisions.values()]
          .filter((entry) => served(entry) && entry.view.spell_id === spellId)
          .map((entry) => [entry.view.revision_id, standingOf(entry)]),
      )
    );
  }

  quarantine(spellId: string, revisionId: string, now: string): Promise<void> {
    return this.#run((data) => {
      const entry = data.revisions.get(revisionId);
      if (entry && entry.view.spell_id === spellId) entry.quarantinedAt ??= now;
    });
  }

  castable(limit: number): Promise<CastableSpell[]> {
    return this.#run((data) =>
      [...data.spells.values()]
        .filter((entry) => entry.view.active_beta_rev !== "" || entry.view.active_stable_rev !== "")
        .sort((a, b) => compare(b.view.updated_at, a.view.updated_at) || b.order - a.order)
        .slice(0, limit)
        .map((entry): CastableSpell =>
          entry.view.active_beta_rev !== ""
            ? {
              spellId: entry.view.spell_id,
              revisionId: entry.view.active_beta_rev,
              channel: "beta",
            }
            : {
              spellId: entry.view.spell_id,
              revisionId: entry.view.active_stable_rev,
              channel: "stable",
            }
        )
    );
  }
}

class MemoryJobStore implements JobStore {
  #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  create(job: NewJob): Promise<void> {
    return this.#run((data) => {
      if (!data.spells.has(job.spellId)) {
        throw new Error(`FOREIGN KEY constraint failed: no spell ${job.spellId}`);
      }
      data.jobs.set(job.jobId, {
        view: {
          job_id: job.jobId,
          spell_id: job.spellId,
          status: "pending",
          stage: "waiting",
          progress_pct: 0,
          error_message: "",
          result_revision_id: "",
          created_at: job.now,
          updated_at: job.now,
        },
        request: copy(job.request),
        requestedBy: job.requestedBy,
        order: ++data.serial,
      });
    });
  }

  get(jobId: string): Promise<JobView | undefined> {
    return this.#run((data) => {
      const entry = data.jobs.get(jobId);
      return entry ? copy(entry.view) : undefined;
    });
  }

  list(
    status: JobStatus | undefined,
    limit: number,
  ): Promise<(JobView & { requested_by: string })[]> {
    return this.#run((data) =>
      [...data.jobs.values()]
        .filter((entry) => status === undefined || entry.view.status === status)
        .sort((a, b) => compare(b.view.created_at, a.view.created_at) || b.order - a.order)
        .slice(0, limit)
        .map((entry) => ({ ...copy(entry.view), requested_by: entry.requestedBy }))
    );
  }

  start(jobId: string, now: string): Promise<void> {
    return this.#run((data) => {
      const entry = data.jobs.get(jobId);
      if (entry) {
        Object.assign(entry.view, {
          status: "running",
          stage: "prepare",
          progress_pct: 0,
          updated_at: now,
        });
      }
    });
  }

  complete(jobId: string, revisionId: string, now: string): Promise<void> {
    return this.#run((data) => {
      const entry = data.jobs.get(jobId);
      if (!entry) return;
      Object.assign(entry.view, {
        status: "completed",
        stage: "done",
        progress_pct: 100,
        result_revision_id: revisionId,
        updated_at: now,
      });
      delete entry.request;
      // The revision costs whoever queued the build its files, their rows and its manifest.
      const job = [...data.ledger.values()].find((row) => row.kind === "job" && row.ref === jobId);
      const revision = data.revisions.get(revisionId);
      if (job && revision) {
        let bytes = JSON.stringify(revision.view.manifest).length;
        for (const file of revision.files.values()) bytes += file.size + 64;
        const key = ledgerKey("revision", revisionId, job.owner);
        data.ledger.set(key, {
          owner: job.owner,
          kind: "revision",
          ref: revisionId,
          bytes,
          at: now,
        });
      }
      if (job) job.bytes = 0;
    });
  }

  fail(
    jobId: string,
    message: string,
    step: { stage: string; pct: number },
    now: string,
  ): Promise<void> {
    return this.#run((data) => {
      const entry = data.jobs.get(jobId);
      if (!entry) return;
      Object.assign(entry.view, {
        status: "failed",
        error_message: message,
        stage: step.stage,
        progress_pct: step.pct,
        updated_at: now,
      });
      delete entry.request;
      const job = [...data.ledger.values()].find((row) => row.kind === "job" && row.ref === jobId);
      if (job) job.bytes = 0;
    });
  }

  requeue(jobId: string, now: string): Promise<void> {
    return this.#run((data) => {
      const entry = data.jobs.get(jobId);
      if (entry && (entry.view.status === "pending" || entry.view.status === "running")) {
        Object.assign(entry.view, {
          status: "pending",
          stage: "waiting",
          progress_pct: 0,
          updated_at: now,
        });
      }
    });
  }

  recover(now: string): Promise<RecoveredJob[]> {
    return this.#run((data) => {
      const unfinished = [...data.jobs.values()]
        .filter((entry) => entry.view.status === "pending" || entry.view.status === "running")
        .sort((a, b) => compare(a.view.created_at, b.view.created_at) || a.order - b.order);
      for (const entry of unfinished) {
        Object.assign(entry.view, {
          status: "pending",
          stage: "waiting",
          progress_pct: 0,
          updated_at: now,
        });
      }
      return unfinished.map((entry) => ({
        jobId: entry.view.job_id,
        spellId: entry.view.spell_id,
        request: copy(entry.request ?? { prompt: "", metadata: {}, parentRevisionId: "" }),
      }));
    });
  }
}

class MemoryQuotaLedger implements QuotaLedger {
  #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  usage(owner: string, windowStart: string): Promise<OwnerUsage> {
    return this.#run((data) => {
      const usage: OwnerUsage = { worlds: 0, spells: 0, bytes: 0, buildTimes: [] };
      for (const row of data.ledger.values()) {
        if (row.owner !== owner) continue;
        if (row.kind === "world") usage.worlds++;
        if (row.kind === "spell") usage.spells++;
        if (row.kind === "job" && row.at > windowStart) usage.buildTimes.push(Date.parse(row.at));
        usage.bytes += row.bytes;
      }
      usage.buildTimes.sort((a, b) => a - b);
      return usage;
    });
  }

  spellExists(spellId: string): Promise<boolean> {
    return this.#run((data) => data.spells.has(spellId));
  }

  charge(owner: string, charge: Charge, at: string): Promise<void> {
    return this.#run((data) => {
      const key = ledgerKey(charge.kind, charge.ref, owner);
      const existing = data.ledger.get(key);
      if (existing) existing.bytes += charge.bytes;
      else {data.ledger.set(key, {
          owner,
          kind: charge.kind,
          ref: charge.ref,
          bytes: charge.bytes,
          at,
        });}
    });
  }
}

class MemoryPlayerStore implements PlayerStore {
  #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  create(player: PlayerRecord): Promise<void> {
    return this.#run((data) => {
      if (data.players.has(player.player_id)) {
        throw new Error(`UNIQUE constraint failed: players.player_id`);
      }
      data.players.set(player.player_id, copy(player));
    });
  }

  get(playerId: string): Promise<PlayerRecord | undefined> {
    return this.#run((data) => {
      const player = data.players.get(playerId);
      return player ? copy(player) : undefined;
    });
  }

  count(): Promise<number> {
    return this.#run((data) => data.players.size);
  }

  page(limit: number, after?: { createdAt: string; playerId: string }): Promise<PlayerRecord[]> {
    return this.#run((data) =>
      [...data.players.values()]
        .sort((a, b) => compare(a.created_at, b.created_at) || compare(a.player_id, b.player_id))
        .filter((player) =>
          !after ||
          compare(player.created_at, after.createdAt) > 0 ||
          (player.created_at === after.createdAt && compare(player.player_id, after.playerId) > 0)
        )
        .slice(0, limit)
        .map(copy)
    );
  }

  revokeToken(playerId: string): Promise<boolean> {
    return this.#run((data) => {
      const player = data.players.get(playerId);
      if (!player) return false;
      player.token_hash = "";
      return true;
    });
  }
}

class MemoryModerationStore implements ModerationStore {
  #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  addReport(report: ReportRecord): Promise<void> {
    return this.#run((data) => {
      data.reports.set(report.report_id, { ...copy(report), order: ++data.serial });
    });
  }

  getReport(reportId: string): Promise<ReportRecord | undefined> {
    return this.#run((data) => {
      const report = data.reports.get(reportId);
      return report ? withoutOrder(report) : undefined;
    });
  }

  listReports(status: "open" | "resolved" | undefined, limit: number): Promise<ReportRecord[]> {
    return this.#run((data) =>
      [...data.reports.values()]
        .filter((report) => status === undefined || report.status === status)
        .sort((a, b) => compare(b.created_at, a.created_at) || b.order - a.order)
        .slice(0, limit)
        .map(withoutOrder)
    );
  }

  countReports(status: "open" | "resolved"): Promise<number> {
    return this.#run((data) =>
      [...data.reports.values()].filter((report) => report.status === status).length
    );
  }

  resolveReport(reportId: string, note: string): Promise<boolean> {
    return this.#run((data) => {
      const report = data.reports.get(reportId);
      if (!report) return false;
      report.status = "resolved";
      report.note = note;
      return true;
    });
  }

  addBan(ban: BanRecord): Promise<void> {
    return this.#run((data) => {
      data.bans.set(ban.ban_id, { ...copy(ban), order: ++data.serial });
    });
  }

  activeBans(now: string): Promise<BanRecord[]> {
    return this.#run((data) =>
      [...data.bans.values()]
        .filter((ban) => ban.expires_at === "" || ban.expires_at > now)
        .sort((a, b) => compare(b.created_at, a.created_at) || b.order - a.order)
        .map(withoutOrder)
    );
  }

  removeBan(banId: string): Promise<boolean> {
    return this.#run((data) => data.bans.delete(banId));
  }

  requestStable(request: StableRequest): Promise<void> {
    return this.#run((data) => {
      data.stableRequests.set(request.spell_id, copy(request));
    });
  }

  stableRequest(spellId: string): Promise<StableRequest | undefined> {
    return this.#run((data) => {
      const request = data.stableRequests.get(spellId);
      return request ? copy(request) : undefined;
    });
  }

  clearStableRequest(spellId: string): Promise<void> {
    return this.#run((data) => {
      data.stableRequests.delete(spellId);
    });
  }
}

function withoutOrder<T extends { order: number }>(row: T): Omit<T, "order"> {
  const { order: _order, ...rest } = copy(row);
  return rest;
}

/** The audit log in memory: append and read only, like every AuditLog. */
class MemoryAuditLog implements AuditLog {
  #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  append(entry: Omit<AuditEntry, "id">): Promise<number> {
    return this.#run((data) => {
      const id = data.audit.length + 1;
      data.audit.push({ id, ...copy(entry) });
      return id;
    });
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#run((data) => {
      const out: AuditEntry[] = [];
      for (let i = data.audit.length - 1; i >= 0 && out.length < query.limit; i--) {
        const entry = data.audit[i]!;
        if (query.actor !== undefined && entry.actor !== query.actor) continue;
        if (query.action !== undefined && entry.action !== query.action) continue;
        if (query.since !== undefined && entry.at < query.since) continue;
        if (query.beforeId !== undefined && entry.id >= query.beforeId) continue;
        out.push(copy(entry));
      }
      return out;
    });
  }
}

function ledgerKey(kind: string, ref: string, owner: string): string {
  return JSON.stringify([kind, ref, owner]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function utf8(text: string): number {
  return new TextEncoder().encode(text).length;
}
