import type { Logger } from "../log.ts";
import { ErrorCode, ProtocolError } from "../protocol/mod.ts";
import { isStorageFull } from "./storage_errors.ts";

export const STORAGE_FULL_MESSAGE =
  "The server is out of storage space; nothing was saved. Try again later";

const LOG_EVERY_MS = 60_000;
const PROBE_EVERY_MS = 2_000;

/**
 * Whether the disk takes writes. A write that fails because the disk (or the user's disk quota) is
 * full marks storage as full: clients get `unavailable`, the log says so at most once a minute, and
 * a probe (a small database write and a small file) runs every two seconds until it succeeds; then
 * everything waiting for space (queued builds) resumes by itself.
 */
export class StorageHealth {
  #log: Logger;
  #probe: () => Promise<void>;
  #logEveryMs: number;
  #probeEveryMs: number;
  #full = false;
  #lastLogged = -Infinity;
  #refusedSinceLog = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(
    options: {
      log: Logger;
      probe: () => Promise<void>;
      logEveryMs?: number;
      probeEveryMs?: number;
    },
  ) {
    this.#log = options.log;
    this.#probe = options.probe;
    this.#logEveryMs = options.logEveryMs ?? LOG_EVERY_MS;
    this.#probeEveryMs = options.probeEveryMs ?? PROBE_EVERY_MS;
  }

  get full(): boolean {
    return this.#full;
  }

  /** The client's refusal for a write that failed on a full disk, or undefined for other errors. */
  refusal(error: unknown): ProtocolError | undefined {
    if (!this.noteFailure(error)) return undefined;
    return new ProtocolError(ErrorCode.UNAVAILABLE, STORAGE_FULL_MESSAGE);
  }

  /** True (and storage marked full) if `error` means the disk is full. */
  noteFailure(error: unknown): boolean {
    if (!isStorageFull(error)) return false;
    this.#refusedSinceLog++;
    const now = Date.now();
    if (now - this.#lastLogged >= this.#logEveryMs) {
      this.#lastLogged = now;
      this.#log.error("storage full: writes are refused with `unavailable` until space is freed", {
        detail: error instanceof Error ? error.message : String(error),
        refused: this.#refusedSinceLog,
      });
      this.#refusedSinceLog = 0;
    }
    if (!this.#full) {
      this.#full = true;
      this.#scheduleProbe();
    }
    return true;
  }

  /** Resolves at once if storage takes writes, else when the probe first succeeds. */
  whenWritable(): Promise<void> {
    if (!this.#full || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#waiters.splice(0).forEach((resolve) => resolve());
  }

  #scheduleProbe(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(async () => {
      try {
        await this.#probe();
      } catch (error) {
        // Still full: try again later. Anything else is logged (still at most once a probe).
        if (!isStorageFull(error)) this.#log.error("storage probe failed", { error });
        this.#scheduleProbe();
        return;
      }
      this.#full = false;
      this.#log.info("storage writable again", { refused_since_last_log: this.#refusedSinceLog });
      this.#waiters.splice(0).forEach((resolve) => resolve());
    }, this.#probeEveryMs);
  }
}
