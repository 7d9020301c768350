import type {
  CastableSpell,
  Channel,
  NewRevision,
  SpellStore,
} from "../../core/ports/spell_store.ts";
import type { RevisionStanding } from "../../core/identity/policy.ts";
import type { RevisionView, SpellView } from "../../core/spell/manifest.ts";
import { INTERFACE_VERSION } from "../../workers/manifest.ts";
import type { Database } from "./db.ts";
import { transaction } from "./db.ts";
import type { Run } from "./run.ts";
import {
  type RevisionRow,
  revisionView,
  SPELL_COLUMNS,
  type SpellRow,
  spellView,
} from "../sql_rows.ts";

const REVISION_COLUMNS =
  "revision_id, spell_id, parent_revision_id, channel, version, manifest_json, created_at";

/**
 * Only revisions verified against the current SpellScript API exist for readers: one built by an
 * older server (the 1.0 denylist let escapes through) is never published, cast or downloaded
 * again. Rebuilding its code makes a new, verified revision.
 */
const SERVED = `json_extract(manifest_json, '$.interface_version') = '${
  /^\d+\.\d+$/.test(INTERFACE_VERSION) ? INTERFACE_VERSION : "invalid"
}'`;

/** SpellStore on SQLite; `run` is how a call reaches the database (see SqliteWorldStore). */
export class SqliteSpellStore implements SpellStore {
  #db: Database;
  #run: Run;
  #statements;

  constructor(db: Database, run: Run) {
    this.#db = db;
    this.#run = run;
    const active = (column: string) =>
      db.prepare(`UPDATE spells SET ${column} = ?, updated_at = ? WHERE spell_id = ?`);
    this.#statements = {
      insertSpell: db.prepare(
        `INSERT OR IGNORE INTO spells (spell_id, display_name, created_at, updated_at, owner_id)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      selectOwner: db.prepare("SELECT owner_id FROM spells WHERE spell_id = ?"),
      clearActive: {
        draft: db.prepare(
          "UPDATE spells SET active_draft_rev = NULL, updated_at = ? WHERE spell_id = ?",
        ),
        beta: db.prepare(
          "UPDATE spells SET active_beta_rev = NULL, updated_at = ? WHERE spell_id = ?",
        ),
        stable: db.prepare(
          "UPDATE spells SET active_stable_rev = NULL, updated_at = ? WHERE spell_id = ?",
        ),
      },
      selectStanding: db.prepare(
        `SELECT published_at IS NOT NULL AS published, quarantined_at IS NOT NULL AS quarantined
         FROM revisions WHERE revision_id = ? AND spell_id = ? AND ${SERVED}`,
      ),
      selectStandings: db.prepare(
        `SELECT revision_id, published_at IS NOT NULL AS published,
           quarantined_at IS NOT NULL AS quarantined
         FROM revisions WHERE spell_id = ? AND ${SERVED}`,
      ),
      quarantine: db.prepare(
        `UPDATE revisions SET quarantined_at = COALESCE(quarantined_at, ?)
         WHERE revision_id = ? AND spell_id = ?`,
      ),
      selectSpell: db.prepare(`SELECT ${SPELL_COLUMNS} FROM spells WHERE spell_id = ?`),
      selectSpells: db.prepare(
        `SELECT ${SPELL_COLUMNS} FROM spells ORDER BY created_at DESC, rowid DESC`,
      ),
      reserve: db.prepare(
        `UPDATE spells SET next_version = next_version + 1, updated_at = ? WHERE spell_id = ?
         RETURNING next_version - 1 AS version`,
      ),
      insertRevision: db.prepare(
        `INSERT INTO revisions (${REVISION_COLUMNS}) VALUES (?, ?, ?, 'draft', ?, ?, ?)`,
      ),
      insertFile: db.prepare(
        "INSERT INTO revision_files (revision_id, path, hash, size) VALUES (?, ?, ?, ?)",
      ),
      setDraft: db.prepare(
        "UPDATE spells SET active_draft_rev = ?, updated_at = ? WHERE spell_id = ?",
      ),
      selectRevision: db.prepare(
        `SELECT ${REVISION_COLUMNS} FROM revisions WHERE revision_id = ? AND spell_id = ?
         AND ${SERVED}`,
      ),
      selectRevisions: db.prepare(
        `SELECT ${REVISION_COLUMNS} FROM revisions WHERE spell_id = ? AND ${SERVED}
         ORDER BY version DESC`,
      ),
      selectFile: db.prepare(
        `SELECT f.hash, f.size FROM revision_files f JOIN revisions r ON r.revision_id = f.revision_id
         WHERE r.spell_id = ? AND f.revision_id = ? AND f.path = ? AND ${SERVED}`,
      ),
      // The column name comes from the closed Channel type, never from the client's string.
      setActive: {
        draft: active("active_draft_rev"),
        beta: active("active_beta_rev"),
        stable: active("active_stable_rev"),
      },
      // Published to beta or stable once is published for good: retention keeps it.
      setChannel: db.prepare(
        `UPDATE revisions SET channel = ?1,
           published_at = CASE WHEN ?1 IN ('beta', 'stable') THEN COALESCE(published_at, ?2)
                          ELSE published_at END
         WHERE revision_id = ?3`,
      ),
      selectCastable: db.prepare(
        `SELECT spell_id, active_beta_rev, active_stable_rev FROM spells
         WHERE active_beta_rev IS NOT NULL OR active_stable_rev IS NOT NULL
         ORDER BY updated_at DESC, rowid DESC LIMIT ?`,
      ),
    };
  }

  ensure(spellId: string, displayName: string, now: string, ownerId: string): Promise<boolean> {
    return this.#run(() =>
      Number(this.#statements.insertSpell.run(spellId, displayName, now, now, ownerId).changes) >
        0
    );
  }

  ownerOf(spellId: string): Promise<string | undefined> {
    return this.#run(() =>
      (this.#statements.selectOwner.get(spellId) as { owner_id: string } | undefined)?.owner_id
    );
  }

  clearActive(spellId: string, channel: Channel, now: string): Promise<void> {
    return this.#run(() => {
      this.#statements.clearActive[channel].run(now, spellId);
    });
  }

  standing(spellId: string, revisionId: string): Promise<RevisionStanding | undefined> {
    return this.#run(() => {
      const row = this.#statements.selectStanding.get(revisionId, spellId) as
        | { published: number; quarantined: number }
        | undefined;
      return row ? { published: !!row.published, quarantined: !!row.quarantined } : undefined;
    });
  }

  standings(spellId: string): Promise<Map<string, RevisionStanding>> {
    return this.#run(() => {
      const rows = this.#statements.selectStandings.all(spellId) as unknown as {
        revision_id: string;
        published: number;
        quarantined: number;
      }[];
      return new Map(
        rows.map((row) => [row.revision_id, {
          published: !!row.published,
          quarantined: !!row.quarantined,
        }]),
      );
    });
  }

  quarantine(spellId: string, revisionId: string, now: string): Promise<void> {
    return this.#run(() => {
      this.#statements.quarantine.run(now, revisionId, spellId);
    });
  }

  get(spellId: string): Promise<SpellView | undefined> {
    return this.#run(() => {
      const row = this.#statements.selectSpell.get(spellId) as SpellRow | undefined;
      return row ? spellView(row) : undefined;
    });
  }

  list(): Promise<SpellView[]> {
    return this.#run(() =>
      (this.#statements.selectSpells.all() as unknown as SpellRow[]).map(spellView)
    );
  }

  reserveVersion(spellId: string, now: string): Promise<number> {
    return this.#run(() => {
      const row = this.#statements.reserve.get(now, spellId) as { version: number } | undefined;
      if (!row) throw new Error(`Cannot reserve a version of spell "${spellId}": no such spell`);
      return Number(row.version);
    });
  }

  addRevision(revision: NewRevision, now: string): Promise<void> {
    return this.#run(() => {
      const { manifest } = revision;
      transaction(this.#db, () => {
        this.#statements.insertRevision.run(
          manifest.revision_id,
          manifest.spell_id,
          revision.parentRevisionId === "" ? null : revision.parentRevisionId,
          manifest.version,
          JSON.stringify(manifest),
          manifest.created_at,
        );
        for (const file of revision.files) {
          this.#statements.insertFile.run(manifest.revision_id, file.path, file.hash, file.size);
        }
        this.#statements.setDraft.run(manifest.revision_id, now, manifest.spell_id);
      });
    });
  }

  getRevision(spellId: string, revisionId: string): Promise<RevisionView | undefined> {
    return this.#run(() => {
      const row = this.#statements.selectRevision.get(revisionId, spellId) as
        | RevisionRow
        | undefined;
      return row ? revisionView(row) : undefined;
    });
  }

  listRevisions(spellId: string): Promise<RevisionView[]> {
    return this.#run(() =>
      (this.#statements.selectRevisions.all(spellId) as unknown as RevisionRow[]).map(
        revisionView,
      )
    );
  }

  fileOf(
    spellId: string,
    revisionId: string,
    path: string,
  ): Promise<{ hash: string; size: number } | undefined> {
    return this.#run(() => {
      const row = this.#statements.selectFile.get(spellId, revisionId, path) as {
        hash: string;
        size: number;
      } | undefined;
      return row ? { hash: row.hash, size: Number(row.size) } : undefined;
    });
  }

  setActive(spellId: string, channel: Channel, revisionId: string, now: string): Promise<void> {
    return this.#run(() => {
      transaction(this.#db, () => {
        this.#statements.setActive[channel].run(revisionId, now, spellId);
        this.#statements.setChannel.run(channel, now, revisionId);
      });
    });
  }

  castable(limit: number): Promise<CastableSpell[]> {
    return this.#run(() => {
      const rows = this.#statements.selectCastable.all(limit) as unknown as Pick<
        SpellRow,
        "spell_id" | "active_beta_rev" | "active_stable_rev"
      >[];
      // Beta first, as the original's cast fallback does.
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
