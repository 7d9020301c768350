/** Main isolate → checkpoint worker (once, at start). */
export interface CheckpointSettings {
  path: string;
  intervalMs: number;
  truncateBytes: number;
  idleMs: number;
}

/** Checkpoint worker → main isolate. */
export type CheckpointReport =
  | { kind: "error"; message: string; storageFull: boolean }
  | { kind: "truncated"; walBytes: number };
