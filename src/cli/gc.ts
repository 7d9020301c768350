import { join } from "node:path";
import type { Config } from "../config.ts";
import { FsBlobStore } from "../storage/fs/fs_blob_store.ts";
import { type CollectionReport, Collector } from "../storage/sqlite/collector.ts";
import { openDatabase } from "../storage/sqlite/db.ts";

/**
 * `gc`: one run of the storage collector with the configured retention, the same the server runs
 * every GC_INTERVAL_SEC. Safe while the server runs: builds lease their blobs, and every deletion
 * is decided inside a write transaction.
 */
export async function gc(config: Config): Promise<CollectionReport> {
  const path = join(config.dataDir, "ugc.db");
  await Deno.stat(path).catch(() => {
    throw new Error(`no database at ${path}; is DATA_DIR right?`);
  });
  const db = openDatabase(path);
  try {
    return await new Collector({
      db,
      blobs: new FsBlobStore(join(config.dataDir, "blobs")),
      draftRetentionHours: config.draftRetentionHours,
      failedJobRetentionHours: config.failedJobRetentionHours,
      blobGraceSec: config.blobGraceSec,
    }).run();
  } finally {
    db.close();
  }
}
