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
];
