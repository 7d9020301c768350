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
  // 3: when a world was last active (an op or a join), so lists can put live worlds first. Worlds
  // that already have ops count as active at their last op. A total order for paging world lists.
  `
  ALTER TABLE worlds ADD COLUMN last_active_at TEXT;
  UPDATE worlds SET last_active_at =
    (SELECT created_at FROM world_ops WHERE world_ops.world_id = worlds.world_id
     ORDER BY op_id DESC LIMIT 1);
  CREATE INDEX idx_worlds_activity ON worlds(last_active_at, created_at);
  CREATE INDEX idx_worlds_page ON worlds(created_at, world_id);
  `,
];
