/**
 * Forward-only schema migrations; `PRAGMA user_version` holds how many have run. The tables of the
 * original README keep their columns (so its "create a spell programmatically" story still holds);
 * what we add is extra columns and tables, never a renamed one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the original tables, with foreign keys that are now enforced.
  `
  CREATE TABLE worlds (
    world_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    created_by TEXT,
    player_count INTEGER DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX idx_worlds_name ON worlds(name);
  CREATE INDEX idx_worlds_created_at ON worlds(created_at);

  CREATE TABLE world_ops (
    op_id INTEGER PRIMARY KEY AUTOINCREMENT,
    world_id TEXT NOT NULL REFERENCES worlds(world_id) ON DELETE CASCADE,
    op_type TEXT NOT NULL,
    op_data TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX idx_world_ops_world ON world_ops(world_id, op_id);

  CREATE TABLE spells (
    spell_id TEXT PRIMARY KEY,
    display_name TEXT,
    active_draft_rev TEXT,
    active_beta_rev TEXT,
    active_stable_rev TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE revisions (
    revision_id TEXT PRIMARY KEY,
    spell_id TEXT NOT NULL REFERENCES spells(spell_id),
    parent_revision_id TEXT,
    channel TEXT NOT NULL DEFAULT 'draft',
    version INTEGER NOT NULL DEFAULT 1,
    manifest_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX idx_revisions_spell ON revisions(spell_id);

  CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY,
    spell_id TEXT NOT NULL REFERENCES spells(spell_id),
    draft_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    stage TEXT,
    progress_pct INTEGER DEFAULT 0,
    logs TEXT,
    error_message TEXT,
    result_revision_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX idx_jobs_spell ON jobs(spell_id);
  CREATE INDEX idx_jobs_status ON jobs(status);
  `,
  // 2: content-addressed revisions, atomic version reservation, durable build requests.
  `
  ALTER TABLE spells ADD COLUMN next_version INTEGER NOT NULL DEFAULT 1;

  CREATE TABLE revision_files (
    revision_id TEXT NOT NULL REFERENCES revisions(revision_id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (revision_id, path)
  );
  CREATE INDEX idx_revision_files_hash ON revision_files(hash);

  ALTER TABLE jobs ADD COLUMN request_json TEXT;
  ALTER TABLE jobs ADD COLUMN requested_by TEXT;
  `,
  // 3: bounded storage. A ledger of what each owner (a client address today, a player later) has
  // stored; leases that keep a blob a build is about to reference from the collector; holds that
  // pause blob collection (a backup in progress); publication marks (retention keeps published
  // revisions); and finished jobs no longer keep the code they were asked to build.
  `
  CREATE TABLE quota_ledger (
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (kind, ref, owner)
  ) WITHOUT ROWID;
  CREATE INDEX idx_quota_ledger_owner ON quota_ledger(owner, kind, at);

  CREATE TABLE blob_leases (
    hash TEXT NOT NULL,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (hash, holder)
  ) WITHOUT ROWID;
  CREATE INDEX idx_blob_leases_holder ON blob_leases(holder);

  CREATE TABLE gc_holds (
    holder TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE storage_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
  );

  ALTER TABLE revisions ADD COLUMN published_at TEXT;
  UPDATE revisions SET published_at = created_at
    WHERE channel IN ('beta', 'stable')
       OR revision_id IN (SELECT active_beta_rev FROM spells WHERE active_beta_rev IS NOT NULL)
       OR revision_id IN (SELECT active_stable_rev FROM spells WHERE active_stable_rev IS NOT NULL);
  CREATE INDEX idx_revisions_unpublished ON revisions(created_at) WHERE published_at IS NULL;
  CREATE INDEX idx_jobs_result ON jobs(result_revision_id);

  UPDATE jobs SET request_json = NULL WHERE status IN ('completed', 'failed');

  -- Bytes of all referenced blobs, each once, kept by triggers so MAX_DATA_BYTES never needs a
  -- scan: a hash's first reference adds its size, its last one leaving takes it off.
  CREATE TABLE storage_stats (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    blob_bytes INTEGER NOT NULL
  );
  INSERT INTO storage_stats (id, blob_bytes)
    SELECT 1, COALESCE(SUM(size), 0) FROM (SELECT MAX(size) AS size FROM revision_files GROUP BY hash);
  CREATE TRIGGER revision_files_blob_added AFTER INSERT ON revision_files
    WHEN NOT EXISTS (SELECT 1 FROM revision_files WHERE hash = NEW.hash AND rowid <> NEW.rowid)
    BEGIN UPDATE storage_stats SET blob_bytes = blob_bytes + NEW.size WHERE id = 1; END;
  CREATE TRIGGER revision_files_blob_dropped AFTER DELETE ON revision_files
    WHEN NOT EXISTS (SELECT 1 FROM revision_files WHERE hash = OLD.hash)
    BEGIN UPDATE storage_stats SET blob_bytes = blob_bytes - OLD.size WHERE id = 1; END;
  `,
  // 4: when a world was last active (an op or a join), so lists can put live worlds first. Worlds
  // that already have ops count as active at their last op. A total order for paging world lists.
  `
  ALTER TABLE worlds ADD COLUMN last_active_at TEXT;
  UPDATE worlds SET last_active_at =
    (SELECT created_at FROM world_ops WHERE world_ops.world_id = worlds.world_id
     ORDER BY op_id DESC LIMIT 1);
  CREATE INDEX idx_worlds_activity ON worlds(last_active_at, created_at);
  CREATE INDEX idx_worlds_page ON worlds(created_at, world_id);
  `,
  // 5: per-world sequence numbers. Every op gets its place in its world's order (1, 2, 3 … in the
  // order they were stored); a clear takes the next number itself (cleared_seq), so a world's ops
  // are always the consecutive seqs after its last clear, and a join or a live op is placed by seq.
  // The (world_id, seq) index replaces (world_id, op_id): every read of a log goes by seq.
  `
  ALTER TABLE world_ops ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
  UPDATE world_ops SET seq = numbered.n
    FROM (SELECT op_id, ROW_NUMBER() OVER (PARTITION BY world_id ORDER BY op_id) AS n
          FROM world_ops) AS numbered
    WHERE numbered.op_id = world_ops.op_id;
  DROP INDEX idx_world_ops_world;
  CREATE UNIQUE INDEX idx_world_ops_seq ON world_ops(world_id, seq);
  ALTER TABLE worlds ADD COLUMN cleared_seq INTEGER NOT NULL DEFAULT 0;
  `,
  // 6: who may do what (issue 15). Spells and worlds have owners (rows from before: "legacy",
  // operator-only); revisions can be quarantined; players (token hashes only), reports, bans,
  // stable-approval requests and the append-only audit log, which triggers keep append-only.
  `
  ALTER TABLE spells ADD COLUMN owner_id TEXT NOT NULL DEFAULT 'legacy';
  ALTER TABLE worlds ADD COLUMN owner_id TEXT NOT NULL DEFAULT 'legacy';
  ALTER TABLE revisions ADD COLUMN quarantined_at TEXT;

  CREATE TABLE players (
    player_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    token_expires_at TEXT NOT NULL
  );
  CREATE INDEX idx_players_page ON players(created_at, player_id);

  CREATE TABLE reports (
    report_id TEXT PRIMARY KEY,
    spell_id TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    reporter TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    note TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX idx_reports_status ON reports(status, created_at);

  CREATE TABLE bans (
    ban_id TEXT PRIMARY KEY,
    player_id TEXT,
    address TEXT,
    reason TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE stable_requests (
    spell_id TEXT PRIMARY KEY,
    revision_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL
  );

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail_json TEXT NOT NULL
  );
  CREATE INDEX idx_audit_actor ON audit_log(actor, id);
  CREATE INDEX idx_audit_action ON audit_log(action, id);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `,
];
