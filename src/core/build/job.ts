import type { Manifest, ManifestMetadata } from "../spell/manifest.ts";

/** What a client asked to build; stored with the job so a restart can run it again. */
export interface BuildRequest {
  prompt: string;
  /** Absent: build the documented stub spell. */
  code?: string;
  metadata: Partial<ManifestMetadata>;
  parentRevisionId: string;
}

/** Everything a build runner needs; the revision id is reserved before the build starts. */
export interface BuildTask {
  jobId: string;
  spellId: string;
  revisionId: string;
  version: number;
  createdAt: string;
  request: BuildRequest;
  maxCodeBytes: number;
  /** The SpellScript rules of this server (`SPELL_CAPABILITIES`, `SPELL_MAX_ITERATIONS`). */
  spell: { capabilities: readonly string[]; maxIterations: number };
}

export interface BuildProgress {
  stage: string;
  pct: number;
  message: string;
}

/** A build's end: the manifest of a package whose blobs are stored, or why it failed. */
export type BuildOutcome =
  | { ok: true; manifest: Manifest }
  /** `storageFull`: the disk was full; nothing was committed and the build can run again later. */
  | { ok: false; reason: string; storageFull?: boolean };

/** Runs builds off the main isolate (Web Workers in production). */
export interface BuildRunner {
  run(task: BuildTask, onProgress: (progress: BuildProgress) => void): Promise<BuildOutcome>;
  close(): Promise<void>;
}

/** A job as `GET /api/jobs/<id>` reports it. */
export interface JobView {
  job_id: string;
  spell_id: string;
  status: string;
  stage: string;
  progress_pct: number;
  error_message: string;
  result_revision_id: string;
  created_at: string;
  updated_at: string;
}
