import type { Clock } from "./ports/clock.ts";
import type { Session } from "./session.ts";

/** Unsent bytes above which replies to a session wait for it to read (capped at a quarter of the cut-off). */
export const REPLY_HIGH_WATER_BYTES = 1024 * 1024;
/** A reader that takes nothing of what waits for it for this long has stopped reading. */
export const READER_STALL_MS = 10_000;
const DRAIN_POLL_MS = 5;

/** Why a wait for the reader ended. */
export type ReaderWait = "ready" | "gone" | "stalled";

/** The high-water mark for a server whose slow-consumer cut-off is `maxBufferedBytes`. */
export function highWaterFor(maxBufferedBytes: number): number {
  return Math.min(REPLY_HIGH_WATER_BYTES, Math.floor(maxBufferedBytes / 4));
}

/**
 * Waits until the session has taken most of what was sent to it: "ready" once its unsent bytes are
 * at or below `highWater`, "gone" as soon as `stillWanted()` is false, "stalled" if its backlog did
 * not shrink for `stallMs`. A reader that is slow but reading is never "stalled". With `yieldFirst`
 * other connections get a turn even when the reader is keeping up (a long stream must not hold
 * the event loop).
 */
export async function readerReady(
  session: Session,
  options: { highWater: number; stallMs?: number; yieldFirst?: boolean; clock: Clock },
  stillWanted: () => boolean,
): Promise<ReaderWait> {
  const { clock } = options;
  const stallMs = options.stallMs ?? READER_STALL_MS;
  if (options.yieldFirst) await clock.nextTurn();
  let lowest = session.bufferedBytes;
  let progressAt = clock.monotonic();
  while (session.bufferedBytes > options.highWater) {
    if (!stillWanted()) return "gone";
    const buffered = session.bufferedBytes;
    if (buffered < lowest) {
      lowest = buffered;
      progressAt = clock.monotonic();
    } else if (clock.monotonic() - progressAt > stallMs) {
      return "stalled";
    }
    await clock.sleep(DRAIN_POLL_MS);
  }
  return stillWanted() ? "ready" : "gone";
}
