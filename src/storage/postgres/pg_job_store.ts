import type { BuildRequest, JobView } from "../../core/build/job.ts";
import type {
  JobLease,
  JobStatus,
  JobStore,
  NewJob,
  RecoveredJob,
} from "../../core/ports/job_store.ts";
import type { AsyncRun as Run } from "./async_gate.ts";
import type { Sql } from "./pg.ts";
import { type JobRow, jobView } from "../sql_rows.ts";

const JOB_COLUMNS =
  "job_id, spell_id, status, stage, progress_pct, error_message, result_revision_id, created_at, updated_at";

/**
 * JobStore on Postgres, shared by every node. A running job holds a lease (`lease_holder`,
 * `lease_until`, in the database's clock so nodes' clocks do not matter) that its node renews; a
 * job is started only if it is pending or its lease lapsed (one UPDATE: two nodes cannot both
 * win), and `recover` takes lapsed jobs back to pending with `FOR UPDATE SKIP LOCKED`, so nodes
 * recovering at once never wait on each other or return the same lapsed job twice.
 */
export class PgJobStore implements JobStore {
  #sql: Sql;
  #run: Run;
  #bound: boolean;

  constructor(sql: Sql, run: Run, options: { bound?: boolean } = {}) {
    this.#sql = sql;
    this.#run = run;
    this.#bound = options.bound ?? false;
  }

  #atomic<T>(body: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.#bound) return body(this.#sql);
    return this.#run(() => this.#sql.begin((tx) => body(tx as unknown as Sql)) as Promise<T>);
  }

  create(job: NewJob): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        INSERT INTO jobs (job_id, spell_id, status, stage, progress_pct, request_json, requested_by, created_at, updated_at)
        VALUES (${job.jobId}, ${job.spellId}, 'pending', 'waiting', 0, ${
        JSON.stringify(job.request)
      },
          ${job.requestedBy}, ${job.now}, ${job.now})`;
    });
  }

  get(jobId: string): Promise<JobView | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<JobRow[]>`
        SELECT ${this.#sql.unsafe(JOB_COLUMNS)} FROM jobs WHERE job_id = ${jobId}`;
      return row ? jobView(row) : undefined;
    });
  }

  list(
    status: JobStatus | undefined,
    limit: number,
  ): Promise<(JobView & { requested_by: string })[]> {
    return this.#run(async () => {
      const columns = this.#sql.unsafe(`${JOB_COLUMNS}, requested_by`);
      const rows = status === undefined
        ? await this.#sql<(JobRow & { requested_by: string | null })[]>`
          SELECT ${columns} FROM jobs ORDER BY created_at DESC, created_order DESC LIMIT ${limit}`
        : await this.#sql<(JobRow & { requested_by: string | null })[]>`
          SELECT ${columns} FROM jobs WHERE status = ${status}
          ORDER BY created_at DESC, created_order DESC LIMIT ${limit}`;
      return rows.map((row) => ({ ...jobView(row), requested_by: row.requested_by ?? "" }));
    });
  }

  start(jobId: string, now: string, lease?: JobLease): Promise<boolean> {
    const holder = lease?.holder ?? null;
    const ms = lease?.ms ?? 0;
    return this.#run(async () => {
      const result = await this.#sql`
        UPDATE jobs SET status = 'running', stage = 'prepare', progress_pct = 0, updated_at = ${now},
          lease_holder = ${holder},
          lease_until = CASE WHEN ${holder}::text IS NULL THEN NULL
                        ELSE clock_timestamp() + ${ms} * interval '1 millisecond' END
        WHERE job_id = ${jobId} AND (status = 'pending' OR (status = 'running' AND (
          lease_until IS NULL OR lease_until < clock_timestamp() OR lease_holder = ${holder})))`;
      return result.count > 0;
    });
  }

  renew(jobId: string, lease: JobLease): Promise<boolean> {
    return this.#run(async () => {
      const result = await this.#sql`
        UPDATE jobs SET lease_until = clock_timestamp() + ${lease.ms} * interval '1 millisecond'
        WHERE job_id = ${jobId} AND status = 'running' AND lease_holder = ${lease.holder}`;
      return result.count > 0;
    });
  }

  complete(jobId: string, revisionId: string, now: string): Promise<void> {
    return this.#atomic(async (sql) => {
      await sql`
        UPDATE jobs SET status = 'completed', stage = 'done', progress_pct = 100,
          result_revision_id = ${revisionId}, request_json = NULL, updated_at = ${now},
          lease_holder = NULL, lease_until = NULL
        WHERE job_id = ${jobId}`;
      // The revision costs its owner its files, their rows and its manifest.
      await sql`
        INSERT INTO quota_ledger (owner, kind, ref, bytes, at)
        SELECT owner, 'revision', ${revisionId},
          (SELECT coalesce(sum(size) + 64 * count(*), 0) FROM revision_files
            WHERE revision_id = ${revisionId})
          + (SELECT coalesce(char_length(manifest_json), 0) FROM revisions
            WHERE revision_id = ${revisionId}),
          ${now}
        FROM quota_ledger WHERE kind = 'job' AND ref = ${jobId}
        ON CONFLICT (kind, ref, owner) DO UPDATE SET bytes = excluded.bytes, at = excluded.at`;
      await this.#finished(sql, jobId);
    });
  }

  fail(
    jobId: string,
    message: string,
    step: { stage: string; pct: number },
    now: string,
  ): Promise<void> {
    return this.#atomic(async (sql) => {
      await sql`
        UPDATE jobs SET status = 'failed', error_message = ${message}, stage = ${step.stage},
          progress_pct = ${step.pct}, request_json = NULL, updated_at = ${now},
          lease_holder = NULL, lease_until = NULL
        WHERE job_id = ${jobId}`;
      await this.#finished(sql, jobId);
    });
  }

  /** A finished job keeps its place in the hourly build count but no longer holds its code. */
  async #finished(sql: Sql, jobId: string): Promise<void> {
    await sql`UPDATE quota_ledger SET bytes = 0 WHERE kind = 'job' AND ref = ${jobId}`;
    await sql`DELETE FROM blob_leases WHERE holder = ${jobId}`;
  }

  requeue(jobId: string, now: string): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        UPDATE jobs SET status = 'pending', stage = 'waiting', progress_pct = 0, updated_at = ${now},
          lease_holder = NULL, lease_until = NULL
        WHERE job_id = ${jobId} AND status IN ('pending', 'running')`;
    });
  }

  recover(now: string): Promise<RecoveredJob[]> {
    return this.#atomic(async (sql) => {
      const lapsed = await sql<{ job_id: string }[]>`
        UPDATE jobs SET status = 'pending', stage = 'waiting', progress_pct = 0, updated_at = ${now},
          lease_holder = NULL, lease_until = NULL
        WHERE job_id IN (
          SELECT job_id FROM jobs
          WHERE status = 'running' AND (lease_until IS NULL OR lease_until < clock_timestamp())
          FOR UPDATE SKIP LOCKED)
        RETURNING job_id`;
      // The builds that leased these blobs are gone: their leases protect nothing now.
      for (const { job_id } of lapsed) {
        await sql`DELETE FROM blob_leases WHERE holder = ${job_id}`;
      }
      const rows = await sql<
        { job_id: string; spell_id: string; request_json: string | null; requested_by: string }[]
      >`
        SELECT job_id, spell_id, request_json, coalesce(requested_by, '') AS requested_by FROM jobs
        WHERE status = 'pending' ORDER BY created_at, created_order`;
      return rows.map((row) => ({
        jobId: row.job_id,
        spellId: row.spell_id,
        request: row.request_json
          ? JSON.parse(row.request_json) as BuildRequest
          : { prompt: "", metadata: {}, parentRevisionId: "" },
        requestedBy: row.requested_by,
      }));
    });
  }
}
