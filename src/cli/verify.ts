import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { FsBlobStore } from "../storage/fs/fs_blob_store.ts";
import { blobCatalog, type BlobUse, integrity } from "./blob_catalog.ts";

export interface VerifyReport {
  /** `quick_check` of the database: "ok" or its first complaint. */
  database: string;
  blobs_checked: number;
  damaged: { hash: string; problem: "missing" | "corrupt"; revisions: BlobUse[] }[];
}

/**
 * `verify`: re-hashes every blob the database references and names the revisions (and paths) a
 * missing or corrupt one breaks. Read-only; safe while the server runs. Rebuilding a damaged
 * revision's code stores a good copy again (a put verifies and replaces a corrupt blob).
 */
export async function verify(dataDir: string): Promise<VerifyReport> {
  const path = join(dataDir, "ugc.db");
  await Deno.stat(path).catch(() => {
    throw new Error(`no database at ${path}; is DATA_DIR right?`);
  });
  const db = new DatabaseSync(path);
  const blobs = new FsBlobStore(join(dataDir, "blobs"));
  try {
    db.exec("PRAGMA busy_timeout = 10000");
    const report: VerifyReport = {
      database: integrity(db, "quick_check"),
      blobs_checked: 0,
      damaged: [],
    };
    for (const entry of blobCatalog(db)) {
      report.blobs_checked++;
      let state = await blobs.check(entry.hash);
      if (state === "ok" && (await Deno.stat(blobs.pathOf(entry.hash))).size !== entry.size) {
        state = "corrupt";
      }
      if (state !== "ok") {
        report.damaged.push({ hash: entry.hash, problem: state, revisions: entry.uses });
      }
    }
    return report;
  } finally {
    db.close();
  }
}
