import type { Vec3, VoxelOp } from "../protocol/mod.ts";
import type { Database } from "./db.ts";
import { transaction } from "./db.ts";

/** A `worlds` row. `player_count` in the table is not used: counts are live (contract §4.6). */
export interface WorldRecord {
  world_id: string;
  name: string;
  description: string;
  created_by: string;
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

/** Persistence of worlds and their voxel-op logs. */
export interface WorldRepo {
  create(world: WorldRecord): void;
  get(worldId: string): WorldRecord | undefined;
  /** Up to `limit` worlds, newest first, after `after` (a stable total order for paging). */
  page(limit: number, after?: WorldPageKey): WorldRecord[];
  /** Up to `limit` worlds, most recently active first, then the never-active ones newest first. */
  byActivity(limit: number): WorldRecord[];
  /** Stores when worlds were last active (ISO 8601), in one transaction. */
  recordActivity(entries: Iterable<[worldId: string, at: string]>): void;
  count(): number;
  /** Appends ops, all or none, and returns the new op count of the world. */
  appendOps(worldId: string, ops: readonly VoxelOp[], createdAt: string): number;
  opCount(worldId: string): number;
  /** What a join must send: the ops up to `lastOpId`, how many, and the largest one's stored size. */
  syncPlan(worldId: string): SyncPlan;
  /** Up to `limit` ops after `afterOpId` and at most `upToOpId`, in the order they were applied. */
  opsAfter(worldId: string, afterOpId: number, upToOpId: number, limit: number): OpsPage;
  /** Deletes the world's ops and returns how many there were. */
  clearOps(worldId: string): number;
}

/** A snapshot boundary for a join: ops with ids up to `lastOpId` go in the sync, later ones live. */
export interface SyncPlan {
  lastOpId: number;
  count: number;
  /** An upper bound on the UTF-8 size of any of those ops as JSON (as a sync message carries it). */
  maxOpJsonBytes: number;
}

/** One page of a world's ops and the id of its last op (the cursor for the next page). */
export interface OpsPage {
  ops: VoxelOp[];
  lastOpId: number;
}

type WorldRow = Omit<WorldRecord, "last_active_at"> & { last_active_at: string | null };

function worldRecord(row: WorldRow): WorldRecord {
  return {
    world_id: row.world_id,
    name: row.name,
    description: row.description ?? "",
    created_by: row.created_by ?? "",
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_active_at: row.last_active_at ?? "",
  };
}

interface OpRow {
  op_id: number;
  op_type: string;
  op_data: string;
}

/** WorldRepo on SQLite. Counts are cached: this process is the database's only writer. */
export class SqliteWorldRepo implements WorldRepo {
  #db: Database;
  #opCounts = new Map<string, number>();
  #worldCount: number | undefined;
  #insertWorld;
  #selectWorld;
  #selectFirstPage;
  #selectPage;
  #selectActive;
  #setActivity;
  #countWorlds;
  #insertOp;
  #countOps;
  #syncPlan;
  #opsAfter;
  #deleteOps;
  #creditOps;

  constructor(db: Database) {
    this.#db = db;
    this.#insertWorld = db.prepare(
      `INSERT INTO worlds (world_id, name, description, created_by, player_count, created_at, updated_at, last_active_at)
       VALUES (?, ?, ?, ?, 0, ?, ?, ?)`,
    );
    const columns =
      "world_id, name, description, created_by, created_at, updated_at, last_active_at";
    this.#selectWorld = db.prepare(`SELECT ${columns} FROM worlds WHERE world_id = ?`);
    this.#selectFirstPage = db.prepare(
      `SELECT ${columns} FROM worlds ORDER BY created_at DESC, world_id DESC LIMIT ?`,
    );
    this.#selectPage = db.prepare(
      `SELECT ${columns} FROM worlds WHERE (created_at, world_id) < (?, ?)
       ORDER BY created_at DESC, world_id DESC LIMIT ?`,
    );
    // Served by idx_worlds_activity read backwards: NULL (never active) sorts last.
    this.#selectActive = db.prepare(
      `SELECT ${columns} FROM worlds ORDER BY last_active_at DESC, created_at DESC LIMIT ?`,
    );
    this.#setActivity = db.prepare("UPDATE worlds SET last_active_at = ? WHERE world_id = ?");
    this.#countWorlds = db.prepare("SELECT COUNT(*) AS n FROM worlds");
    this.#insertOp = db.prepare(
      "INSERT INTO world_ops (world_id, op_type, op_data, created_at) VALUES (?, ?, ?, ?)",
    );
    this.#countOps = db.prepare("SELECT COUNT(*) AS n FROM world_ops WHERE world_id = ?");
    this.#syncPlan = db.prepare(
      `SELECT count(*) AS count, coalesce(max(op_id), 0) AS last_op_id,
         coalesce(max(length(CAST(op_type AS BLOB)) + length(CAST(op_data AS BLOB))), 0) AS max_bytes
       FROM world_ops WHERE world_id = ?`,
    );
    this.#opsAfter = db.prepare(
      `SELECT op_id, op_type, op_data FROM world_ops
       WHERE world_id = ? AND op_id > ? AND op_id <= ? ORDER BY op_id LIMIT ?`,
    );
    this.#deleteOps = db.prepare("DELETE FROM world_ops WHERE world_id = ?");
    this.#creditOps = db.prepare("DELETE FROM quota_ledger WHERE kind = 'ops' AND ref = ?");
  }

  create(world: WorldRecord): void {
    this.#insertWorld.run(
      world.world_id,
      world.name,
      world.description,
      world.created_by,
      world.created_at,
      world.updated_at,
      world.last_active_at === "" ? null : world.last_active_at,
    );
    this.#opCounts.set(world.world_id, 0);
    if (this.#worldCount !== undefined) this.#worldCount++;
  }

  get(worldId: string): WorldRecord | undefined {
    const row = this.#selectWorld.get(worldId) as WorldRow | undefined;
    return row ? worldRecord(row) : undefined;
  }

  page(limit: number, after?: WorldPageKey): WorldRecord[] {
    const rows = after
      ? this.#selectPage.all(after.createdAt, after.worldId, limit)
      : this.#selectFirstPage.all(limit);
    return (rows as unknown as WorldRow[]).map(worldRecord);
  }

  byActivity(limit: number): WorldRecord[] {
    return (this.#selectActive.all(limit) as unknown as WorldRow[]).map(worldRecord);
  }

  recordActivity(entries: Iterable<[worldId: string, at: string]>): void {
    transaction(this.#db, () => {
      for (const [worldId, at] of entries) this.#setActivity.run(at, worldId);
    });
  }

  count(): number {
    return this.#worldCount ??= Number((this.#countWorlds.get() as { n: number }).n);
  }

  appendOps(worldId: string, ops: readonly VoxelOp[], createdAt: string): number {
    const before = this.opCount(worldId);
    transaction(this.#db, () => {
      for (const op of ops) this.#insertOp.run(worldId, op.op, encodeOpData(op), createdAt);
    });
    const after = before + ops.length;
    this.#opCounts.set(worldId, after);
    return after;
  }

  opCount(worldId: string): number {
    let count = this.#opCounts.get(worldId);
    if (count === undefined) {
      count = Number((this.#countOps.get(worldId) as { n: number }).n);
      this.#opCounts.set(worldId, count);
    }
    return count;
  }

  syncPlan(worldId: string): SyncPlan {
    const row = this.#syncPlan.get(worldId) as {
      count: number;
      last_op_id: number;
      max_bytes: number;
    };
    return {
      lastOpId: Number(row.last_op_id),
      count: Number(row.count),
      // An op's JSON is `{"op":"<op_type>",` followed by `op_data` without its `{`: 8 bytes more
      // than the two stored texts (less if the stored JSON has spaces a re-encoding drops).
      maxOpJsonBytes: Number(row.max_bytes) + 8,
    };
  }

  opsAfter(worldId: string, afterOpId: number, upToOpId: number, limit: number): OpsPage {
    const rows = this.#opsAfter.all(worldId, afterOpId, upToOpId, limit) as unknown as OpRow[];
    return {
      ops: rows.map(decodeOp),
      lastOpId: rows.length > 0 ? Number(rows.at(-1)!.op_id) : afterOpId,
    };
  }

  clearOps(worldId: string): number {
    // The ops no longer count against the quotas of whoever appended them.
    const result = transaction(this.#db, () => {
      this.#creditOps.run(worldId);
      return this.#deleteOps.run(worldId);
    });
    this.#opCounts.set(worldId, 0);
    return Number(result.changes);
  }
}

/** `op_data` keeps the original's `{center, radius, material_id}` shape; `op_type` holds the op. */
function encodeOpData(op: VoxelOp): string {
  return JSON.stringify(
    op.op === "add_sphere"
      ? { center: op.center, radius: op.radius, material_id: op.material_id }
      : { center: op.center, radius: op.radius },
  );
}

function decodeOp(row: OpRow): VoxelOp {
  const data = JSON.parse(row.op_data) as { center: Vec3; radius: number; material_id?: number };
  return row.op_type === "add_sphere"
    ? {
      op: "add_sphere",
      center: data.center,
      radius: data.radius,
      material_id: data.material_id ?? 1,
    }
    : { op: "subtract_sphere", center: data.center, radius: data.radius };
}
