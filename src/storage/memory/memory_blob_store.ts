import type { BlobStore } from "../../core/ports/blob_store.ts";

/** BlobStore in a Map, for unit tests: content-addressed by SHA-256 like the file store. */
export class MemoryBlobStore implements BlobStore {
  #blobs = new Map<string, Uint8Array>();

  async put(bytes: Uint8Array): Promise<{ hash: string; size: number }> {
    const hash = await sha256Hex(bytes);
    if (!this.#blobs.has(hash)) this.#blobs.set(hash, bytes.slice());
    return { hash, size: bytes.length };
  }

  get(hash: string): Promise<Uint8Array | undefined> {
    const bytes = this.#blobs.get(hash);
    return Promise.resolve(bytes?.slice());
  }

  open(hash: string): Promise<{ size: number; body: ReadableStream<Uint8Array> } | undefined> {
    const bytes = this.#blobs.get(hash);
    if (!bytes) return Promise.resolve(undefined);
    const copy = bytes.slice();
    return Promise.resolve({
      size: copy.length,
      body: new ReadableStream({
        start(controller) {
          if (copy.length > 0) controller.enqueue(copy);
          controller.close();
        },
      }),
    });
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
