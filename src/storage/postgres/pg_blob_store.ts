import type { BlobStore } from "../../core/ports/blob_store.ts";
import { BLOB_HASH, FsBlobStore, sha256Hex } from "../fs/fs_blob_store.ts";
import type { Sql } from "./pg.ts";

/**
 * Blobs in cluster mode: the `blobs` table (keyed by SHA-256) is the shared copy every node reads;
 * each node keeps a local disk cache (an FsBlobStore), which content addressing makes safe: a
 * cached file is right if it hashes to its name, and every read verifies it (a corrupt one is
 * fetched again). Builds write into the cache (the Worker's blob folder) and `upload` copies their
 * files to Postgres before the revision that names them is committed.
 */
export class PgBlobStore implements BlobStore {
  readonly cache: FsBlobStore;
  #sql: Sql;

  constructor(sql: Sql, cacheRoot: string) {
    this.#sql = sql;
    this.cache = new FsBlobStore(cacheRoot);
  }

  async put(bytes: Uint8Array): Promise<{ hash: string; size: number }> {
    const hash = sha256Hex(bytes);
    await this.#store(hash, bytes);
    await this.cache.put(bytes);
    return { hash, size: bytes.length };
  }

  async get(hash: string): Promise<Uint8Array | undefined> {
    if (!BLOB_HASH.test(hash)) return undefined;
    if (await this.cache.check(hash) === "ok") {
      try {
        return await this.cache.get(hash);
      } catch {
        // Rotted or removed since the check: read the shared copy.
      }
    }
    const [row] = await this.#sql<{ bytes: Uint8Array }[]>`
      SELECT bytes FROM blobs WHERE hash = ${hash}`;
    if (!row) return undefined;
    const bytes = new Uint8Array(row.bytes);
    if (sha256Hex(bytes) !== hash) {
      throw new Error(`Blob ${hash.slice(0, 12)}… is corrupt: its content does not match its hash`);
    }
    await this.cache.put(bytes);
    return bytes;
  }

  async open(
    hash: string,
  ): Promise<{ size: number; body: ReadableStream<Uint8Array> } | undefined> {
    if (!BLOB_HASH.test(hash)) return undefined;
    // Fills the cache if needed; the cache's stream verifies as it is read.
    if (await this.get(hash) === undefined) return undefined;
    return await this.cache.open(hash);
  }

  /** Copies blobs a build wrote into the cache to Postgres (those not there yet). */
  async upload(hashes: readonly string[]): Promise<void> {
    for (const hash of new Set(hashes)) {
      const [present] = await this.#sql`SELECT 1 FROM blobs WHERE hash = ${hash}`;
      if (present) continue;
      const bytes = await this.cache.get(hash);
      if (!bytes) throw new Error(`Blob ${hash.slice(0, 12)}… is not in the local cache`);
      await this.#store(hash, bytes);
    }
  }

  /** Inserts once; a stored copy that no longer matches its hash is replaced. */
  async #store(hash: string, bytes: Uint8Array): Promise<void> {
    await this.#sql`
      INSERT INTO blobs (hash, size, bytes) VALUES (${hash}, ${bytes.length}, ${bytes})
      ON CONFLICT (hash) DO UPDATE SET bytes = excluded.bytes, size = excluded.size
      WHERE encode(sha256(blobs.bytes), 'hex') <> blobs.hash`;
  }
}
