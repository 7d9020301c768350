import { createHash } from "node:crypto";
import { join } from "node:path";
import type { BlobStore } from "../core/spell/blob_store.ts";

const HASH = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Content-addressed files under `<root>/sha256/<2 hex>/<64 hex>`. Writes go to `<root>/tmp/` and are
 * renamed into place, so a crash never leaves a half-written blob under its hash; reads re-hash.
 */
export class FsBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pathOf(hash: string): string {
    if (!HASH.test(hash)) throw new Error("Invalid blob hash");
    return join(this.root, "sha256", hash.slice(0, 2), hash);
  }

  async put(bytes: Uint8Array): Promise<{ hash: string; size: number }> {
    const hash = sha256Hex(bytes);
    const path = this.pathOf(hash);
    try {
      await Deno.stat(path);
      return { hash, size: bytes.length }; // already stored: identical content is kept once
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await Deno.mkdir(join(this.root, "sha256", hash.slice(0, 2)), { recursive: true });
    await Deno.mkdir(join(this.root, "tmp"), { recursive: true });
    const temp = join(this.root, "tmp", `${hash}.${crypto.randomUUID()}`);
    const file = await Deno.open(temp, { write: true, createNew: true });
    try {
      await writeAll(file, bytes);
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
    return { hash, size: bytes.length };
  }

  async get(hash: string): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(this.pathOf(hash));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
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

  /** Removes temp files a crash left behind; returns how many. */
  async sweepTemp(): Promise<number> {
    let removed = 0;
    try {
      for await (const entry of Deno.readDir(join(this.root, "tmp"))) {
        await Deno.remove(join(this.root, "tmp", entry.name));
        removed++;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return removed;
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
