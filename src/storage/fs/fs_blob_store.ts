import { createHash } from "node:crypto";
import { join } from "node:path";
import type { BlobStore } from "../../core/ports/blob_store.ts";

export const BLOB_HASH = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** What is on disk under a hash: the right bytes, nothing, or bytes that do not match it. */
export type BlobState = "ok" | "missing" | "corrupt";

/**
 * Content-addressed files under `<root>/sha256/<2 hex>/<64 hex>`. Writes go to `<root>/tmp/` and are
 * renamed into place, so a crash never leaves a half-written blob under its hash; reads re-hash, and
 * storing bytes that are already there checks the stored copy first and replaces it if it rotted.
 */
export class FsBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pathOf(hash: string): string {
    if (!BLOB_HASH.test(hash)) throw new Error("Invalid blob hash");
    return join(this.root, "sha256", hash.slice(0, 2), hash);
  }

  /**
   * Stores bytes once. If the blob exists and verifies, it is kept and its modification time set to
   * now (the collector spares recently written blobs); if it is corrupt, it is replaced.
   */
  async put(bytes: Uint8Array): Promise<{ hash: string; size: number }> {
    const hash = sha256Hex(bytes);
    const path = this.pathOf(hash);
    if (await this.check(hash) === "ok") {
      try {
        const now = new Date();
        await Deno.utime(path, now, now);
        return { hash, size: bytes.length };
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    await this.#write(hash, bytes); // missing, or corrupt: replaced by the rename
    return { hash, size: bytes.length };
  }

  async get(hash: string): Promise<Uint8Array | undefined> {
    const bytes = await this.#read(hash);
    if (bytes === undefined) return undefined;
    if (sha256Hex(bytes) !== hash) {
      throw new Error(`Blob ${hash.slice(0, 12)}… is corrupt: its content does not match its hash`);
    }
    return bytes;
  }

  async open(
    hash: string,
  ): Promise<{ size: number; body: ReadableStream<Uint8Array> } | undefined> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.pathOf(hash), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const { size } = await file.stat();
    return { size, body: file.readable.pipeThrough(verifyingStream(hash)) };
  }

  /** Reads and re-hashes a blob. */
  async check(hash: string): Promise<BlobState> {
    const bytes = await this.#read(hash);
    if (bytes === undefined) return "missing";
    return sha256Hex(bytes) === hash ? "ok" : "corrupt";
  }

  /** Removes temp files a crash left behind (all of them, or those older than `olderThanMs`). */
  async sweepTemp(olderThanMs?: number): Promise<number> {
    let removed = 0;
    const dir = join(this.root, "tmp");
    try {
      for await (const entry of Deno.readDir(dir)) {
        const path = join(dir, entry.name);
        if (olderThanMs !== undefined) {
          const { mtime } = await Deno.lstat(path);
          if (mtime && Date.now() - mtime.getTime() < olderThanMs) continue;
        }
        await Deno.remove(path).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
        removed++;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return removed;
  }

  async #read(hash: string): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(this.pathOf(hash));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }

  async #write(hash: string, bytes: Uint8Array): Promise<void> {
    await Deno.mkdir(join(this.root, "sha256", hash.slice(0, 2)), { recursive: true });
    await Deno.mkdir(join(this.root, "tmp"), { recursive: true });
    const temp = join(this.root, "tmp", `${hash}.${crypto.randomUUID()}`);
    try {
      const file = await Deno.open(temp, { write: true, createNew: true });
      try {
        await writeAll(file, bytes);
        await file.sync();
      } finally {
        file.close();
      }
      await Deno.rename(temp, this.pathOf(hash));
    } catch (error) {
      await Deno.remove(temp).catch(() => {}); // a full disk must not leave half a file behind
      throw error;
    }
  }
}

/**
 * Passes bytes through while hashing them, always holding the latest chunk back: it is released
 * only once the next one arrives or, at the end, once the hash has matched.
 */
function verifyingStream(hash: string): TransformStream<Uint8Array, Uint8Array> {
  const hasher = createHash("sha256");
  let held: Uint8Array | undefined;
  return new TransformStream({
    transform(chunk, controller) {
      hasher.update(chunk);
      if (held) controller.enqueue(held);
      held = chunk;
    },
    flush(controller) {
      if (hasher.digest("hex") !== hash) {
        controller.error(new Error(`Blob ${hash.slice(0, 12)}… is corrupt`));
        return;
      }
      if (held) controller.enqueue(held);
    },
  });
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  while (bytes.length > 0) bytes = bytes.subarray(await file.write(bytes));
}
