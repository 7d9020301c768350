/** A player's report of a spell revision. */
export interface ReportRecord {
  report_id: string;
  spell_id: string;
  revision_id: string;
  reason: string;
  /** The reporter's principal id (a player id, or `guest:<client_id>`). */
  reporter: string;
  address: string;
  created_at: string;
  status: "open" | "resolved";
  /** The operator's note when resolved; "" while open. */
  note: string;
}

/** A ban of a player or of an address or CIDR range. */
export interface BanRecord {
  ban_id: string;
  player_id?: string;
  /** An address or CIDR range, canonical form. */
  address?: string;
  reason: string;
  /** ISO 8601; "" for a ban without end. */
  expires_at: string;
  created_at: string;
}

/** A request from a spell's owner to publish a revision to stable, waiting for an operator. */
export interface StableRequest {
  spell_id: string;
  revision_id: string;
  requested_by: string;
  requested_at: string;
}

/** Reports, bans and stable-approval requests. */
export interface ModerationStore {
  addReport(report: ReportRecord): Promise<void>;
  getReport(reportId: string): Promise<ReportRecord | undefined>;
  /** Newest first, up to `limit`; all statuses if `status` is undefined. */
  listReports(status: "open" | "resolved" | undefined, limit: number): Promise<ReportRecord[]>;
  countReports(status: "open" | "resolved"): Promise<number>;
  /** Marks an open report resolved with `note`; false if there is no such report. */
  resolveReport(reportId: string, note: string): Promise<boolean>;

  addBan(ban: BanRecord): Promise<void>;
  /** Bans that have not expired at `now` (ISO 8601), newest first. */
  activeBans(now: string): Promise<BanRecord[]>;
  /** Removes a ban; false if there is no such ban. */
  removeBan(banId: string): Promise<boolean>;

  /** Records (replacing any earlier) the spell's request to publish a revision to stable. */
  requestStable(request: StableRequest): Promise<void>;
  /** The spell's waiting request, if any. */
  stableRequest(spellId: string): Promise<StableRequest | undefined>;
  /** Forgets the spell's request (approved, or superseded by an operator's publish). */
  clearStableRequest(spellId: string): Promise<void>;
}
