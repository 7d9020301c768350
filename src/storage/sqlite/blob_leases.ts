import type { Database } from "./db.ts";
import { transaction } from "./db.ts";
import { type Run, runNow } from "./run.ts";

/** How long a lease or hold lasts if its holder dies without releasing it. */
export const LEASE_TTL_MS = 3_600_000;

/**
 * What keeps the collector's hands off blobs that are not referenced yet. A build leases the hashes
 * it is about to store *before* it looks at the blob folder, and the lease goes in the same commit
 * that records the revision; the collector deletes a blob only inside a write transaction that
 * sees neither a reference nor a lease. SQLite's single writer orders the two, so either the
 * collector sees the lease, or it deleted the file before the build looked and the build writes it
 * again. A hold (a backup in progress) pauses blob deletion altogether.
 */
export class BlobLeases {
  #db: Database;
  #run: Run;
  #statements;

  /** `run`: the server passes its transaction gate, so a lease never lands in a unit of work. */
  constructor(db: Database, run: Run = runNow) {
    this.#db = db;
    this.#run = run;
    this.#statements = {
      lease: db.prepare(
        "INSERT OR REPLACE INTO blob_leases (hash, holder, expires_at) VALUES (?, ?, ?)",
      ),
      release: db.prepare("DELETE FROM blob_leases WHERE holder = ?"),
      hold: db.prepare("INSERT OR REPLACE INTO gc_holds (holder, expires_at) VALUES (?, ?)"),
      unhold: db.prepare("DELETE FROM gc_holds WHERE holder = ?"),
    };
  }

  lease(holder: string, hashes: readonly string[], now = Date.now()): Promise<void> {
    const expires = new Date(now + LEASE_TTL_MS).toISOString();
    return this.#run(() =>
      transaction(this.#db, () => {
        for (const hash of hashes) this.#statements.lease.run(hash, holder, expires);
      })
    );
  }

  release(holder: string): Promise<void> {
    return this.#run(() => {
      this.#statements.release.run(holder);
    });
  }

  /** Pauses blob deletion until `unhold` (or the TTL, if the holder dies). */
  hold(holder: string, now = Date.now()): Promise<void> {
    return this.#run(() => {
      this.#statements.hold.run(holder, new Date(now + LEASE_TTL_MS).toISOString());
    });
  }

  unhold(holder: string): Promise<void> {
    return this.#run(() => {
      this.#statements.unhold.run(holder);
    });
  }
}
