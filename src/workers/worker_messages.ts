import type { BuildOutcome, BuildProgress, BuildTask } from "../core/build/job.ts";

/** Main isolate → build worker: a build to run, or the answer to its lease request. */
export type WorkerRequest =
  | { kind: "build"; task: BuildTask; blobRoot: string }
  | { kind: "leased"; ok: boolean; storageFull: boolean };

/**
 * Build worker → main isolate. `lease` asks the main isolate to lease hashes before the worker
 * looks at the blob folder (see BlobLeases); the worker waits for `leased`.
 */
export type WorkerReply =
  | { kind: "progress"; progress: BuildProgress }
  | { kind: "lease"; hashes: string[] }
  | { kind: "done"; outcome: BuildOutcome }
  | { kind: "crashed"; detail: string; storageFull: boolean };
