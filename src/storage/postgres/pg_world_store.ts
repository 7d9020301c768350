import type {
  AppendResult,
  SeqOp,
  SyncPlan,
  WorldPageKey,
  WorldRecord,
  WorldStore,
} from "../../core/ports/world_store.ts";
import type { VoxelOp } from "../../protocol/mod.ts";
import type { Sql } from "./pg.ts";
import type { AsyncRun as Run } from "./async_gate.ts";
import { decodeOp, encodeOpData, worldRecord, type WorldRow } from "../sql_rows.ts";

const COLUMNS =
  "world_id, name, description, created_by, owner_id, created_at, updated_at, last_active_at";

/** One caller's append, waiting for its world's next batch. */
interface PendingAppend {
  ops: readonly VoxelOp[];
  createdAt: string;
  maxOps: number;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * WorldStore on Postgres, shared by every node. A world's order lives in its row (`last_seq`,
 * `cleared_seq`): an append locks the row, reserves its seqs and inserts in one statement, so
 * nodes appending to one world take turns on the row lock and seqs are never given twice.
 *
 * Appends to one world made while its previous batch is in flight wait and go together as the next
 * batch (one statement, one round trip, one lock turn): a hot world's throughput is then bounded by
 * batches per second, not ops per second. A batch that would pass the op cap (or names a missing
 * world) is retried one append at a time, so the cap stays all-or-none per call.
 *
 * `run` is the node's gate (see PgStores); a store bound to a unit of work (`bound`) runs its
 * statements directly on the transaction and never batches.
 */
export class PgWorldStore implements WorldStore {
  #sql: Sql;
  #run: Run;
  #bound: boolean;
  #beforeSnapshot: ((worldId: string) => Promise<void> | undefined) | undefined;
  #batches = new Map<string, { inFlight: boolean; waiting: PendingAppend[] }>();

  constructor(
    sql: Sql,
    run: Run,
    options: {
      bound?: boolean;
      /**
       * Awaited before a join's snapshot is read: the Redis bus uses it so that the seq it starts a
       * world's delivery from was read before the joiner's snapshot (see RedisBus).
       */
      beforeSnapshot?: (worldId: string) => Promise<void> | undefined;
    } = {},
  ) {
    this.#sql = sql;
    this.#run = run;
    this.#bound = options.bound ?? false;
    this.#beforeSnapshot = options.beforeSnapshot;
  }

  create(world: WorldRecord): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        INSERT INTO worlds (world_id, name, description, created_by, owner_id, created_at, updated_at, last_active_at)
        VALUES (${world.world_id}, ${world.name}, ${world.description}, ${world.created_by},
          ${world.owner_id}, ${world.created_at}, ${world.updated_at},
          ${world.last_active_at === "" ? null : world.last_active_at})`;
    });
  }

  get(worldId: string): Promise<WorldRecord | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<WorldRow[]>`
        SELECT ${this.#sql.unsafe(COLUMNS)} FROM worlds WHERE world_id = ${worldId}`;
      return row ? worldRecord(row) : undefined;
    });
  }

  count(): Promise<number> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ n: string }[]>`SELECT count(*) AS n FROM worlds`;
      return Number(row!.n);
    });
  }

  page(limit: number, after?: WorldPageKey): Promise<WorldRecord[]> {
    return this.#run(async () => {
      const columns = this.#sql.unsafe(COLUMNS);
      const rows = after
        ? await this.#sql<WorldRow[]>`
          SELECT ${columns} FROM worlds WHERE (created_at, world_id) < (${after.createdAt}, ${after.worldId})
          ORDER BY created_at DESC, world_id DESC LIMIT ${limit}`
        : await this.#sql<WorldRow[]>`
          SELECT ${columns} FROM worlds ORDER BY created_at DESC, world_id DESC LIMIT ${limit}`;
      return rows.map(worldRecord);
    });
  }

  byActivity(limit: number): Promise<WorldRecord[]> {
    return this.#run(async () => {
      const rows = await this.#sql<WorldRow[]>`
        SELECT ${this.#sql.unsafe(COLUMNS)} FROM worlds
        ORDER BY last_active_at DESC NULLS LAST, created_at DESC LIMIT ${limit}`;
      return rows.map(worldRecord);
    });
  }

  recordActivity(entries: readonly [worldId: string, at: string][]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.#run(async () => {
      // One statement: all or none. Never moves a world's activity backwards (another node may
      // have written a later time).
      await this.#sql`
        UPDATE worlds SET last_active_at = e.at
        FROM json_to_recordset(${
        JSON.stringify(entries.map(([id, at]) => ({ id, at })))
      }::text::json)
          AS e(id text, at text)
        WHERE worlds.world_id = e.id COLLATE "C"
          AND (worlds.last_active_at IS NULL OR worlds.last_active_at < e.at COLLATE "C")`;
    });
  }

  append(
    worldId: string,
    ops: readonly VoxelOp[],
    createdAt: string,
    maxOps: number,
  ): Promise<AppendResult> {
    if (this.#bound) return this.#appendOne(this.#sql, worldId, ops, createdAt, maxOps);
    return this.#run(() =>
      new Promise<AppendResult>((resolve, reject) => {
        let batch = this.#batches.get(worldId);
        if (!batch) this.#batches.set(worldId, batch = { inFlight: false, waiting: [] });
        batch.waiting.push({ ops, createdAt, maxOps, resolve, reject });
        if (!batch.inFlight) this.#flush(worldId);
      })
    );
  }

  /** Writes everything waiting for `worldId` as one batch; the next batch starts when it ends. */
  #flush(worldId: string): void {
    const batch = this.#batches.get(worldId)!;
    const appends = batch.waiting.splice(0);
    if (appends.length === 0) {
      this.#batches.delete(worldId);
      return;
    }
    batch.inFlight = true;
    this.#writeBatch(worldId, appends).finally(() => {
      batch.inFlight = false;
      this.#flush(worldId);
    });
  }

  async #writeBatch(worldId: string, appends: PendingAppend[]): Promise<void> {
    const total = appends.reduce((sum, append) => sum + append.ops.length, 0);
    const maxOps = Math.min(...appends.map((append) => append.maxOps));
    try {
      const written = await this.#insert(this.#sql, worldId, appends, total, maxOps);
      if (written) {
        let seq = written.firstSeq;
        let after = written.count - total;
        for (const append of appends) {
          const first = seq;
          seq += append.ops.length;
          after += append.ops.length;
          // The count each caller sees is the log's size right after its own ops.
          append.resolve({ ok: true, firstSeq: first, lastSeq: seq - 1, count: after });
        }
        return;
      }
    } catch (error) {
      for (const append of appends) append.reject(error);
      return;
    }
    // Over the cap together (or no such world): one at a time, each all or none.
    for (const append of appends) {
      try {
        append.resolve(
          await this.#appendOne(this.#sql, worldId, append.ops, append.createdAt, append.maxOps),
        );
      } catch (error) {
        append.reject(error);
      }
    }
  }

  /**
   * Locks the world row, reserves `total` seqs if the log stays within `maxOps`, and inserts every
   * op: one statement. Returns the first seq and the log's size after, or undefined if nothing was
   * written.
   */
  async #insert(
    sql: Sql,
    worldId: string,
    appends: readonly Pick<PendingAppend, "ops" | "createdAt">[],
    total: number,
    maxOps: number,
  ): Promise<{ firstSeq: number; count: number } | undefined> {
    const rows = appends.flatMap((append) =>
      append.ops.map((op) => ({ t: op.op, d: encodeOpData(op), c: append.createdAt }))
    );
    const [row] = await sql<{ first: string; count: string }[]>`
      WITH reserved AS (
        UPDATE worlds SET last_seq = last_seq + ${total}
        WHERE world_id = ${worldId} AND last_seq - cleared_seq + ${total} <= ${maxOps}
        RETURNING last_seq - ${total} AS first, last_seq - cleared_seq AS count
      ), inserted AS (
        INSERT INTO world_ops (world_id, seq, op_type, op_data, created_at)
        SELECT ${worldId}, reserved.first + o.n, o.e->>'t', o.e->>'d', o.e->>'c'
        FROM reserved, json_array_elements(${JSON.stringify(rows)}::text::json)
          WITH ORDINALITY AS o(e, n)
      )
      SELECT first, count FROM reserved`;
    return row ? { firstSeq: Number(row.first) + 1, count: Number(row.count) } : undefined;
  }

  async #appendOne(
    sql: Sql,
    worldId: string,
    ops: readonly VoxelOp[],
    createdAt: string,
    maxOps: number,
  ): Promise<AppendResult> {
    const written = await this.#insert(sql, worldId, [{ ops, createdAt }], ops.length, maxOps);
    if (written) {
      return {
        ok: true,
        firstSeq: written.firstSeq,
        lastSeq: written.firstSeq + ops.length - 1,
        count: written.count,
      };
    }
    const [row] = await sql<{ count: string }[]>`
      SELECT last_seq - cleared_seq AS count FROM worlds WHERE world_id = ${worldId}`;
    if (!row) throw new Error(`Cannot append to world "${worldId}": no such world`);
    return { ok: false, count: Number(row.count) };
  }

  lastSeq(worldId: string): Promise<number> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ last_seq: string }[]>`
        SELECT last_seq FROM worlds WHERE world_id = ${worldId}`;
      return Number(row?.last_seq ?? 0);
    });
  }

  opCount(worldId: string): Promise<number> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ count: string }[]>`
        SELECT last_seq - cleared_seq AS count FROM worlds WHERE world_id = ${worldId}`;
      return Number(row?.count ?? 0);
    });
  }

  syncPlan(worldId: string): Promise<SyncPlan> {
    return this.#run(async () => {
      await this.#beforeSnapshot?.(worldId);
      // One statement, one snapshot: the count and sizes are of exactly the ops up to last_seq.
      const [row] = await this.#sql<{ last_seq: string; count: string; max_bytes: string }[]>`
        SELECT w.last_seq,
          (SELECT count(*) FROM world_ops o WHERE o.world_id = w.world_id AND o.seq <= w.last_seq)
            AS count,
          (SELECT coalesce(max(octet_length(op_type) + octet_length(op_data)), 0) FROM world_ops o
            WHERE o.world_id = w.world_id AND o.seq <= w.last_seq) AS max_bytes
        FROM worlds w WHERE w.world_id = ${worldId}`;
      return {
        lastSeq: Number(row?.last_seq ?? 0),
        count: Number(row?.count ?? 0),
        // As in SQLite: `{"op":"<op_type>",` then op_data without its `{`.
        maxOpJsonBytes: Number(row?.max_bytes ?? 0) + 8,
      };
    });
  }

  opsAfter(worldId: string, afterSeq: number, upToSeq: number, limit: number): Promise<SeqOp[]> {
    return this.#run(async () => {
      const rows = await this.#sql<{ seq: string; op_type: string; op_data: string }[]>`
        SELECT seq, op_type, op_data FROM world_ops
        WHERE world_id = ${worldId} AND seq > ${afterSeq} AND seq <= ${upToSeq}
        ORDER BY seq LIMIT ${limit}`;
      return rows.map((row) => ({ seq: Number(row.seq), op: decodeOp(row) }));
    });
  }

  delete(worldId: string): Promise<boolean> {
    const body = async (sql: Sql) => {
      // Its ops go with it (ON DELETE CASCADE), and no longer count against anyone's quota.
      await sql`DELETE FROM quota_ledger WHERE kind IN ('world', 'ops') AND ref = ${worldId}`;
      return (await sql`DELETE FROM worlds WHERE world_id = ${worldId}`).count > 0;
    };
    if (this.#bound) return body(this.#sql);
    return this.#run(() => this.#sql.begin((tx) => body(tx as unknown as Sql)));
  }

  clear(worldId: string): Promise<{ seq: number; removed: number }> {
    const body = async (sql: Sql) => {
      const [row] = await sql<{ seq: string }[]>`
        UPDATE worlds SET last_seq = last_seq + 1, cleared_seq = last_seq + 1
        WHERE world_id = ${worldId} RETURNING last_seq AS seq`;
      if (!row) throw new Error(`Cannot clear world "${worldId}": no such world`);
      // The ops no longer count against the quotas of whoever appended them.
      await sql`DELETE FROM quota_ledger WHERE kind = 'ops' AND ref = ${worldId}`;
      const deleted = await sql`DELETE FROM world_ops WHERE world_id = ${worldId}`;
      return { seq: Number(row.seq), removed: deleted.count };
    };
    if (this.#bound) return body(this.#sql);
    return this.#run(() => this.#sql.begin((tx) => body(tx as unknown as Sql)));
  }
}
