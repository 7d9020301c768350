import type { BuildRequest, JobView } from "../build/job.ts";

export type JobStatus = "pending" | "running" | "completed" | "failed";

/** A build request as it is queued: who asked, for which spell, with what. */
export interface NewJob {
  jobId: string;
  spellId: string;
  request: BuildRequest;
  requestedBy: string;
  now: string;
}

/** A job left unfinished by a previous process, back in the queue. */
export interface RecoveredJob {
  jobId: string;
  spellId: string;
  request: BuildRequest;
}

/** Build jobs: a job outlives the process that queued it. */
export interface JobStore {
  create(job: NewJob): Promise<void>;
  get(jobId: string): Promise<JobView | undefined>;
  /** The job left the queue: running, at the first step. */
  start(jobId: string, now: string): Promise<void>;
  /**
   * Done: the job drops the code it kept for a restart, its blob leases end, and the revision
   * (already written in this unit of work) is charged to whoever queued the build.
   */
  complete(jobId: string, revisionId: string, now: string): Promise<void>;
  /** Failed at `step` (the last one reached: stage and pct stay there, as in the original). */
  fail(
    jobId: string,
    message: string,
    step: { stage: string; pct: number },
    now: string,
  ): Promise<void>;
  /** Back in the queue (it could not finish: the disk was full). */
  requeue(jobId: string, now: string): Promise<void>;
  /** Up to `limit` jobs, newest first, of one status or all, with who asked for each. */
  list(
    status: JobStatus | undefined,
    limit: number,
  ): Promise<(JobView & { requested_by: string })[]>;
  /** Jobs left pending or running, oldest first, back to pending; their blob leases end. */
  recover(now: string): Promise<RecoveredJob[]>;
}
