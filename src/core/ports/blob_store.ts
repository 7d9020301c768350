/** Content-addressed bytes: a blob's name is the SHA-256 of its content (64 lowercase hex). */
export interface BlobStore {
  /** Stores bytes once; identical content keeps the existing blob (replaced if it is corrupt). */
  put(bytes: Uint8Array): Promise<{ hash: string; size: number }>;
  /** The bytes of a blob (verified against its hash), or undefined if absent. */
  get(hash: string): Promise<Uint8Array | undefined>;
  /**
   * A blob as a stream with its size, or undefined if absent. The stream is verified as it is
   * read: if the content does not match its hash it errors before its last chunk, so a reader that
   * checks the length never takes corrupt bytes for the real ones.
   */
  open(hash: string): Promise<{ size: number; body: ReadableStream<Uint8Array> } | undefined>;
}
