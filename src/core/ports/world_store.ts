import type { VoxelOp } from "../../protocol/mod.ts";

/** A stored world. `player_count` is never stored: counts are live (Presence). */
export interface WorldRecord {
  world_id: string;
  name: string;
  description: string;
  created_by: string;
  /** Who may clear or delete it: the creator's principal id ("legacy" for worlds from before). */
  owner_id: string;
  created_at: string;
  updated_at: string;
  /** The last op or join, ISO 8601; "" if the world was never active. */
  last_active_at: string;
}

/** Where a page of the newest-first world list starts: after this world. */
export interface WorldPageKey {
  createdAt: string;
  worldId: string;
}

/** A voxel op with its place in its world's order. */
export interface SeqOp {
  seq: number;
  op: VoxelOp;
}

/**
 * What a join sends: the ops with `seq` up to `lastSeq` (a snapshot), how many there are (they are
 * the consecutive seqs `lastSeq - count + 1 … lastSeq`), and an upper bound on the UTF-8 size of
 * any one of them as JSON, so a sync can be cut into frames before a single op is read.
 */
export interface SyncPlan {
  lastSeq: number;
  count: number;
  maxOpJsonBytes: number;
}

/** An append's outcome: the seqs the ops took, or a refusal because the log would pass `maxOps`. */
export type AppendResult =
  | { ok: true; firstSeq: number; lastSeq: number; count: number }
  | { ok: false; count: number };

/**
 * Worlds and their voxel-op logs. Every op a world ever stored has a sequence number, 1, 2, 3 … per
 * world, never reused: a `clear` deletes the ops and takes the next number itself, so the ops a
 * world holds are always the consecutive seqs after its last clear. An implementation may be
 * shared by several server processes (no method may rely on being the only writer).
 */
export interface WorldStore {
  create(world: WorldRecord): Promise<void>;
  get(worldId: string): Promise<WorldRecord | undefined>;
  count(): Promise<number>;
  /** Up to `limit` worlds, newest first (created_at, then world_id), after `after`. */
  page(limit: number, after?: WorldPageKey): Promise<WorldRecord[]>;
  /** Up to `limit` worlds, most recently active first, then the never-active ones newest first. */
  byActivity(limit: number): Promise<WorldRecord[]>;
  /** Stores when worlds were last active (ISO 8601), all or none. */
  recordActivity(entries: readonly [worldId: string, at: string][]): Promise<void>;
  /**
   * Appends `ops` after the world's last seq, all or none, unless the log would then hold more
   * than `maxOps` (checked in the same atomic step: concurrent appends cannot overshoot).
   */
  append(
    worldId: string,
    ops: readonly VoxelOp[],
    createdAt: string,
    maxOps: number,
  ): Promise<AppendResult>;
  /** The highest seq the world has given out (0 for a new world). */
  lastSeq(worldId: string): Promise<number>;
  /** How many ops the world holds now. */
  opCount(worldId: string): Promise<number>;
  syncPlan(worldId: string): Promise<SyncPlan>;
  /** Up to `limit` ops with `afterSeq < seq <= upToSeq`, in seq order. */
  opsAfter(worldId: string, afterSeq: number, upToSeq: number, limit: number): Promise<SeqOp[]>;
  /**
   * Deletes the world's ops (and the quota ledger's charges for them: they no longer count against
   * whoever appended them) and returns the seq the clear took and how many ops it removed.
   */
  clear(worldId: string): Promise<{ seq: number; removed: number }>;
  /** Deletes the world, its ops and their quota charges; false if there was no such world. */
  delete(worldId: string): Promise<boolean>;
}
