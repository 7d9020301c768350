import { decodeBase64 } from "../protocol/base64.ts";

/**
 * The default `assets/icon.png`: a 16×16 RGBA violet disc, 112 bytes, with correct CRCs and zlib
 * checksum (the original's 70-byte placeholder was corrupt, so Godot logged an error on every cast).
 */
export const PLACEHOLDER_ICON: Uint8Array = decodeBase64(
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAN0lEQVR42mNgoAXocfv/HxumSDNRhhDSjNcQYjVjNYRUzRiGjBpABQMojkaqJCSqJGWqZCZSAQDMurbQv3R/kAAAAABJRU5ErkJggg==",
);
