import type { BuildRequest, JobView } from "../../core/build/job.ts";
import type {
  JobLease,
  JobStatus,
  JobStore,
  NewJob,
  RecoveredJob,
} from "../../core/ports/job_store.ts";
import type { Database } from "./db.ts";
import { transaction } from "./db.ts";
import type { Run } from "./run.ts";
import { type JobRow, jobView } from "../sql_rows.ts";

/** JobStore on SQLite; `run` is how a call reaches the database (see SqliteWorldStore). */
export class SqliteJobStore implements JobStore {
  #db: Database;
  #run: Run;
  #statements;

  constructor(db: Database, run: Run) {
    this.#db = db;
    this.#run = run;
    this.#statements = {
      insert: db.prepare(
        `INSERT INTO jobs (job_id, spell_id, status, stage, progress_pct, request_json, requested_by, created_at, updated_at)
         VALUES (?, ?, 'pending', 'waiting', 0, ?, ?, ?, ?)`,
      ),
      select: db.prepare(
        `SELECT job_id, spell_id, status, stage, progress_pct, error_message, result_revision_id, created_at, updated_at
         FROM jobs WHERE job_id = ?`,
      ),
      listAll: db.prepare(
        `SELECT job_id, spell_id, status, stage, progress_pct, error_message, result_revision_id, created_at, updated_at, requested_by
         FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      ),
      listByStatus: db.prepare(
        `SELECT job_id, spell_id, status, stage, progress_pct, error_message, result_revision_id, created_at, updated_at, requested_by
         FROM jobs WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      ),
      start: db.prepare(
        `UPDATE jobs SET status = 'running', stage = 'prepare', progress_pct = 0, updated_at = ?
         WHERE job_id = ? AND status IN ('pending', 'running')`,
      ),
      complete: db.prepare(
        `UPDATE jobs SET status = 'completed', stage = 'done', progress_pct = 100, result_revision_id = ?,
         request_json = NULL, updated_at = ? WHERE job_id = ?`,
      ),
      fail: db.prepare(
        `UPDATE jobs SET status = 'failed', error_message = ?, stage = ?, progress_pct = ?,
         request_json = NULL, updated_at = ? WHERE job_id = ?`,
      ),
      requeueOne: db.prepare(
        `UPDATE jobs SET status = 'pending', stage = 'waiting', progress_pct = 0, updated_at = ?
         WHERE job_id = ? AND status IN ('pending', 'running')`,
      ),
      // The revision costs its owner its files, their rows and its manifest.
      chargeRevision: db.prepare(
        `INSERT OR REPLACE INTO quota_ledger (owner, kind, ref, bytes, at)
         SELECT owner, 'revision', ?1,
           (SELECT COALESCE(SUM(size) + 64 * COUNT(*), 0) FROM revision_files WHERE revision_id = ?1)
           + (SELECT COALESCE(length(manifest_json), 0) FROM revisions WHERE revision_id = ?1), ?2
         FROM quota_ledger WHERE kind = 'job' AND ref = ?3`,
      ),
      // A finished job keeps its place in the hourly build count but no longer holds its code.
      settleJobCharge: db.prepare(
        "UPDATE quota_ledger SET bytes = 0 WHERE kind = 'job' AND ref = ?",
      ),
      releaseLeases: db.prepare("DELETE FROM blob_leases WHERE holder = ?"),
      releaseJobLeases: db.prepare(
        "DELETE FROM blob_leases WHERE holder LIKE 'job\\_%' ESCAPE '\\'",
      ),
      unfinished: db.prepare(
        `SELECT job_id, spell_id, request_json, requested_by FROM jobs WHERE status IN ('pending', 'running')
         ORDER BY created_at, rowid`,
      ),
      requeue: db.prepare(
        `UPDATE jobs SET status = 'pending', stage = 'waiting', progress_pct = 0, updated_at = ?
         WHERE status IN ('pending', 'running')`,
      ),
    };
  }

  create(job: NewJob): Promise<void> {
    return this.#run(() => {
      this.#statements.insert.run(
        job.jobId,
        job.spellId,
        JSON.stringify(job.request),
        job.requestedBy,
        job.now,
        job.now,
      );
    });
  }

  get(jobId: string): Promise<JobView | undefined> {
    return this.#run(() => this.#view(jobId));
  }

  list(
    status: JobStatus | undefined,
    limit: number,
  ): Promise<(JobView & { requested_by: string })[]> {
    return this.#run(() => {
      const rows = (status === undefined
        ? this.#statements.listAll.all(limit)
        : this.#statements.listByStatus.all(status, limit)) as unknown as (JobRow & {
          requested_by: string | null;
        })[];
      return rows.map((row) => ({ ...jobView(row), requested_by: row.requested_by ?? "" }));
    });
  }

  #view(jobId: string): JobView | undefined {
    const row = this.#statements.select.get(jobId) as JobRow | undefined;
    return row ? jobView(row) : undefined;
  }

  /** One process owns the database (the data directory's lock): leases are not needed here. */
  start(jobId: string, now: string, _lease?: JobLease): Promise<boolean> {
    return this.#run(() => Number(this.#statements.start.run(now, jobId).changes) > 0);
  }

  renew(jobId: string, _lease: JobLease): Promise<boolean> {
    return this.#run(() =>
      (this.#statements.select.get(jobId) as JobRow | undefined)?.status === "running"
    );
  }

  complete(jobId: string, revisionId: string, now: string): Promise<void> {
    return this.#run(() =>
      transaction(this.#db, () => {
        this.#statements.complete.run(revisionId, now, jobId);
        this.#statements.chargeRevision.run(revisionId, now, jobId);
        this.#finished(jobId);
      })
    );
  }

  fail(
    jobId: string,
    message: string,
    step: { stage: string; pct: number },
    now: string,
  ): Promise<void> {
    return this.#run(() =>
      transaction(this.#db, () => {
        this.#statements.fail.run(message, step.stage, step.pct, now, jobId);
        this.#finished(jobId);
      })
    );
  }

  requeue(jobId: string, now: string): Promise<void> {
    return this.#run(() => {
      this.#statements.requeueOne.run(now, jobId);
    });
  }

  #finished(jobId: string): void {
    this.#statements.settleJobCharge.run(jobId);
    this.#statements.releaseLeases.run(jobId);
  }

  recover(now: string): Promise<RecoveredJob[]> {
    return this.#run(() => this.#recover(now));
  }

  #recover(now: string): RecoveredJob[] {
    const rows = this.#statements.unfinished.all() as unknown as {
      job_id: string;
      spell_id: string;
      request_json: string | null;
      requested_by: string | null;
    }[];
    transaction(this.#db, () => {
      this.#statements.requeue.run(now);
      // No build of this process has started yet: leases left by a dead one protect nothing.
      this.#statements.releaseJobLeases.run();
    });
    return rows.map((row) => ({
      jobId: row.job_id,
      spellId: row.spell_id,
      request: row.request_json
        ? JSON.parse(row.request_json) as BuildRequest
        : { prompt: "", metadata: {}, parentRevisionId: "" },
      requestedBy: row.requested_by ?? "",
    }));
  }
}
