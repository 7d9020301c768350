import type {
  CastableSpell,
  Channel,
  NewRevision,
  SpellStore,
} from "../../core/ports/spell_store.ts";
import type { RevisionStanding } from "../../core/identity/policy.ts";
import type { RevisionView, SpellView } from "../../core/spell/manifest.ts";
import { INTERFACE_VERSION } from "../../workers/manifest.ts";
import type { AsyncRun as Run } from "./async_gate.ts";
import type { Sql } from "./pg.ts";
import { type RevisionRow, revisionView, type SpellRow, spellView } from "../sql_rows.ts";

const SPELL_COLUMNS =
  "spell_id, display_name, active_draft_rev, active_beta_rev, active_stable_rev, created_at, updated_at";
const REVISION_COLUMNS =
  "r.revision_id, r.spell_id, r.parent_revision_id, r.channel, r.version, r.manifest_json, r.created_at";

/** Only revisions verified against the current SpellScript API are served (see SqliteSpellStore). */
const SERVED_VERSION = /^\d+\.\d+$/.test(INTERFACE_VERSION) ? INTERFACE_VERSION : "invalid";

/** The column of each channel; the name comes from the closed Channel type, never from a client. */
const ACTIVE_COLUMN: Record<Channel, string> = {
  draft: "active_draft_rev",
  beta: "active_beta_rev",
  stable: "active_stable_rev",
};

/**
 * SpellStore on Postgres; `run` is the node's gate (see PgStores). Writes of several statements run
 * in a transaction of their own, or in the unit of work's when the store is bound to one.
 */
export class PgSpellStore implements SpellStore {
  #sql: Sql;
  #run: Run;
  #bound: boolean;

  constructor(sql: Sql, run: Run, options: { bound?: boolean } = {}) {
    this.#sql = sql;
    this.#run = run;
    this.#bound = options.bound ?? false;
  }

  /** Runs `body` atomically: in the unit of work if bound, else in a transaction of its own. */
  #atomic<T>(body: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.#bound) return body(this.#sql);
    return this.#run(() => this.#sql.begin((tx) => body(tx as unknown as Sql)) as Promise<T>);
  }

  ensure(spellId: string, displayName: string, now: string, ownerId: string): Promise<boolean> {
    return this.#run(async () => {
      const result = await this.#sql`
        INSERT INTO spells (spell_id, display_name, created_at, updated_at, owner_id)
        VALUES (${spellId}, ${displayName}, ${now}, ${now}, ${ownerId})
        ON CONFLICT (spell_id) DO NOTHING`;
      return result.count > 0;
    });
  }

  ownerOf(spellId: string): Promise<string | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ owner_id: string }[]>`
        SELECT owner_id FROM spells WHERE spell_id = ${spellId}`;
      return row?.owner_id;
    });
  }

  clearActive(spellId: string, channel: Channel, now: string): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        UPDATE spells SET ${this.#sql.unsafe(ACTIVE_COLUMN[channel])} = NULL, updated_at = ${now}
        WHERE spell_id = ${spellId}`;
    });
  }

  standing(spellId: string, revisionId: string): Promise<RevisionStanding | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ published: boolean; quarantined: boolean }[]>`
        SELECT published_at IS NOT NULL AS published, quarantined_at IS NOT NULL AS quarantined
        FROM revisions r WHERE r.revision_id = ${revisionId} AND r.spell_id = ${spellId}
          AND (r.manifest_json::json->>'interface_version') = ${SERVED_VERSION}`;
      return row ? { published: row.published, quarantined: row.quarantined } : undefined;
    });
  }

  standings(spellId: string): Promise<Map<string, RevisionStanding>> {
    return this.#run(async () => {
      const rows = await this.#sql<
        { revision_id: string; published: boolean; quarantined: boolean }[]
      >`
        SELECT revision_id, published_at IS NOT NULL AS published,
          quarantined_at IS NOT NULL AS quarantined
        FROM revisions r WHERE r.spell_id = ${spellId}
          AND (r.manifest_json::json->>'interface_version') = ${SERVED_VERSION}`;
      return new Map(
        rows.map((row) => [row.revision_id, {
          published: row.published,
          quarantined: row.quarantined,
        }]),
      );
    });
  }

  quarantine(spellId: string, revisionId: string, now: string): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        UPDATE revisions SET quarantined_at = coalesce(quarantined_at, ${now})
        WHERE revision_id = ${revisionId} AND spell_id = ${spellId}`;
    });
  }

  get(spellId: string): Promise<SpellView | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<SpellRow[]>`
        SELECT ${this.#sql.unsafe(SPELL_COLUMNS)} FROM spells WHERE spell_id = ${spellId}`;
      return row ? spellView(row) : undefined;
    });
  }

  list(): Promise<SpellView[]> {
    return this.#run(async () => {
      const rows = await this.#sql<SpellRow[]>`
        SELECT ${this.#sql.unsafe(SPELL_COLUMNS)} FROM spells
        ORDER BY created_at DESC, created_order DESC`;
      return rows.map(spellView);
    });
  }

  reserveVersion(spellId: string, now: string): Promise<number> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ version: number }[]>`
        UPDATE spells SET next_version = next_version + 1, updated_at = ${now}
        WHERE spell_id = ${spellId} RETURNING next_version - 1 AS version`;
      if (!row) throw new Error(`Cannot reserve a version of spell "${spellId}": no such spell`);
      return Number(row.version);
    });
  }

  addRevision(revision: NewRevision, now: string): Promise<void> {
    const { manifest } = revision;
    return this.#atomic(async (sql) => {
      await sql`
        INSERT INTO revisions (revision_id, spell_id, parent_revision_id, channel, version, manifest_json, created_at)
        VALUES (${manifest.revision_id}, ${manifest.spell_id},
          ${revision.parentRevisionId === "" ? null : revision.parentRevisionId}, 'draft',
          ${manifest.version}, ${JSON.stringify(manifest)}, ${manifest.created_at})`;
      if (revision.files.length > 0) {
        await sql`
          INSERT INTO revision_files (revision_id, path, hash, size)
          SELECT ${manifest.revision_id}, f->>'path', f->>'hash', (f->>'size')::integer
          FROM json_array_elements(${
          JSON.stringify(revision.files.map(({ path, hash, size }) => ({ path, hash, size })))
        }::text::json) AS f`;
      }
      await sql`
        UPDATE spells SET active_draft_rev = ${manifest.revision_id}, updated_at = ${now}
        WHERE spell_id = ${manifest.spell_id}`;
    });
  }

  getRevision(spellId: string, revisionId: string): Promise<RevisionView | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<RevisionRow[]>`
        SELECT ${this.#sql.unsafe(REVISION_COLUMNS)} FROM revisions r
        WHERE r.revision_id = ${revisionId} AND r.spell_id = ${spellId}
          AND (r.manifest_json::json->>'interface_version') = ${SERVED_VERSION}`;
      return row ? revisionView(row) : undefined;
    });
  }

  listRevisions(spellId: string): Promise<RevisionView[]> {
    return this.#run(async () => {
      const rows = await this.#sql<RevisionRow[]>`
        SELECT ${this.#sql.unsafe(REVISION_COLUMNS)} FROM revisions r
        WHERE r.spell_id = ${spellId}
          AND (r.manifest_json::json->>'interface_version') = ${SERVED_VERSION}
        ORDER BY r.version DESC`;
      return rows.map(revisionView);
    });
  }

  fileOf(
    spellId: string,
    revisionId: string,
    path: string,
  ): Promise<{ hash: string; size: number } | undefined> {
    return this.#run(async () => {
      const [row] = await this.#sql<{ hash: string; size: number }[]>`
        SELECT f.hash, f.size FROM revision_files f JOIN revisions r ON r.revision_id = f.revision_id
        WHERE r.spell_id = ${spellId} AND f.revision_id = ${revisionId} AND f.path = ${path}
          AND (r.manifest_json::json->>'interface_version') = ${SERVED_VERSION}`;
      return row ? { hash: row.hash, size: Number(row.size) } : undefined;
    });
  }

  setActive(spellId: string, channel: Channel, revisionId: string, now: string): Promise<void> {
    return this.#atomic(async (sql) => {
      await sql`
        UPDATE spells SET ${sql.unsafe(ACTIVE_COLUMN[channel])} = ${revisionId}, updated_at = ${now}
        WHERE spell_id = ${spellId}`;
      // Published to beta or stable once is published for good: retention keeps it.
      await sql`
        UPDATE revisions SET channel = ${channel},
          published_at = CASE WHEN ${channel} IN ('beta', 'stable') THEN coalesce(published_at, ${now})
                         ELSE published_at END
        WHERE revision_id = ${revisionId}`;
    });
  }

  castable(limit: number): Promise<CastableSpell[]> {
    return this.#run(async () => {
      const rows = await this.#sql<
        Pick<SpellRow, "spell_id" | "active_beta_rev" | "active_stable_rev">[]
      >`
        SELECT spell_id, active_beta_rev, active_stable_rev FROM spells
        WHERE active_beta_rev IS NOT NULL OR active_stable_rev IS NOT NULL
        ORDER BY updated_at DESC, created_order DESC LIMIT ${limit}`;
      return rows.map((row) =>
        row.active_beta_rev
          ? { spellId: row.spell_id, revisionId: row.active_beta_rev, channel: "beta" as const }
          : {
            spellId: row.spell_id,
            revisionId: row.active_stable_rev!,
            channel: "stable" as const,
          }
      );
    });
  }
}
