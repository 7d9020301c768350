import type { BuildOutcome, BuildProgress, BuildRunner, BuildTask } from "../core/build/job.ts";
import type { Logger } from "../log.ts";
import type { WorkerReply, WorkerRequest } from "./worker_messages.ts";

interface Slot {
  /** Spawned on first use: an idle server pays for no build isolate. */
  worker?: Worker;
  busy: boolean;
}

interface Pending {
  task: BuildTask;
  onProgress: (progress: BuildProgress) => void;
  resolve: (outcome: BuildOutcome) => void;
}

/**
 * A fixed pool of build Web Workers. A worker that crashes or overruns `timeoutMs` is terminated and
 * replaced, and its build fails with a reason that reveals no internals.
 */
export class WorkerPool implements BuildRunner {
  #slots: Slot[] = [];
  #queue: Pending[] = [];
  #blobRoot: string;
  #timeoutMs: number;
  #log: Logger;
  #workerUrl: URL;
  #lease: (jobId: string, hashes: string[]) => Promise<void>;
  #isStorageFull: (error: unknown) => boolean;

  constructor(
    options: {
      size: number;
      blobRoot: string;
      timeoutMs: number;
      log: Logger;
      workerUrl?: URL;
      /**
       * Leases the hashes a build is about to store, so the collector keeps them (BlobLeases);
       * throws if it cannot (a full disk).
       */
      lease: (jobId: string, hashes: string[]) => Promise<void>;
      /** True if an error means the disk is full (the build can run again later). */
      isStorageFull: (error: unknown) => boolean;
    },
  ) {
    this.#lease = options.lease;
    this.#isStorageFull = options.isStorageFull;
    this.#blobRoot = options.blobRoot;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.log;
    this.#workerUrl = options.workerUrl ?? new URL("./build_worker.ts", import.meta.url);
    for (let i = 0; i < options.size; i++) this.#slots.push({ busy: false });
  }

  run(task: BuildTask, onProgress: (progress: BuildProgress) => void): Promise<BuildOutcome> {
    return new Promise((resolve) => {
      this.#queue.push({ task, onProgress, resolve });
      this.#next();
    });
  }

  close(): Promise<void> {
    for (const slot of this.#slots) slot.worker?.terminate();
    this.#slots = [];
    for (const pending of this.#queue.splice(0)) {
      pending.resolve({ ok: false, reason: "server shutting down" });
    }
    return Promise.resolve();
  }

  #spawn(): Worker {
    return new Worker(this.#workerUrl, { type: "module", name: "build" });
  }

  #next(): void {
    const slot = this.#slots.find((candidate) => !candidate.busy);
    const pending = slot && this.#queue.shift();
    if (!slot || !pending) return;
    slot.busy = true;
    const worker = slot.worker ??= this.#spawn();
    const finish = (outcome: BuildOutcome, replace: boolean) => {
      clearTimeout(timer);
      worker.onmessage = null;
      worker.onerror = null;
      if (replace) {
        worker.terminate();
        delete slot.worker;
      }
      slot.busy = false;
      pending.resolve(outcome);
      this.#next();
    };
    const timer = setTimeout(() => {
      this.#log.warn("build timed out", { job_id: pending.task.jobId, ms: this.#timeoutMs });
      finish({ ok: false, reason: "build timed out" }, true);
    }, this.#timeoutMs);
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.kind === "progress") pending.onProgress(reply.progress);
      else if (reply.kind === "lease") {
        void this.#answerLease(worker, pending.task.jobId, reply.hashes);
      } else if (reply.kind === "done") finish(reply.outcome, false);
      else if (reply.storageFull) {
        finish(
          { ok: false, reason: "the server is out of storage space", storageFull: true },
          false,
        );
      } else {
        this.#log.error("build worker failed", {
          job_id: pending.task.jobId,
          detail: reply.detail,
        });
        finish({ ok: false, reason: "internal error" }, true);
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#log.error("build worker crashed", {
        job_id: pending.task.jobId,
        detail: event.message,
      });
      finish({ ok: false, reason: "internal error" }, true);
    };
    const request: WorkerRequest = { kind: "build", task: pending.task, blobRoot: this.#blobRoot };
    worker.postMessage(request);
  }

  async #answerLease(worker: Worker, jobId: string, hashes: string[]): Promise<void> {
    let answer: WorkerRequest = { kind: "leased", ok: true, storageFull: false };
    try {
      await this.#lease(jobId, hashes);
    } catch (error) {
      if (!this.#isStorageFull(error)) {
        this.#log.error("could not lease blobs for a build", { job_id: jobId, error });
      }
      answer = { kind: "leased", ok: false, storageFull: this.#isStorageFull(error) };
    }
    worker.postMessage(answer);
  }
}
