/** Content-addressed bytes: a blob's name is the SHA-256 of its content. */
export interface BlobStore {
  /** Stores bytes once; identical content keeps the existing blob (replaced if it is corrupt). */
  put(bytes: Uint8Array): Promise<{ hash: string; size: number; repaired?: boolean }>;
  /** The bytes of a blob (verified against its hash), or undefined if absent. */
  get(hash: string): Promise<Uint8Array | undefined>;
}
