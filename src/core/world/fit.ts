import { jsonSize, utf8Length } from "../../protocol/mod.ts";

/** Room left in every frame for the envelope (`type`, other keys, Socket.IO framing). */
export const ENVELOPE_RESERVE = 512;

/**
 * Splits items into consecutive chunks whose JSON arrays each fit in `maxBytes` (less the envelope
 * reserve), keeping their order. An item too large for any chunk is a bug upstream: it throws.
 */
export function chunkBySize<T>(items: readonly T[], maxBytes: number): T[][] {
  const budget = maxBytes - ENVELOPE_RESERVE;
  const chunks: T[][] = [];
  let current: T[] = [];
  let used = 2; // "[]"
  for (const item of items) {
    const size = utf8Length(JSON.stringify(item)) + 1; // the comma
    if (size + 2 > budget) throw new Error(`Cannot chunk an item of ${size} bytes into ${budget}`);
    if (used + size > budget && current.length > 0) {
      chunks.push(current);
      current = [];
      used = 2;
    }
    current.push(item);
    used += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The longest prefix of `items` whose JSON array fits in `maxBytes` less the envelope reserve. */
export function fitPrefix<T>(items: readonly T[], maxBytes: number): T[] {
  const budget = maxBytes - ENVELOPE_RESERVE;
  let used = 2;
  let count = 0;
  for (const item of items) {
    const size = jsonSize(item) + 1;
    if (used + size > budget) break;
    used += size;
    count++;
  }
  return items.slice(0, count);
}
