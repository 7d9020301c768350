import type { AuditEntry, AuditLog, AuditQuery } from "../../core/ports/audit_log.ts";
import type {
  BanRecord,
  ModerationStore,
  ReportRecord,
  StableRequest,
} from "../../core/ports/moderation_store.ts";
import type { PlayerRecord, PlayerStore } from "../../core/ports/player_store.ts";
import type { AsyncRun as Run } from "./async_gate.ts";
import type { Sql } from "./pg.ts";

const PLAYER_COLUMNS = "player_id, display_name, created_at, token_hash, token_expires_at";
const REPORT_COLUMNS =
  "report_id, spell_id, revision_id, reason, reporter, address, created_at, status, note";
const BAN_COLUMNS = "ban_id, player_id, address, reason, expires_at, created_at";

/** PlayerStore on Postgres (token hashes only, as on SQLite). */
export class PgPlayerStore implements PlayerStore {
  #sql: Sql;
  #run: Run;

  constructor(sql: Sql, run: Run) {
    this.#sql = sql;
    this.#run = run;
  }

  create(player: PlayerRecord): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        INSERT INTO players (player_id, display_name, created_at, token_hash, token_expires_at)
        VALUES (${player.player_id}, ${player.display_name}, ${player.created_at},
          ${player.token_hash}, ${player.token_expires_at})`;
    });
  }

  get(playerId: string): Promise<PlayerRecord | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<PlayerRecord[]>`
        SELECT ${this.#sql.unsafe(PLAYER_COLUMNS)} FROM players WHERE player_id = ${playerId}`;
      return row ? { ...row } : undefined;
    });
  }

  count(): Promise<number> {
    return this.#run(async () =>
      Number((await this.#sql<{ n: string }[]>`SELECT count(*) AS n FROM players`)[0]!.n)
    );
  }

  page(limit: number, after?: { createdAt: string; playerId: string }): Promise<PlayerRecord[]> {
    return this.#run(async () => {
      const columns = this.#sql.unsafe(PLAYER_COLUMNS);
      const rows = after
        ? await this.#sql<PlayerRecord[]>`
          SELECT ${columns} FROM players WHERE (created_at, player_id) > (${after.createdAt}, ${after.playerId})
          ORDER BY created_at, player_id LIMIT ${limit}`
        : await this.#sql<PlayerRecord[]>`
          SELECT ${columns} FROM players ORDER BY created_at, player_id LIMIT ${limit}`;
      return rows.map((row) => ({ ...row }));
    });
  }

  revokeToken(playerId: string): Promise<boolean> {
    return this.#run(async () =>
      (await this.#sql`UPDATE players SET token_hash = '' WHERE player_id = ${playerId}`).count > 0
    );
  }
}

type BanRow = Omit<BanRecord, "player_id" | "address"> & {
  player_id: string | null;
  address: string | null;
};

/** ModerationStore on Postgres. */
export class PgModerationStore implements ModerationStore {
  #sql: Sql;
  #run: Run;

  constructor(sql: Sql, run: Run) {
    this.#sql = sql;
    this.#run = run;
  }

  addReport(report: ReportRecord): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        INSERT INTO reports (report_id, spell_id, revision_id, reason, reporter, address, created_at, status, note)
        VALUES (${report.report_id}, ${report.spell_id}, ${report.revision_id}, ${report.reason},
          ${report.reporter}, ${report.address}, ${report.created_at}, ${report.status}, ${report.note})`;
    });
  }

  getReport(reportId: string): Promise<ReportRecord | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<ReportRecord[]>`
        SELECT ${this.#sql.unsafe(REPORT_COLUMNS)} FROM reports WHERE report_id = ${reportId}`;
      return row ? { ...row } : undefined;
    });
  }

  listReports(status: "open" | "resolved" | undefined, limit: number): Promise<ReportRecord[]> {
    return this.#run(async () => {
      const columns = this.#sql.unsafe(REPORT_COLUMNS);
      const rows = status === undefined
        ? await this.#sql<ReportRecord[]>`
          SELECT ${columns} FROM reports ORDER BY created_at DESC, created_order DESC LIMIT ${limit}`
        : await this.#sql<ReportRecord[]>`
          SELECT ${columns} FROM reports WHERE status = ${status}
          ORDER BY created_at DESC, created_order DESC LIMIT ${limit}`;
      return rows.map((row) => ({ ...row }));
    });
  }

  countReports(status: "open" | "resolved"): Promise<number> {
    return this.#run(async () =>
      Number(
        (await this.#sql<
          { n: string }[]
        >`SELECT count(*) AS n FROM reports WHERE status = ${status}`)[0]!
          .n,
      )
    );
  }

  resolveReport(reportId: string, note: string): Promise<boolean> {
    return this.#run(async () =>
      (await this.#sql`
        UPDATE reports SET status = 'resolved', note = ${note} WHERE report_id = ${reportId}`)
        .count > 0
    );
  }

  addBan(ban: BanRecord): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        INSERT INTO bans (ban_id, player_id, address, reason, expires_at, created_at)
        VALUES (${ban.ban_id}, ${ban.player_id ?? null}, ${ban.address ?? null}, ${ban.reason},
          ${ban.expires_at}, ${ban.created_at})`;
    });
  }

  activeBans(now: string): Promise<BanRecord[]> {
    return this.#run(async () => {
      const rows = await this.#sql<BanRow[]>`
        SELECT ${
        this.#sql.unsafe(BAN_COLUMNS)
      } FROM bans WHERE expires_at = '' OR expires_at > ${now}
        ORDER BY created_at DESC, created_order DESC`;
      return rows.map(banRecord);
    });
  }

  removeBan(banId: string): Promise<boolean> {
    return this.#run(async () =>
      (await this.#sql`DELETE FROM bans WHERE ban_id = ${banId}`).count > 0
    );
  }

  requestStable(request: StableRequest): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        INSERT INTO stable_requests (spell_id, revision_id, requested_by, requested_at)
        VALUES (${request.spell_id}, ${request.revision_id}, ${request.requested_by},
          ${request.requested_at})
        ON CONFLICT (spell_id) DO UPDATE SET revision_id = excluded.revision_id,
          requested_by = excluded.requested_by, requested_at = excluded.requested_at`;
    });
  }

  stableRequest(spellId: string): Promise<StableRequest | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<StableRequest[]>`
        SELECT spell_id, revision_id, requested_by, requested_at FROM stable_requests
        WHERE spell_id = ${spellId}`;
      return row ? { ...row } : undefined;
    });
  }

  clearStableRequest(spellId: string): Promise<void> {
    return this.#run(async () => {
      await this.#sql`DELETE FROM stable_requests WHERE spell_id = ${spellId}`;
    });
  }
}

function banRecord(row: BanRow): BanRecord {
  const ban: BanRecord = {
    ban_id: row.ban_id,
    reason: row.reason,
    expires_at: row.expires_at,
    created_at: row.created_at,
  };
  if (row.player_id !== null) ban.player_id = row.player_id;
  if (row.address !== null) ban.address = row.address;
  return ban;
}

interface AuditRow extends Omit<AuditEntry, "detail" | "id"> {
  id: string;
  detail_json: string;
}

/**
 * The audit log on Postgres: append and list only, and a trigger refuses UPDATE, DELETE and
 * TRUNCATE, so not even a bug elsewhere in the server rewrites history through this database role.
 * Ids come from a sequence: in append order (across nodes, in the order appends took their id).
 */
export class PgAuditLog implements AuditLog {
  #sql: Sql;
  #run: Run;

  constructor(sql: Sql, run: Run) {
    this.#sql = sql;
    this.#run = run;
  }

  append(entry: Omit<AuditEntry, "id">): Promise<number> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ id: string }[]>`
        INSERT INTO audit_log (at, actor, address, action, target, detail_json)
        VALUES (${entry.at}, ${entry.actor}, ${entry.address}, ${entry.action}, ${entry.target},
          ${JSON.stringify(entry.detail)})
        RETURNING id`;
      return Number(row!.id);
    });
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#run(async () => {
      const sql = this.#sql;
      // Absent filters match everything: one statement, every value bound.
      const rows = await sql<AuditRow[]>`
        SELECT id, at, actor, address, action, target, detail_json FROM audit_log
        WHERE (${query.actor ?? null}::text IS NULL OR actor = ${query.actor ?? null})
          AND (${query.action ?? null}::text IS NULL OR action = ${query.action ?? null})
          AND (${query.since ?? null}::text IS NULL OR at >= ${query.since ?? null})
          AND (${query.beforeId ?? null}::bigint IS NULL OR id < ${query.beforeId ?? null})
        ORDER BY id DESC LIMIT ${query.limit}`;
      return rows.map(({ detail_json, ...rest }) => ({
        ...rest,
        id: Number(rest.id),
        detail: JSON.parse(detail_json) as Record<string, unknown>,
      }));
    });
  }
}
