import type {
  AppendResult,
  SeqOp,
  SyncPlan,
  WorldPageKey,
  WorldRecord,
  WorldStore,
} from "../../core/ports/world_store.ts";
import type { VoxelOp } from "../../protocol/mod.ts";
import { decodeOp, encodeOpData, worldRecord, type WorldRow } from "../sql_rows.ts";
import type { Database } from "./db.ts";
import { transaction } from "./db.ts";
import type { Run } from "./run.ts";

interface OpRow {
  seq: number;
  op_type: string;
  op_data: string;
}

/** A world's place in its sequence: the last seq given out and the seq of its last clear. */
interface Seqs {
  lastSeq: number;
  clearedSeq: number;
}

/**
 * What the SQLite world stores of one database share: the statements and a cache of each world's
 * seqs and of the world count. The cache is valid because SQLite mode is one process (the data
 * directory's lock) writing through these stores only; the Postgres store (cluster mode) keeps the
 * seqs in the world row instead.
 */
export class SqliteWorldTables {
  readonly db: Database;
  readonly seqs = new Map<string, Seqs>();
  worldCount: number | undefined;
  readonly statements;

  constructor(db: Database) {
    this.db = db;
    const columns =
      "world_id, name, description, created_by, owner_id, created_at, updated_at, last_active_at";
    this.statements = {
      insertWorld: db.prepare(
        `INSERT INTO worlds (world_id, name, description, created_by, owner_id, player_count, created_at, updated_at, last_active_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      ),
      selectWorld: db.prepare(`SELECT ${columns} FROM worlds WHERE world_id = ?`),
      selectFirstPage: db.prepare(
        `SELECT ${columns} FROM worlds ORDER BY created_at DESC, world_id DESC LIMIT ?`,
      ),
      selectPage: db.prepare(
        `SELECT ${columns} FROM worlds WHERE (created_at, world_id) < (?, ?)
         ORDER BY created_at DESC, world_id DESC LIMIT ?`,
      ),
      // Served by idx_worlds_activity read backwards: NULL (never active) sorts last.
      selectActive: db.prepare(
        `SELECT ${columns} FROM worlds ORDER BY last_active_at DESC, created_at DESC LIMIT ?`,
      ),
      setActivity: db.prepare("UPDATE worlds SET last_active_at = ? WHERE world_id = ?"),
      countWorlds: db.prepare("SELECT COUNT(*) AS n FROM worlds"),
      selectSeqs: db.prepare(
        `SELECT cleared_seq,
           (SELECT MAX(seq) FROM world_ops WHERE world_id = worlds.world_id) AS max_seq
         FROM worlds WHERE world_id = ?`,
      ),
      insertOp: db.prepare(
        "INSERT INTO world_ops (world_id, seq, op_type, op_data, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      syncPlan: db.prepare(
        `SELECT count(*) AS count,
           coalesce(max(length(CAST(op_type AS BLOB)) + length(CAST(op_data AS BLOB))), 0) AS max_bytes
         FROM world_ops WHERE world_id = ? AND seq <= ?`,
      ),
      opsAfter: db.prepare(
        `SELECT seq, op_type, op_data FROM world_ops
         WHERE world_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      ),
      setCleared: db.prepare("UPDATE worlds SET cleared_seq = ? WHERE world_id = ?"),
      deleteOps: db.prepare("DELETE FROM world_ops WHERE world_id = ?"),
      creditOps: db.prepare("DELETE FROM quota_ledger WHERE kind = 'ops' AND ref = ?"),
      deleteWorld: db.prepare("DELETE FROM worlds WHERE world_id = ?"),
      creditWorld: db.prepare(
        "DELETE FROM quota_ledger WHERE kind IN ('world', 'ops') AND ref = ?",
      ),
    };
  }
}

/**
 * WorldStore on SQLite. `run` is how a call reaches the database: through the transaction gate
 * (the server's stores) or directly inside a unit of work (`bound`: then nothing it writes is
 * cached, since the unit of work may still roll back).
 */
export class SqliteWorldStore implements WorldStore {
  #tables: SqliteWorldTables;
  #run: Run;
  #bound: boolean;

  constructor(tables: SqliteWorldTables, run: Run, options: { bound?: boolean } = {}) {
    this.#tables = tables;
    this.#run = run;
    this.#bound = options.bound ?? false;
  }

  create(world: WorldRecord): Promise<void> {
    return this.#run(() => {
      this.#tables.statements.insertWorld.run(
        world.world_id,
        world.name,
        world.description,
        world.created_by,
        world.owner_id,
        world.created_at,
        world.updated_at,
        world.last_active_at === "" ? null : world.last_active_at,
      );
      if (this.#bound) {
        this.#forget(world.world_id);
        this.#tables.worldCount = undefined;
      } else {
        this.#tables.seqs.set(world.world_id, { lastSeq: 0, clearedSeq: 0 });
        if (this.#tables.worldCount !== undefined) this.#tables.worldCount++;
      }
    });
  }

  get(worldId: string): Promise<WorldRecord | undefined> {
    return this.#run(() => {
      const row = this.#tables.statements.selectWorld.get(worldId) as WorldRow | undefined;
      return row ? worldRecord(row) : undefined;
    });
  }

  count(): Promise<number> {
    return this.#run(() => {
      const cached = this.#tables.worldCount;
      if (cached !== undefined) return cached;
      const count = Number((this.#tables.statements.countWorlds.get() as { n: number }).n);
      if (!this.#bound) this.#tables.worldCount = count;
      return count;
    });
  }

  page(limit: number, after?: WorldPageKey): Promise<WorldRecord[]> {
    return this.#run(() => {
      const { selectPage, selectFirstPage } = this.#tables.statements;
      const rows = after
        ? selectPage.all(after.createdAt, after.worldId, limit)
        : selectFirstPage.all(limit);
      return (rows as unknown as WorldRow[]).map(worldRecord);
    });
  }

  byActivity(limit: number): Promise<WorldRecord[]> {
    return this.#run(() =>
      (this.#tables.statements.selectActive.all(limit) as unknown as WorldRow[]).map(worldRecord)
    );
  }

  recordActivity(entries: readonly [worldId: string, at: string][]): Promise<void> {
    return this.#run(() => {
      transaction(this.#tables.db, () => {
        for (const [worldId, at] of entries) {
          this.#tables.statements.setActivity.run(at, worldId);
        }
      });
    });
  }

  append(
    worldId: string,
    ops: readonly VoxelOp[],
    createdAt: string,
    maxOps: number,
  ): Promise<AppendResult> {
    return this.#run(() => {
      const seqs = this.#seqs(worldId);
      const count = seqs.lastSeq - seqs.clearedSeq;
      if (count + ops.length > maxOps) return { ok: false, count };
      const { insertOp } = this.#tables.statements;
      transaction(this.#tables.db, () => {
        ops.forEach((op, i) => {
          insertOp.run(worldId, seqs.lastSeq + 1 + i, op.op, encodeOpData(op), createdAt);
        });
      });
      const firstSeq = seqs.lastSeq + 1;
      const lastSeq = seqs.lastSeq + ops.length;
      this.#remember(worldId, { lastSeq, clearedSeq: seqs.clearedSeq });
      return { ok: true, firstSeq, lastSeq, count: count + ops.length };
    });
  }

  lastSeq(worldId: string): Promise<number> {
    return this.#run(() => this.#seqs(worldId).lastSeq);
  }

  opCount(worldId: string): Promise<number> {
    return this.#run(() => {
      const seqs = this.#seqs(worldId);
      return seqs.lastSeq - seqs.clearedSeq;
    });
  }

  syncPlan(worldId: string): Promise<SyncPlan> {
    return this.#run(() => {
      const { lastSeq } = this.#seqs(worldId);
      const row = this.#tables.statements.syncPlan.get(worldId, lastSeq) as {
        count: number;
        max_bytes: number;
      };
      return {
        lastSeq,
        count: Number(row.count),
        // An op's JSON is `{"op":"<op_type>",` followed by `op_data` without its `{`: 8 bytes more
        // than the two stored texts (less if the stored JSON has spaces a re-encoding drops).
        maxOpJsonBytes: Number(row.max_bytes) + 8,
      };
    });
  }

  opsAfter(worldId: string, afterSeq: number, upToSeq: number, limit: number): Promise<SeqOp[]> {
    return this.#run(() => {
      const rows = this.#tables.statements.opsAfter.all(
        worldId,
        afterSeq,
        upToSeq,
        limit,
      ) as unknown as OpRow[];
      return rows.map((row) => ({ seq: Number(row.seq), op: decodeOp(row) }));
    });
  }

  clear(worldId: string): Promise<{ seq: number; removed: number }> {
    return this.#run(() => {
      const seqs = this.#seqs(worldId);
      const seq = seqs.lastSeq + 1;
      const { setCleared, deleteOps, creditOps } = this.#tables.statements;
      const removed = transaction(this.#tables.db, () => {
        setCleared.run(seq, worldId);
        // The ops no longer count against the quotas of whoever appended them.
        creditOps.run(worldId);
        return Number(deleteOps.run(worldId).changes);
      });
      this.#remember(worldId, { lastSeq: seq, clearedSeq: seq });
      return { seq, removed };
    });
  }

  delete(worldId: string): Promise<boolean> {
    return this.#run(() => {
      const { deleteWorld, creditWorld } = this.#tables.statements;
      // Its ops go with it (ON DELETE CASCADE), and no longer count against anyone's quota.
      const deleted = transaction(this.#tables.db, () => {
        creditWorld.run(worldId);
        return Number(deleteWorld.run(worldId).changes) > 0;
      });
      this.#forget(worldId);
      this.#tables.worldCount = undefined;
      return deleted;
    });
  }

  #seqs(worldId: string): Seqs {
    const cached = this.#bound ? undefined : this.#tables.seqs.get(worldId);
    if (cached) return cached;
    const row = this.#tables.statements.selectSeqs.get(worldId) as
      | { cleared_seq: number; max_seq: number | null }
      | undefined;
    const clearedSeq = Number(row?.cleared_seq ?? 0);
    const seqs = { lastSeq: Math.max(clearedSeq, Number(row?.max_seq ?? 0)), clearedSeq };
    if (row && !this.#bound) this.#tables.seqs.set(worldId, seqs);
    return seqs;
  }

  #remember(worldId: string, seqs: Seqs): void {
    if (this.#bound) this.#forget(worldId);
    else this.#tables.seqs.set(worldId, seqs);
  }

  #forget(worldId: string): void {
    this.#tables.seqs.delete(worldId);
  }
}
