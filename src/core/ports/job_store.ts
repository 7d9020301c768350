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

/** A job left unfinished by a previous process (or a node that stopped renewing it), back in the queue. */
export interface RecoveredJob {
  jobId: string;
  spellId: string;
  request: BuildRequest;
  /** The connection that asked for it (it may be connected to another node, or gone). */
  requestedBy: string;
}

/**
 * Who runs a job and for how long it may go unrenewed (cluster mode: a node that dies stops
 * renewing, and another node takes the job once the lease lapses).
 */
export interface JobLease {
  holder: string;
  ms: number;
}

/** Build jobs: a job outlives the process that queued it. */
export interface JobStore {
  create(job: NewJob): Promise<void>;
  get(jobId: string): Promise<JobView | undefined>;
  /**
   * Takes the job to run it (running, at the first step): true if it was pending, or running under
   * no lease, a lapsed one or `lease.holder`'s own; false if it finished or another holder runs it,
   * so one job runs once however many nodes queued it. A store used by one process alone (SQLite,
   * memory) may ignore leases.
   */
  start(jobId: string, now: string, lease?: JobLease): Promise<boolean>;
  /** Extends a running job's lease; false if the holder no longer has it. */
  renew(jobId: string, lease: JobLease): Promise<boolean>;
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
  /**
   * Jobs left pending, or running under no lease or a lapsed one, oldest first, back to pending;
   * their blob leases end. (Pending jobs another node queued are listed too: whichever node starts
   * one first runs it.)
   */
  recover(now: string): Promise<RecoveredJob[]>;
}
