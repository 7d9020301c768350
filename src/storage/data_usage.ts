import type { Database } from "./db.ts";

/**
 * Bytes the server stores, as `MAX_DATA_BYTES` counts them: database pages in use (free pages are
 * reused before the file grows) plus every referenced blob once.
 */
export function measureDataBytes(db: Database): number {
  const pragma = (name: string) =>
    Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0]);
  const pages = pragma("page_count") - pragma("freelist_count");
  const blobs = db.prepare(
    `SELECT COALESCE(SUM(size), 0) AS bytes FROM
       (SELECT MAX(size) AS size FROM revision_files GROUP BY hash)`,
  ).get() as { bytes: number };
  return pages * pragma("page_size") + Number(blobs.bytes);
}
