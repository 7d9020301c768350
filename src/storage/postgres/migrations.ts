/**
 * Forward-only Postgres schema migrations (cluster mode); `schema_version` holds how many have run.
 * The tables mirror the SQLite schema (src/storage/sqlite/migrations.ts) at its current version,
 * with what a shared database needs besides: each world row holds its last seq (the lock that
 * orders appends from every node), jobs carry a lease, blobs live in a table keyed by SHA-256.
 * Ids and ISO timestamps are `COLLATE "C"`, so they sort as bytes whatever the database's locale.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: everything the SQLite schema holds at its version 5, plus leases and blobs.
  `
  CREATE TABLE worlds (
    world_id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    description text,
    created_by text,
    created_at text COLLATE "C" NOT NULL,
    updated_at text COLLATE "C" NOT NULL,
    last_active_at text COLLATE "C",
    last_seq bigint NOT NULL DEFAULT 0,
    cleared_seq bigint NOT NULL DEFAULT 0
  );
  CREATE INDEX idx_worlds_page ON worlds (created_at, world_id);
  CREATE INDEX idx_worlds_activity ON worlds (last_active_at DESC NULLS LAST, created_at DESC);

  CREATE TABLE world_ops (
    world_id text COLLATE "C" NOT NULL REFERENCES worlds (world_id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    op_type text NOT NULL,
    op_data text NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (world_id, seq)
  );

  CREATE TABLE spells (
    spell_id text COLLATE "C" PRIMARY KEY,
    display_name text,
    active_draft_rev text,
    active_beta_rev text,
    active_stable_rev text,
    created_at text COLLATE "C" NOT NULL,
    updated_at text COLLATE "C" NOT NULL,
    next_version integer NOT NULL DEFAULT 1,
    created_order bigserial NOT NULL
  );

  CREATE TABLE revisions (
    revision_id text COLLATE "C" PRIMARY KEY,
    spell_id text COLLATE "C" NOT NULL REFERENCES spells (spell_id),
    parent_revision_id text,
    channel text NOT NULL DEFAULT 'draft',
    version integer NOT NULL DEFAULT 1,
    manifest_json text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    published_at text
  );
  CREATE INDEX idx_revisions_spell ON revisions (spell_id);

  CREATE TABLE revision_files (
    revision_id text COLLATE "C" NOT NULL REFERENCES revisions (revision_id) ON DELETE CASCADE,
    path text NOT NULL,
    hash text COLLATE "C" NOT NULL,
    size integer NOT NULL,
    PRIMARY KEY (revision_id, path)
  );
  CREATE INDEX idx_revision_files_hash ON revision_files (hash);

  CREATE TABLE jobs (
    job_id text COLLATE "C" PRIMARY KEY,
    spell_id text COLLATE "C" NOT NULL REFERENCES spells (spell_id),
    status text NOT NULL DEFAULT 'pending',
    stage text,
    progress_pct integer DEFAULT 0,
    error_message text,
    result_revision_id text,
    request_json text,
    requested_by text,
    created_at text COLLATE "C" NOT NULL,
    updated_at text COLLATE "C" NOT NULL,
    created_order bigserial NOT NULL,
    lease_holder text,
    lease_until timestamptz
  );
  CREATE INDEX idx_jobs_unfinished ON jobs (created_order) WHERE status IN ('pending', 'running');

  CREATE TABLE quota_ledger (
    owner text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    ref text COLLATE "C" NOT NULL,
    bytes bigint NOT NULL,
    at text COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, ref, owner)
  );
  CREATE INDEX idx_quota_ledger_owner ON quota_ledger (owner, kind, at);

  CREATE TABLE blob_leases (
    hash text COLLATE "C" NOT NULL,
    holder text COLLATE "C" NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (hash, holder)
  );

  CREATE TABLE blobs (
    hash text COLLATE "C" PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    size integer NOT NULL,
    bytes bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );

  CREATE TABLE storage_probe (
    id integer PRIMARY KEY CHECK (id = 1),
    at timestamptz NOT NULL
  );
  `,
  // 2: who may do what (issue 15), as SQLite's migration 6: owners of spells and worlds ("legacy"
  // for rows from before), quarantined revisions, players (token hashes only), reports, bans,
  // stable-approval requests and the audit log, which a trigger keeps append-only.
  `
  ALTER TABLE spells ADD COLUMN owner_id text NOT NULL DEFAULT 'legacy';
  ALTER TABLE worlds ADD COLUMN owner_id text NOT NULL DEFAULT 'legacy';
  ALTER TABLE revisions ADD COLUMN quarantined_at text;

  CREATE TABLE players (
    player_id text COLLATE "C" PRIMARY KEY,
    display_name text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    token_hash text NOT NULL,
    token_expires_at text NOT NULL
  );
  CREATE INDEX idx_players_page ON players (created_at, player_id);

  CREATE TABLE reports (
    report_id text COLLATE "C" PRIMARY KEY,
    spell_id text NOT NULL,
    revision_id text NOT NULL,
    reason text NOT NULL,
    reporter text NOT NULL,
    address text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    status text NOT NULL DEFAULT 'open',
    note text NOT NULL DEFAULT '',
    created_order bigserial NOT NULL
  );
  CREATE INDEX idx_reports_status ON reports (status, created_at);

  CREATE TABLE bans (
    ban_id text COLLATE "C" PRIMARY KEY,
    player_id text,
    address text,
    reason text NOT NULL,
    expires_at text COLLATE "C" NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    created_order bigserial NOT NULL
  );

  CREATE TABLE stable_requests (
    spell_id text COLLATE "C" PRIMARY KEY,
    revision_id text NOT NULL,
    requested_by text NOT NULL,
    requested_at text NOT NULL
  );

  CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at text COLLATE "C" NOT NULL,
    actor text NOT NULL,
    address text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    detail_json text NOT NULL
  );
  CREATE INDEX idx_audit_actor ON audit_log (actor, id);
  CREATE INDEX idx_audit_action ON audit_log (action, id);
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `,
];
