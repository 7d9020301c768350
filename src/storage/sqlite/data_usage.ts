import type { Database } from "./db.ts";

/**
 * Bytes the server stores, as `MAX_DATA_BYTES` counts them: database pages in use (free pages are
 * reused before the file grows) plus every referenced blob once (kept up to date by triggers, see
 * migration 3). Cheap: three pragmas and one row.
 */
export function measureDataBytes(db: Database): number {
  const pragma = (name: string) =>
    Number(Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0]);
  const pages = pragma("page_count") - pragma("freelist_count");
  const blobs = db.prepare("SELECT blob_bytes FROM storage_stats WHERE id = 1").get() as
    | { blob_bytes: number }
    | undefined;
  return pages * pragma("page_size") + Number(blobs?.blob_bytes ?? 0);
}
