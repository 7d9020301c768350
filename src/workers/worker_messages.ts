import type { BuildOutcome, BuildProgress, BuildTask } from "../core/build/job.ts";

/** Main isolate → build worker. */
export interface WorkerRequest {
  task: BuildTask;
  blobRoot: string;
}

/** Build worker → main isolate. */
export type WorkerReply =
  | { kind: "progress"; progress: BuildProgress }
  | { kind: "done"; outcome: BuildOutcome }
  | { kind: "crashed"; detail: string };
