import type { Limits } from "../limits.ts";
import type { Logger } from "../ports/logger.ts";
import {
  codePointLength,
  ErrorCode,
  optionalObject,
  optionalString,
  type Payload,
  ProtocolError,
  ServerEvent,
  utf8Length,
} from "../../protocol/mod.ts";
import { randomHex } from "../ids.ts";
import type { JobUpdate } from "../admin_feed.ts";
import { type Call, message, type Outcome } from "../outcome.ts";
import type { Bus } from "../ports/bus.ts";
import { type Cancel, type Clock, settlesWithin } from "../ports/clock.ts";
import type { JobLease } from "../ports/job_store.ts";
import type { Stores, UnitOfWork } from "../ports/unit_of_work.ts";
import { jobCharge, spellCharge } from "../quota/charges.ts";
import { type StorageGate, ungated } from "../quota/storage_gate.ts";
import { mayBuild } from "../identity/policy.ts";
import { parseMetadata } from "../spell/metadata.ts";
import { REVISION_ID, revisionIdFor } from "../spell/ids.ts";
import { titleCase } from "../spell/manifest.ts";
import { requireSpellId } from "../spell/spell_service.ts";
import { findControlCharacter } from "./code_text.ts";
import type { BuildProgress, BuildRequest, BuildRunner, BuildTask, JobView } from "./job.ts";

const MAX_PROMPT_CHARS = 2000;
const STORAGE_WAIT_MESSAGE =
  "Waiting: the server is out of storage space; this build resumes when space is freed";

/** Whether storage takes writes (StorageHealth implements it). */
export interface StorageAvailability {
  /** True, and noted, if `error` means the disk is full. */
  noteFailure(error: unknown): boolean;
  /** Resolves when storage takes writes again. */
  whenWritable(): Promise<void>;
}

export interface BuildServiceOptions {
  stores: Stores;
  /** What must commit together: a job's start and its version; a revision and its job's end. */
  unitOfWork: UnitOfWork;
  runner: BuildRunner;
  /** Progress goes to the requester wherever it is connected. */
  bus: Bus;
  clock: Clock;
  /** How many builds run at once (the runner's worker count). */
  concurrency: number;
  limits: Pick<
    Limits,
    "maxSpellCodeBytes" | "buildQueueMax" | "buildsPerConnection" | "spellMaxIterations"
  >;
  /** World capabilities spells may use on this server. */
  capabilities: readonly string[];
  log: Logger;
  /** Told of every finished build (metrics). */
  onFinished?: (seconds: number, ok: boolean) => void;
  /** Told of every job's steps, whoever asked for it (the operator console's live jobs). */
  onJob?: (update: JobUpdate) => void;
  /** Per-owner quotas: a build counts per hour, its request against stored bytes. */
  quota?: StorageGate;
  /** A build that hits a full disk goes back to the queue until storage takes writes again. */
  storage?: StorageAvailability;
  /**
   * Cluster mode: builds run under this node's lease (renewed while they run), and every
   * `recoverEveryMs` the node takes pending jobs and those whose node stopped renewing: any node
   * may run a job, and it runs once (JobStore.start decides).
   */
  lease?: JobLease & { recoverEveryMs: number };
}

/** Another node started the job first (cluster mode): this node leaves it. */
class JobTaken extends Error {}

/** Thrown inside a build's run once a full disk was noted: the job goes back to the queue. */
class StorageFull extends Error {
  /** What a full disk says, so StorageAvailability recognises it. */
  readonly code = "ENOSPC";
}

interface QueuedJob {
  jobId: string;
  spellId: string;
  request: BuildRequest;
  /** The session that gets job.progress; undefined for jobs recovered after a restart. */
  requester?: string;
  /** Counted against its requester's builds in progress (queued on this node by it). */
  counted?: boolean;
}

/**
 * Build jobs: validated requests become durable job rows, run FIFO on the runner with at most
 * `concurrency` at once, report progress to their requester only (contract §4.8) and, when they
 * succeed, become a revision in one transaction (contract §4.9).
 */
export class BuildService {
  #options: BuildServiceOptions;
  #queue: QueuedJob[] = [];
  #running = 0;
  #perSession = new Map<string, number>();
  /** The last step of each running job: live progress is kept here, not written per step. */
  #lastStep = new Map<string, BuildProgress>();
  #closing = false;
  #waitingForStorage = false;
  #idleWaiters: (() => void)[] = [];
  /** Jobs queued or running here: a job recovered again while this node has it is not re-queued. */
  #here = new Set<string>();
  #recoverTimer: Cancel | undefined;

  constructor(options: BuildServiceOptions) {
    this.#options = options;
    const lease = options.lease;
    if (lease) {
      this.#recoverTimer = options.clock.every(lease.recoverEveryMs, () => {
        if (this.#closing) return;
        this.recover().catch((error) =>
          options.log.warn("could not look for builds to take over", { error })
        );
      });
    }
  }

  /** Jobs queued or running. */
  get depth(): number {
    return this.#queue.length + this.#running;
  }

  async startBuild(call: Call, payload: Payload): Promise<Outcome> {
    const { limits } = this.#options;
    const spellId = requireSpellId(payload);
    const request = await this.#parseRequest(spellId, payload);
    if ((this.#perSession.get(call.sessionId) ?? 0) >= limits.buildsPerConnection) {
      throw new ProtocolError(
        ErrorCode.QUOTA_EXCEEDED,
        `Too many builds in progress for this connection (limit ${limits.buildsPerConnection})`,
      );
    }
    if (this.#closing || this.depth >= limits.buildQueueMax) {
      throw new ProtocolError(ErrorCode.UNAVAILABLE, "Build queue is full; try again later");
    }
    const now = this.#now();
    const jobId = `job_${randomHex(6)}`;
    const charges = [jobCharge(jobId, request), spellCharge(spellId)];
    const quota = this.#options.quota ?? ungated(this.#options.stores);
    const requester = call.sessionId;
    // The job is stored before any reply: a restart runs it even if this process dies now.
    // Only the spell's owner (or an operator) builds it; a new id becomes the builder's. Checked
    // after `ensure`, in the same unit of work, so two first builds of one id cannot both own it.
    await quota.admit(call, charges, (stores) =>
      this.#inUnit(stores, async (tx) => {
        await tx.spells.ensure(spellId, titleCase(spellId), now, call.principal.id);
        const decision = mayBuild(call.principal, spellId, await tx.spells.ownerOf(spellId));
        if (!decision.ok) throw new ProtocolError(ErrorCode.FORBIDDEN, decision.reason);
        await tx.jobs.create({ jobId, spellId, request, requestedBy: requester, now });
      }));
    this.#perSession.set(requester, (this.#perSession.get(requester) ?? 0) + 1);
    return {
      reply: message(ServerEvent.SPELL_BUILD_STARTED, { job_id: jobId, spell_id: spellId }),
      // Queued once the reply is out: job.progress never overtakes spell.build_started.
      after: () => {
        this.#enqueue({ jobId, spellId, request, requester, counted: true });
        this.#options.onJob?.({
          job_id: jobId,
          spell_id: spellId,
          status: "pending",
          stage: "queued",
          progress_pct: 0,
        });
        this.#pump();
      },
    };
  }

  /** Re-queues the jobs a previous process left pending or running; returns how many. */
  async recover(): Promise<number> {
    const recovered = await this.#options.stores.jobs.recover(this.#now());
    let queued = 0;
    for (const { jobId, spellId, request, requestedBy } of recovered) {
      // In cluster mode its requester may be connected to any node: progress goes over the bus.
      const requester = this.#options.lease && requestedBy !== "" ? requestedBy : undefined;
      if (this.#enqueue({ jobId, spellId, request, ...(requester ? { requester } : {}) })) queued++;
    }
    this.#pump();
    return queued;
  }

  /** A job as `GET /api/jobs/<id>` shows it: its row, with the live step while it runs. */
  async view(jobId: string): Promise<JobView | undefined> {
    const job = await this.#options.stores.jobs.get(jobId);
    // Sent back to the queue by a full disk: its row may still say running (it could not be written).
    if (job?.status === "running" && this.#queue.some((queued) => queued.jobId === jobId)) {
      return { ...job, status: "pending", stage: "waiting", progress_pct: 0 };
    }
    const step = this.#lastStep.get(jobId);
    if (!job || !step || job.status !== "running") return job;
    return { ...job, stage: step.stage, progress_pct: step.pct };
  }

  /** Resolves when no build is queued or running. */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops starting builds and waits up to `graceMs` for running ones. Queued jobs stay `pending`
   * in the database and run after the next start.
   */
  async close(graceMs: number): Promise<void> {
    this.#closing = true;
    this.#recoverTimer?.();
    for (const job of this.#queue) this.#here.delete(job.jobId);
    this.#queue.length = 0;
    if (this.#running > 0) await settlesWithin(this.#options.clock, this.idle(), graceMs);
    await this.#options.runner.close();
  }

  /**
   * Runs `body` in a unit of work, unless `stores` already are one (the quota gate opened it for
   * the job's charges): then on those.
   */
  #inUnit<T>(stores: Stores, body: (tx: Stores) => Promise<T>): Promise<T> {
    return stores === this.#options.stores ? this.#options.unitOfWork.run(body) : body(stores);
  }

  async #parseRequest(spellId: string, payload: Payload): Promise<BuildRequest> {
    const { limits, stores } = this.#options;
    const prompt = optionalString(payload, "prompt") ?? "";
    if (codePointLength(prompt) > MAX_PROMPT_CHARS) {
      throw new ProtocolError(
        ErrorCode.TOO_LARGE,
        `prompt must be ${MAX_PROMPT_CHARS} characters or less`,
      );
    }
    const code = codeField(payload);
    if (code !== undefined && utf8Length(code) > limits.maxSpellCodeBytes) {
      throw new ProtocolError(
        ErrorCode.TOO_LARGE,
        `Spell code is ${utf8Length(code)} bytes; the limit is ${limits.maxSpellCodeBytes}`,
      );
    }
    const options = optionalObject(payload, "options") ?? {};
    const metadata = parseMetadata(optionalObject(options, "metadata") ?? {});
    const parentRevisionId = optionalString(options, "parent_revision_id") ?? "";
    if (
      parentRevisionId !== "" &&
      (!REVISION_ID.test(parentRevisionId) ||
        !await stores.spells.getRevision(spellId, parentRevisionId))
    ) {
      throw new ProtocolError(ErrorCode.REVISION_NOT_FOUND, "Parent revision not found");
    }
    const request: BuildRequest = { prompt, metadata, parentRevisionId };
    if (code !== undefined) request.code = code;
    return request;
  }

  /** Queues a job unless this node already has it; true if queued. */
  #enqueue(job: QueuedJob): boolean {
    if (this.#here.has(job.jobId)) return false;
    this.#here.add(job.jobId);
    this.#queue.push(job);
    return true;
  }

  #pump(): void {
    while (
      !this.#closing && !this.#waitingForStorage &&
      this.#running < this.#options.concurrency && this.#queue.length > 0
    ) {
      const job = this.#queue.shift()!;
      this.#running++;
      this.#run(job)
        .then(() => false, (error) => this.#requeueIfStorageFull(job, error))
        .then((requeued) => {
          this.#running--;
          this.#lastStep.delete(job.jobId);
          if (requeued) this.#waitForStorage(job);
          else {
            this.#here.delete(job.jobId);
            this.#release(job);
          }
          this.#pump();
          if (this.depth === 0) this.#idleWaiters.splice(0).forEach((resolve) => resolve());
        });
    }
  }

  /** True if the job hit a full disk (it runs again later); anything else is logged. */
  #requeueIfStorageFull(job: QueuedJob, error: unknown): boolean {
    if (error instanceof JobTaken) return false;
    if (error instanceof StorageFull || this.#options.storage?.noteFailure(error)) return true;
    this.#options.log.error("build bookkeeping failed", { job_id: job.jobId, error });
    return false;
  }

  /**
   * Back to the front of the queue, and the queue waits until storage takes writes again. Its row
   * goes back to pending if that can be written; if not, a restart re-queues it anyway.
   */
  #waitForStorage(job: QueuedJob): void {
    this.#options.stores.jobs.requeue(job.jobId, this.#now()).catch(() => {
      // Still full; view() reports the job as pending meanwhile.
    });
    this.#notify(job, { stage: "waiting", pct: 0, message: STORAGE_WAIT_MESSAGE });
    this.#queue.unshift(job);
    if (this.#waitingForStorage || !this.#options.storage) return;
    this.#waitingForStorage = true;
    this.#options.storage.whenWritable().then(() => {
      this.#waitingForStorage = false;
      this.#pump();
    });
  }

  async #run(job: QueuedJob): Promise<void> {
    const { log, unitOfWork } = this.#options;
    // Three commits per build (queued, started, finished): a build takes about a millisecond, so
    // a write per step would cost the main isolate more than the build and be seen by no one.
    const progress = (step: BuildProgress, extras: Payload = {}) => {
      this.#lastStep.set(job.jobId, step);
      this.#notify(job, { ...step, ...extras });
    };
    const startedAt = this.#now();
    const lease = this.#options.lease;
    const version = await unitOfWork.run(async (tx) => {
      const taken = lease
        ? await tx.jobs.start(job.jobId, startedAt, { holder: lease.holder, ms: lease.ms })
        : await tx.jobs.start(job.jobId, startedAt);
      if (!taken) throw new JobTaken(job.jobId);
      return await tx.spells.reserveVersion(job.spellId, startedAt);
    });
    const renewal = lease
      ? this.#options.clock.every(Math.max(1, Math.floor(lease.ms / 3)), () => {
        this.#options.stores.jobs.renew(job.jobId, { holder: lease.holder, ms: lease.ms })
          .catch((error) =>
            log.warn("could not renew a build's lease", { job_id: job.jobId, error })
          );
      })
      : undefined;
    try {
      await this.#build(job, version, startedAt, progress);
    } finally {
      renewal?.();
    }
  }

  async #build(
    job: QueuedJob,
    version: number,
    startedAt: string,
    progress: (step: BuildProgress, extras?: Payload) => void,
  ): Promise<void> {
    const { runner, limits, log, unitOfWork } = this.#options;
    const task: BuildTask = {
      jobId: job.jobId,
      spellId: job.spellId,
      revisionId: revisionIdFor(version, randomHex(4)),
      version,
      createdAt: startedAt,
      request: job.request,
      maxCodeBytes: limits.maxSpellCodeBytes,
      spell: {
        capabilities: this.#options.capabilities,
        maxIterations: limits.spellMaxIterations,
      },
    };
    const clock = this.#options.clock;
    const started = clock.monotonic();
    const finished = (ok: boolean) =>
      this.#options.onFinished?.((clock.monotonic() - started) / 1000, ok);
    const outcome = await runner.run(task, (step) => progress(step));
    if (!outcome.ok) {
      const full = new StorageFull(`build ${job.jobId}: ${outcome.reason}`);
      if (outcome.storageFull && this.#options.storage?.noteFailure(full)) throw full;
      await this.#fail(job, outcome.reason);
      finished(false);
      return;
    }
    const { manifest } = outcome;
    try {
      const now = this.#now();
      await unitOfWork.run(async (tx) => {
        await tx.spells.addRevision(
          {
            manifest,
            parentRevisionId: job.request.parentRevisionId,
            files: [...manifest.code, ...manifest.assets],
          },
          now,
        );
        await tx.jobs.complete(job.jobId, manifest.revision_id, now);
      });
    } catch (error) {
      if (this.#options.storage?.noteFailure(error)) throw new StorageFull("", { cause: error });
      log.error("could not record a finished build", { job_id: job.jobId, error });
      await this.#fail(job, "internal error while saving the revision");
      finished(false);
      return;
    }
    progress({ stage: "finalize", pct: 95, message: "Manifest written" }, { manifest });
    this.#notify(job, {
      stage: "done",
      pct: 100,
      message: "Build complete!",
      revision_id: manifest.revision_id,
      manifest,
    });
    finished(true);
    log.info("build complete", {
      job_id: job.jobId,
      revision_id: manifest.revision_id,
      ms: Math.round(clock.monotonic() - started),
    });
  }

  async #fail(job: QueuedJob, reason: string): Promise<void> {
    const text = `Build failed: ${reason}`;
    const reached = this.#lastStep.get(job.jobId) ?? { stage: "prepare", pct: 0 };
    await this.#options.stores.jobs.fail(job.jobId, text, reached, this.#now());
    this.#notify(job, { stage: "error", pct: 0, message: text });
  }

  #notify(job: QueuedJob, fields: Payload & { stage: string; pct: number }): void {
    this.#options.onJob?.(jobUpdate(job, fields));
    if (job.requester === undefined) return;
    this.#options.bus.publish(
      { session: job.requester },
      message(ServerEvent.JOB_PROGRESS, { job_id: job.jobId, ...fields }),
    );
  }

  #release(job: QueuedJob): void {
    if (job.requester === undefined || !job.counted) return;
    const id = job.requester;
    const left = (this.#perSession.get(id) ?? 1) - 1;
    if (left <= 0) this.#perSession.delete(id);
    else this.#perSession.set(id, left);
  }

  #now(): string {
    return new Date(this.#options.clock.now()).toISOString();
  }
}

/** A step as the operator console shows it: the job's status follows from the stage. */
function jobUpdate(job: QueuedJob, fields: Payload & { stage: string; pct: number }): JobUpdate {
  const status = fields.stage === "done"
    ? "completed"
    : fields.stage === "error"
    ? "failed"
    : fields.stage === "waiting"
    ? "pending"
    : "running";
  const text = typeof fields.message === "string" ? fields.message : undefined;
  return {
    job_id: job.jobId,
    spell_id: job.spellId,
    status,
    stage: fields.stage,
    progress_pct: fields.pct,
    ...(text === undefined
      ? {}
      : status === "failed"
      ? { error_message: text }
      : { message: text }),
    ...(typeof fields.revision_id === "string" ? { revision_id: fields.revision_id } : {}),
  };
}

/**
 * `code` must be well-formed text (it could not be stored as sent otherwise) without control
 * characters besides tab, CR and LF: both are refused here, before anything is queued or stored.
 */
function codeField(payload: Payload): string | undefined {
  const code = payload.code;
  if (code === undefined || code === null || code === "") return undefined;
  if (typeof code !== "string") {
    throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, "code must be a string");
  }
  if (!code.isWellFormed()) {
    throw new ProtocolError(
      ErrorCode.INVALID_PAYLOAD,
      "code must be valid text (no lone surrogates)",
    );
  }
  const control = findControlCharacter(code);
  if (control) {
    throw new ProtocolError(
      ErrorCode.INVALID_PAYLOAD,
      `code must not contain control characters other than tab, CR and LF (${control.codePoint} on line ${control.line})`,
    );
  }
  return code;
}
