import { type CollectionReport, emptyCollectionReport } from "../sqlite/collector.ts";
import type { FsBlobStore } from "../fs/fs_blob_store.ts";
import type { Sql } from "./pg.ts";

const HOUR_MS = 3_600_000;
const BATCH = 200;
const STALE_TEMP_MS = HOUR_MS;
/** Ids of the advisory locks a blob's lease and its collection share (one per hash). */
const BLOB_LOCK_SPACE = 7412002;

export interface PgCollectorOptions {
  draftRetentionHours: number;
  failedJobRetentionHours: number;
  blobGraceSec: number;
  /** This node's blob cache: its stale temp files go. */
  cache: FsBlobStore;
}

/**
 * The storage collector in cluster mode, with the SQLite collector's rules (src/storage/sqlite/
 * collector.ts): never-published revisions older than DRAFT_RETENTION_HOURS, spells left with no
 * revision and no queued build, failed jobs older than FAILED_JOB_RETENTION_HOURS, ledger rows of
 * what is gone, then blob rows no revision references and no lease holds, older than
 * BLOB_GRACE_SEC. Every node may run it at once: batches take their rows `FOR UPDATE SKIP LOCKED`.
 *
 * A blob row is deleted only after its hash's advisory lock is taken, in the same transaction; a
 * build's lease takes the same lock (`leaseBlobs`), so either the collection sees the lease (its
 * DELETE reads after the lock), or the lease waits for the collection to commit and the build, which
 * uploads only after its lease, finds the row gone and stores it again.
 */
export class PgCollector {
  #sql: Sql;
  #options: PgCollectorOptions;

  constructor(sql: Sql, options: PgCollectorOptions) {
    this.#sql = sql;
    this.#options = options;
  }

  async run(signal?: AbortSignal): Promise<CollectionReport> {
    const started = performance.now();
    const report = emptyCollectionReport();
    const sql = this.#sql;
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await sql`DELETE FROM blob_leases WHERE expires_at < now()`;

    const draftCutoff = iso(now - this.#options.draftRetentionHours * HOUR_MS);
    while (!signal?.aborted) {
      const removed = await sql.begin(async (tx) => {
        const rows = await tx<{ revision_id: string; spell_id: string }[]>`
          SELECT revision_id, spell_id FROM revisions
          WHERE published_at IS NULL AND created_at < ${draftCutoff}
            AND revision_id NOT IN (SELECT active_beta_rev FROM spells WHERE active_beta_rev IS NOT NULL)
            AND revision_id NOT IN (SELECT active_stable_rev FROM spells WHERE active_stable_rev IS NOT NULL)
          LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        for (const { revision_id, spell_id } of rows) {
          const jobs = await tx`
            DELETE FROM jobs WHERE result_revision_id = ${revision_id} AND status = 'completed'`;
          report.jobs += jobs.count;
          await tx`DELETE FROM quota_ledger WHERE kind = 'revision' AND ref = ${revision_id}`;
          await tx`DELETE FROM revisions WHERE revision_id = ${revision_id}`;
          await tx`
            UPDATE spells SET active_draft_rev =
              (SELECT revision_id FROM revisions r WHERE r.spell_id = spells.spell_id
               ORDER BY version DESC LIMIT 1)
            WHERE spell_id = ${spell_id} AND active_draft_rev = ${revision_id}`;
        }
        return rows.length;
      });
      report.revisions += removed;
      if (removed < BATCH) break;
    }
    while (!signal?.aborted) {
      const removed = await sql.begin(async (tx) => {
        const rows = await tx<{ spell_id: string }[]>`
          SELECT spell_id FROM spells s WHERE updated_at < ${draftCutoff}
            AND NOT EXISTS (SELECT 1 FROM revisions r WHERE r.spell_id = s.spell_id)
            AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.spell_id = s.spell_id
                            AND j.status IN ('pending', 'running'))
          LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        for (const { spell_id } of rows) {
          report.jobs += (await tx`DELETE FROM jobs WHERE spell_id = ${spell_id}`).count;
          await tx`DELETE FROM quota_ledger WHERE kind = 'spell' AND ref = ${spell_id}`;
          await tx`DELETE FROM spells WHERE spell_id = ${spell_id}`;
        }
        return rows.length;
      });
      report.spells += removed;
      if (removed < BATCH) break;
    }
    const failedCutoff = iso(now - this.#options.failedJobRetentionHours * HOUR_MS);
    while (!signal?.aborted) {
      const removed = (await sql`
        DELETE FROM jobs WHERE job_id IN (
          SELECT job_id FROM jobs WHERE status = 'failed' AND updated_at < ${failedCutoff}
          LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`).count;
      report.jobs += removed;
      if (removed < BATCH) break;
    }
    // A job's row stays in the ledger for an hour: it is what MAX_BUILDS_PER_HOUR counts.
    report.ledger_rows += (await sql`
      DELETE FROM quota_ledger WHERE
          (kind = 'job' AND at < ${iso(now - HOUR_MS)} AND NOT EXISTS
             (SELECT 1 FROM jobs WHERE job_id = ref AND status IN ('pending', 'running')))
       OR (kind = 'world' AND NOT EXISTS (SELECT 1 FROM worlds WHERE world_id = ref))
       OR (kind = 'ops' AND NOT EXISTS (SELECT 1 FROM world_ops WHERE world_id = ref))
       OR (kind = 'spell' AND NOT EXISTS (SELECT 1 FROM spells WHERE spell_id = ref))
       OR (kind = 'revision' AND NOT EXISTS (SELECT 1 FROM revisions WHERE revision_id = ref))`)
      .count;

    const graceSec = this.#options.blobGraceSec;
    while (!signal?.aborted) {
      const [removed, bytes] = await sql.begin(async (tx) => {
        const candidates = await tx<{ hash: string }[]>`
          SELECT hash FROM blobs b
          WHERE created_at < now() - ${graceSec} * interval '1 second'
            AND NOT EXISTS (SELECT 1 FROM revision_files f WHERE f.hash = b.hash)
            AND NOT EXISTS (SELECT 1 FROM blob_leases l WHERE l.hash = b.hash)
          LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
        if (candidates.length === 0) return [0, 0];
        const hashes = JSON.stringify(candidates.map((row) => row.hash));
        await tx`
          SELECT pg_advisory_xact_lock(${BLOB_LOCK_SPACE}, hashtext(h))
          FROM json_array_elements_text(${hashes}::text::json) AS h ORDER BY h`;
        // A new statement, a new snapshot: leases committed before the locks are seen now.
        const deleted = await tx<{ size: number }[]>`
          DELETE FROM blobs b
          WHERE hash IN (SELECT h FROM json_array_elements_text(${hashes}::text::json) AS h)
            AND NOT EXISTS (SELECT 1 FROM revision_files f WHERE f.hash = b.hash)
            AND NOT EXISTS (SELECT 1 FROM blob_leases l WHERE l.hash = b.hash)
          RETURNING size`;
        report.blobs_kept += candidates.length - deleted.length;
        return [deleted.length, deleted.reduce((sum, row) => sum + Number(row.size), 0)];
      });
      report.blobs += removed;
      report.blob_bytes += bytes;
      if (removed < BATCH) break;
    }
    report.temp_files = await this.#options.cache.sweepTemp(STALE_TEMP_MS);
    report.ms = Math.round(performance.now() - started);
    return report;
  }
}

/**
 * Leases `hashes` for a build (`holder` = its job id), taking each hash's advisory lock in the same
 * transaction as the collector does before it deletes (see PgCollector).
 */
export async function leaseBlobs(
  sql: Sql,
  holder: string,
  hashes: readonly string[],
): Promise<void> {
  if (hashes.length === 0) return;
  const list = JSON.stringify([...new Set(hashes)].sort());
  await sql.begin(async (tx) => {
    await tx`
      SELECT pg_advisory_xact_lock(${BLOB_LOCK_SPACE}, hashtext(h))
      FROM json_array_elements_text(${list}::text::json) AS h ORDER BY h`;
    await tx`
      INSERT INTO blob_leases (hash, holder, expires_at)
      SELECT h, ${holder}, now() + interval '1 hour'
      FROM json_array_elements_text(${list}::text::json) AS h
      ON CONFLICT (hash, holder) DO UPDATE SET expires_at = excluded.expires_at`;
  });
}
