import type { AuditEntry, AuditLog, AuditQuery } from "../../core/ports/audit_log.ts";
import type {
  BanRecord,
  ModerationStore,
  ReportRecord,
  StableRequest,
} from "../../core/ports/moderation_store.ts";
import type { PlayerRecord, PlayerStore } from "../../core/ports/player_store.ts";
import type { Database } from "./db.ts";
import type { Run } from "./run.ts";

const PLAYER_COLUMNS = "player_id, display_name, created_at, token_hash, token_expires_at";

/** PlayerStore on SQLite; `run` is how a call reaches the database (see SqliteWorldStore). */
export class SqlitePlayerStore implements PlayerStore {
  #run: Run;
  #statements;

  constructor(db: Database, run: Run) {
    this.#run = run;
    this.#statements = {
      insert: db.prepare(`INSERT INTO players (${PLAYER_COLUMNS}) VALUES (?, ?, ?, ?, ?)`),
      select: db.prepare(`SELECT ${PLAYER_COLUMNS} FROM players WHERE player_id = ?`),
      count: db.prepare("SELECT COUNT(*) AS n FROM players"),
      firstPage: db.prepare(
        `SELECT ${PLAYER_COLUMNS} FROM players ORDER BY created_at, player_id LIMIT ?`,
      ),
      page: db.prepare(
        `SELECT ${PLAYER_COLUMNS} FROM players WHERE (created_at, player_id) > (?, ?)
         ORDER BY created_at, player_id LIMIT ?`,
      ),
      revoke: db.prepare("UPDATE players SET token_hash = '' WHERE player_id = ?"),
    };
  }

  create(player: PlayerRecord): Promise<void> {
    return this.#run(() => {
      this.#statements.insert.run(
        player.player_id,
        player.display_name,
        player.created_at,
        player.token_hash,
        player.token_expires_at,
      );
    });
  }

  get(playerId: string): Promise<PlayerRecord | undefined> {
    return this.#run(() =>
      plain(this.#statements.select.get(playerId) as PlayerRecord | undefined)
    );
  }

  count(): Promise<number> {
    return this.#run(() => Number((this.#statements.count.get() as { n: number }).n));
  }

  page(limit: number, after?: { createdAt: string; playerId: string }): Promise<PlayerRecord[]> {
    return this.#run(() =>
      ((after
        ? this.#statements.page.all(after.createdAt, after.playerId, limit)
        : this.#statements.firstPage.all(limit)) as unknown as PlayerRecord[]).map((row) => ({
          ...row,
        }))
    );
  }

  revokeToken(playerId: string): Promise<boolean> {
    return this.#run(() => Number(this.#statements.revoke.run(playerId).changes) > 0);
  }
}

const REPORT_COLUMNS =
  "report_id, spell_id, revision_id, reason, reporter, address, created_at, status, note";
const BAN_COLUMNS = "ban_id, player_id, address, reason, expires_at, created_at";

interface BanRow extends Omit<BanRecord, "player_id" | "address"> {
  player_id: string | null;
  address: string | null;
}

/** ModerationStore on SQLite. */
export class SqliteModerationStore implements ModerationStore {
  #run: Run;
  #statements;

  constructor(db: Database, run: Run) {
    this.#run = run;
    this.#statements = {
      insertReport: db.prepare(
        `INSERT INTO reports (${REPORT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      selectReport: db.prepare(`SELECT ${REPORT_COLUMNS} FROM reports WHERE report_id = ?`),
      reportsByStatus: db.prepare(
        `SELECT ${REPORT_COLUMNS} FROM reports WHERE status = ?
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      ),
      reports: db.prepare(
        `SELECT ${REPORT_COLUMNS} FROM reports ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      ),
      countReports: db.prepare("SELECT COUNT(*) AS n FROM reports WHERE status = ?"),
      resolve: db.prepare(
        "UPDATE reports SET status = 'resolved', note = ? WHERE report_id = ?",
      ),
      insertBan: db.prepare(`INSERT INTO bans (${BAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`),
      activeBans: db.prepare(
        `SELECT ${BAN_COLUMNS} FROM bans WHERE expires_at = '' OR expires_at > ?
         ORDER BY created_at DESC, rowid DESC`,
      ),
      deleteBan: db.prepare("DELETE FROM bans WHERE ban_id = ?"),
      upsertRequest: db.prepare(
        `INSERT OR REPLACE INTO stable_requests (spell_id, revision_id, requested_by, requested_at)
         VALUES (?, ?, ?, ?)`,
      ),
      selectRequest: db.prepare(
        "SELECT spell_id, revision_id, requested_by, requested_at FROM stable_requests WHERE spell_id = ?",
      ),
      deleteRequest: db.prepare("DELETE FROM stable_requests WHERE spell_id = ?"),
    };
  }

  addReport(report: ReportRecord): Promise<void> {
    return this.#run(() => {
      this.#statements.insertReport.run(
        report.report_id,
        report.spell_id,
        report.revision_id,
        report.reason,
        report.reporter,
        report.address,
        report.created_at,
        report.status,
        report.note,
      );
    });
  }

  getReport(reportId: string): Promise<ReportRecord | undefined> {
    return this.#run(() =>
      plain(this.#statements.selectReport.get(reportId) as ReportRecord | undefined)
    );
  }

  listReports(status: "open" | "resolved" | undefined, limit: number): Promise<ReportRecord[]> {
    return this.#run(() =>
      ((status === undefined
        ? this.#statements.reports.all(limit)
        : this.#statements.reportsByStatus.all(status, limit)) as unknown as ReportRecord[]).map((
          row,
        ) => ({ ...row }))
    );
  }

  countReports(status: "open" | "resolved"): Promise<number> {
    return this.#run(() => Number((this.#statements.countReports.get(status) as { n: number }).n));
  }

  resolveReport(reportId: string, note: string): Promise<boolean> {
    return this.#run(() => Number(this.#statements.resolve.run(note, reportId).changes) > 0);
  }

  addBan(ban: BanRecord): Promise<void> {
    return this.#run(() => {
      this.#statements.insertBan.run(
        ban.ban_id,
        ban.player_id ?? null,
        ban.address ?? null,
        ban.reason,
        ban.expires_at,
        ban.created_at,
      );
    });
  }

  activeBans(now: string): Promise<BanRecord[]> {
    return this.#run(() =>
      (this.#statements.activeBans.all(now) as unknown as BanRow[]).map(banRecord)
    );
  }

  removeBan(banId: string): Promise<boolean> {
    return this.#run(() => Number(this.#statements.deleteBan.run(banId).changes) > 0);
  }

  requestStable(request: StableRequest): Promise<void> {
    return this.#run(() => {
      this.#statements.upsertRequest.run(
        request.spell_id,
        request.revision_id,
        request.requested_by,
        request.requested_at,
      );
    });
  }

  stableRequest(spellId: string): Promise<StableRequest | undefined> {
    return this.#run(() =>
      plain(this.#statements.selectRequest.get(spellId) as StableRequest | undefined)
    );
  }

  clearStableRequest(spellId: string): Promise<void> {
    return this.#run(() => {
      this.#statements.deleteRequest.run(spellId);
    });
  }
}

/** node:sqlite rows have a null prototype: callers get plain objects. */
function plain<T extends object>(row: T | undefined): T | undefined {
  return row === undefined ? undefined : { ...row };
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

interface AuditRow extends Omit<AuditEntry, "detail"> {
  detail_json: string;
}

/**
 * The audit log on SQLite: INSERT and SELECT only. The table's triggers refuse UPDATE and DELETE
 * too, so not even a script on the database file can rewrite history without dropping them.
 */
export class SqliteAuditLog implements AuditLog {
  #run: Run;
  #db: Database;
  #insert;

  constructor(db: Database, run: Run) {
    this.#db = db;
    this.#run = run;
    this.#insert = db.prepare(
      `INSERT INTO audit_log (at, actor, address, action, target, detail_json)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
    );
  }

  append(entry: Omit<AuditEntry, "id">): Promise<number> {
    return this.#run(() => {
      const row = this.#insert.get(
        entry.at,
        entry.actor,
        entry.address,
        entry.action,
        entry.target,
        JSON.stringify(entry.detail),
      ) as { id: number };
      return Number(row.id);
    });
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#run(() => {
      const where: string[] = [];
      const values: (string | number)[] = [];
      if (query.actor !== undefined) where.push("actor = ?"), values.push(query.actor);
      if (query.action !== undefined) where.push("action = ?"), values.push(query.action);
      if (query.since !== undefined) where.push("at >= ?"), values.push(query.since);
      if (query.beforeId !== undefined) where.push("id < ?"), values.push(query.beforeId);
      // Only fixed fragments are joined; every value is a bound parameter.
      const sql = `SELECT id, at, actor, address, action, target, detail_json FROM audit_log
        ${where.length > 0 ? "WHERE " + where.join(" AND ") : ""} ORDER BY id DESC LIMIT ?`;
      const rows = this.#db.prepare(sql).all(...values, query.limit) as unknown as AuditRow[];
      return rows.map(({ detail_json, ...rest }) => ({
        ...rest,
        id: Number(rest.id),
        detail: JSON.parse(detail_json) as Record<string, unknown>,
      }));
    });
  }
}
