import type { DatabaseSync } from "node:sqlite";

/** Where a blob is used: the revision and path a damaged blob breaks. */
export interface BlobUse {
  spell_id: string;
  revision_id: string;
  path: string;
}

/** A referenced blob with its size and every place it is used. */
export interface CatalogEntry {
  hash: string;
  size: number;
  uses: BlobUse[];
}

/** Every blob a database references (none before schema 2, which added revision_files). */
export function blobCatalog(db: DatabaseSync): CatalogEntry[] {
  if (!hasTable(db, "revision_files")) return [];
  const rows = db.prepare(
    `SELECT f.hash, f.size, f.path, r.revision_id, r.spell_id
     FROM revision_files f JOIN revisions r ON r.revision_id = f.revision_id
     ORDER BY f.hash, r.spell_id, r.revision_id, f.path`,
  ).all() as { hash: string; size: number; path: string; revision_id: string; spell_id: string }[];
  const entries: CatalogEntry[] = [];
  for (const row of rows) {
    let entry = entries.at(-1);
    if (entry?.hash !== row.hash) {
      entry = { hash: row.hash, size: Number(row.size), uses: [] };
      entries.push(entry);
    }
    entry.uses.push({ spell_id: row.spell_id, revision_id: row.revision_id, path: row.path });
  }
  return entries;
}

export function hasTable(db: DatabaseSync, name: string): boolean {
  return db.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(name) !== undefined;
}

/** `PRAGMA integrity_check` (or `quick_check`): "ok", or the first problem it reports. */
export function integrity(db: DatabaseSync, pragma = "integrity_check"): string {
  return String(Object.values(db.prepare(`PRAGMA ${pragma}`).get() as Record<string, unknown>)[0]);
}

/** Counts of what a database holds, for reports. */
export function contents(db: DatabaseSync): Record<string, number> {
  const count = (table: string) =>
    hasTable(db, table)
      ? Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n)
      : 0;
  return {
    worlds: count("worlds"),
    ops: count("world_ops"),
    spells: count("spells"),
    revisions: count("revisions"),
    jobs: count("jobs"),
  };
}
