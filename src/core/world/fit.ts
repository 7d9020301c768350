import { jsonSize } from "../../protocol/mod.ts";

/** Room left in every frame for the envelope (`type`, other keys, Socket.IO framing). */
export const ENVELOPE_RESERVE = 512;

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
