/** One entry of the audit log: who did what to what, when and from where. */
export interface AuditEntry {
  /** Assigned by the log: 1, 2, 3 … in the order entries were appended. */
  id: number;
  at: string;
  /** The principal id (`operator`, a player id, `guest:<client_id>`). */
  actor: string;
  address: string;
  /** `publish`, `publish.requested`, `quarantine`, `ban.create`, … (docs/ADMIN_API.md). */
  action: string;
  /** What was acted on (`spell:<id>/<revision>`, `world:<id>`, `player:<id>`, …). */
  target: string;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** Entries at or after this time (ISO 8601). */
  since?: string;
  /** Entries with an id below this (the cursor of the next page). */
  beforeId?: number;
  limit: number;
}

/**
 * The append-only audit log: there is deliberately no way to change or remove an entry through
 * this port (a test checks no adapter has one).
 */
export interface AuditLog {
  append(entry: Omit<AuditEntry, "id">): Promise<number>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditEntry[]>;
}
