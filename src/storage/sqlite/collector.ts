import { join } from "node:path";
import type { Database } from "./db.ts";
import { transaction } from "./db.ts";
import { BLOB_HASH, type FsBlobStore } from "../fs/fs_blob_store.ts";
import { type Run, runNow } from "./run.ts";

const HOUR_MS = 3_600_000;
/** Rows deleted per commit, and blobs checked per commit: each batch holds the writer briefly. */
const BATCH = 200;
/** Temp files older than this are left over from a crash (a build writes one for milliseconds). */
const STALE_TEMP_MS = HOUR_MS;

export interface CollectorOptions {
  db: Database;
  blobs: FsBlobStore;
  draftRetentionHours: number;
  failedJobRetentionHours: number;
  blobGraceSec: number;
  now?: () => number;
  /** Runs between batches; the server yields to the event loop so sockets are served. */
  pause?: () => Promise<void>;
  /** How a batch reaches the database: the server's transaction gate (never inside a unit of work). */
  run?: Run;
}

/** What one collection removed, and how long it took. */
export interface CollectionReport {
  revisions: number;
  spells: number;
  jobs: number;
  ledger_rows: number;
  blobs: number;
  blob_bytes: number;
  blobs_kept: number;
  temp_files: number;
  /** Why unreferenced blobs were left alone this time ("" if they were not). */
  blobs_skipped: string;
  ms: number;
}

/** A report of nothing removed yet, that a collection fills in. */
export function emptyCollectionReport(): CollectionReport {
  return {
    revisions: 0,
    spells: 0,
    jobs: 0,
    ledger_rows: 0,
    blobs: 0,
    blob_bytes: 0,
    blobs_kept: 0,
    temp_files: 0,
    blobs_skipped: "",
    ms: 0,
  };
}

/**
 * The storage collector: retention, then a mark-and-sweep of the blob folder. Retention deletes
 * never-published revisions older than DRAFT_RETENTION_HOURS, spells left with no revision and no
 * queued build, failed jobs older than FAILED_JOB_RETENTION_HOURS, and ledger rows of what is gone.
 * The sweep deletes a blob only inside a write transaction that sees no revision referencing it and
 * no lease on it (see BlobLeases), and only if it is older than BLOB_GRACE_SEC. Every batch is one
 * commit, so a crash at any point leaves a consistent database; files it had not yet removed are
 * removed by the next run. Safe to run while the server runs (`ugc-world-server gc`).
 */
export class Collector {
  #options: CollectorOptions;
  #statements;

  constructor(options: CollectorOptions) {
    this.#options = options;
    const { db } = options;
    this.#statements = {
      expireLeases: db.prepare("DELETE FROM blob_leases WHERE expires_at < ?"),
      expireHolds: db.prepare("DELETE FROM gc_holds WHERE expires_at < ?"),
      holds: db.prepare("SELECT COUNT(*) AS n FROM gc_holds WHERE expires_at >= ?"),
      oldDrafts: db.prepare(
        `SELECT revision_id, spell_id FROM revisions
         WHERE published_at IS NULL AND created_at < ?
           AND revision_id NOT IN (SELECT active_beta_rev FROM spells WHERE active_beta_rev IS NOT NULL)
           AND revision_id NOT IN (SELECT active_stable_rev FROM spells WHERE active_stable_rev IS NOT NULL)
         LIMIT ${BATCH}`,
      ),
      deleteRevisionJobs: db.prepare(
        "DELETE FROM jobs WHERE result_revision_id = ? AND status = 'completed'",
      ),
      deleteRevision: db.prepare("DELETE FROM revisions WHERE revision_id = ?"),
      deleteLedger: db.prepare("DELETE FROM quota_ledger WHERE kind = ? AND ref = ?"),
      repointDraft: db.prepare(
        `UPDATE spells SET active_draft_rev =
           (SELECT revision_id FROM revisions r WHERE r.spell_id = spells.spell_id
            ORDER BY version DESC LIMIT 1)
         WHERE spell_id = ? AND active_draft_rev = ?`,
      ),
      emptySpells: db.prepare(
        `SELECT spell_id FROM spells s WHERE updated_at < ?
           AND NOT EXISTS (SELECT 1 FROM revisions r WHERE r.spell_id = s.spell_id)
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.spell_id = s.spell_id
                           AND j.status IN ('pending', 'running'))
         LIMIT ${BATCH}`,
      ),
      deleteSpellJobs: db.prepare("DELETE FROM jobs WHERE spell_id = ?"),
      deleteSpell: db.prepare("DELETE FROM spells WHERE spell_id = ?"),
      deleteFailedJobs: db.prepare(
        `DELETE FROM jobs WHERE rowid IN
           (SELECT rowid FROM jobs WHERE status = 'failed' AND updated_at < ? LIMIT ${BATCH})`,
      ),
      // A job's row stays in the ledger for an hour: it is what MAX_BUILDS_PER_HOUR counts.
      deleteLedgerOrphans: db.prepare(
        `DELETE FROM quota_ledger WHERE
            (kind = 'job' AND at < ? AND NOT EXISTS
               (SELECT 1 FROM jobs WHERE job_id = ref AND status IN ('pending', 'running')))
         OR (kind = 'world' AND NOT EXISTS (SELECT 1 FROM worlds WHERE world_id = ref))
         OR (kind = 'ops' AND NOT EXISTS (SELECT 1 FROM world_ops WHERE world_id = ref))
         OR (kind = 'spell' AND NOT EXISTS (SELECT 1 FROM spells WHERE spell_id = ref))
         OR (kind = 'revision' AND NOT EXISTS (SELECT 1 FROM revisions WHERE revision_id = ref))`,
      ),
      marked: db.prepare(
        `SELECT hash FROM revision_files WHERE hash >= ? AND hash < ?
         UNION SELECT hash FROM blob_leases WHERE hash >= ? AND hash < ?`,
      ),
      stillFree: db.prepare(
        `SELECT NOT EXISTS (SELECT 1 FROM revision_files WHERE hash = ?1)
            AND NOT EXISTS (SELECT 1 FROM blob_leases WHERE hash = ?1)
            AND NOT EXISTS (SELECT 1 FROM gc_holds WHERE expires_at >= ?2) AS free`,
      ),
    };
  }

  async run(signal?: AbortSignal): Promise<CollectionReport> {
    const started = performance.now();
    const report = emptyCollectionReport();
    const now = this.#now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const s = this.#statements;
    await this.#write(() => {
      s.expireLeases.run(iso(now));
      s.expireHolds.run(iso(now));
    });

    const draftCutoff = iso(now - this.#options.draftRetentionHours * HOUR_MS);
    while (!signal?.aborted) {
      const removed = await this.#write(() => this.#deleteOldDrafts(draftCutoff, report));
      if (removed < BATCH) break;
      await this.#pause();
    }
    while (!signal?.aborted) {
      const removed = await this.#write(() => this.#deleteEmptySpells(draftCutoff, report));
      if (removed < BATCH) break;
      await this.#pause();
    }
    const failedCutoff = iso(now - this.#options.failedJobRetentionHours * HOUR_MS);
    while (!signal?.aborted) {
      const removed = Number(
        (await this.#write(() => s.deleteFailedJobs.run(failedCutoff))).changes,
      );
      report.jobs += removed;
      if (removed < BATCH) break;
      await this.#pause();
    }
    report.ledger_rows += Number(
      (await this.#write(() => s.deleteLedgerOrphans.run(iso(now - HOUR_MS)))).changes,
    );

    if (!signal?.aborted) await this.#sweepBlobs(now, report, signal);
    report.temp_files = await this.#options.blobs.sweepTemp(STALE_TEMP_MS);
    report.ms = Math.round(performance.now() - started);
    return report;
  }

  #deleteOldDrafts(cutoff: string, report: CollectionReport): number {
    const s = this.#statements;
    const rows = s.oldDrafts.all(cutoff) as { revision_id: string; spell_id: string }[];
    for (const { revision_id, spell_id } of rows) {
      report.jobs += Number(s.deleteRevisionJobs.run(revision_id).changes);
      s.deleteLedger.run("revision", revision_id);
      s.deleteRevision.run(revision_id); // its revision_files rows go with it (ON DELETE CASCADE)
      s.repointDraft.run(spell_id, revision_id);
    }
    report.revisions += rows.length;
    return rows.length;
  }

  #deleteEmptySpells(cutoff: string, report: CollectionReport): number {
    const s = this.#statements;
    const rows = s.emptySpells.all(cutoff) as { spell_id: string }[];
    for (const { spell_id } of rows) {
      report.jobs += Number(s.deleteSpellJobs.run(spell_id).changes);
      s.deleteLedger.run("spell", spell_id);
      s.deleteSpell.run(spell_id);
    }
    report.spells += rows.length;
    return rows.length;
  }

  /** Mark (what rows and leases name, one hash prefix at a time) and sweep the rest. */
  async #sweepBlobs(now: number, report: CollectionReport, signal?: AbortSignal): Promise<void> {
    const held = await this.#read(() =>
      this.#statements.holds.get(new Date(now).toISOString()) as { n: number }
    );
    if (Number(held.n) > 0) {
      report.blobs_skipped = "a backup is in progress";
      return;
    }
    const root = join(this.#options.blobs.root, "sha256");
    let prefixes: string[];
    try {
      prefixes = (await Array.fromAsync(Deno.readDir(root)))
        .filter((entry) => entry.isDirectory && /^[0-9a-f]{2}$/.test(entry.name))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    const graceMs = this.#options.blobGraceSec * 1000;
    for (const prefix of prefixes) {
      if (signal?.aborted) return;
      const names = (await Array.fromAsync(Deno.readDir(join(root, prefix))))
        .filter((entry) =>
          entry.isFile && BLOB_HASH.test(entry.name) && entry.name.startsWith(prefix)
        )
        .map((entry) => entry.name);
      if (names.length === 0) continue;
      const upper = prefix[0] + String.fromCharCode(prefix.charCodeAt(1) + 1);
      const rows = await this.#read(() =>
        this.#statements.marked.all(prefix, upper, prefix, upper) as { hash: string }[]
      );
      const marked = new Set(rows.map((row) => row.hash));
      const candidates = names.filter((hash) => !marked.has(hash));
      report.blobs_kept += names.length - candidates.length;
      for (let i = 0; i < candidates.length; i += BATCH) {
        await this.#write(() =>
          this.#deleteUnreferenced(candidates.slice(i, i + BATCH), now - graceMs, report)
        );
        await this.#pause();
      }
      if (candidates.length === 0) await this.#pause();
    }
  }

  /**
   * Inside the caller's write transaction: no build can lease (or reference) a blob between the
   * check and the unlink. The file is removed synchronously so the commit cannot be interleaved.
   */
  #deleteUnreferenced(hashes: readonly string[], youngerThan: number, report: CollectionReport) {
    const nowIso = new Date(this.#now()).toISOString();
    for (const hash of hashes) {
      const path = this.#options.blobs.pathOf(hash);
      let info: Deno.FileInfo;
      try {
        info = Deno.lstatSync(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        throw error;
      }
      const free = this.#statements.stillFree.get(hash, nowIso) as { free: number };
      if (!free.free || (info.mtime?.getTime() ?? 0) > youngerThan) {
        report.blobs_kept++;
        continue;
      }
      try {
        Deno.removeSync(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        throw error;
      }
      report.blobs++;
      report.blob_bytes += info.size;
    }
  }

  #write<T>(body: () => T): Promise<T> {
    return (this.#options.run ?? runNow)(() => transaction(this.#options.db, body));
  }

  #read<T>(body: () => T): Promise<T> {
    return (this.#options.run ?? runNow)(body);
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  #pause(): Promise<void> {
    return this.#options.pause?.() ?? Promise.resolve();
  }
}
