import type { Cancel, Clock } from "./ports/clock.ts";

/**
 * Turns any number of "something changed" pokes into at most one `run` per `intervalMs`, always
 * after the last change it covers: a burst of changes produces one run that sees the final state.
 * The first poke after a quiet spell waits `settleMs` (so a burst arriving in one go is one run);
 * later ones wait for the interval since the previous run.
 */
export class Coalescer {
  #run: () => void;
  #clock: Pick<Clock, "monotonic" | "after">;
  #intervalMs: number;
  #settleMs: number;
  #lastRunAt = -Infinity;
  #cancel: Cancel | undefined;

  constructor(options: {
    run: () => void;
    intervalMs: number;
    settleMs?: number;
    clock: Pick<Clock, "monotonic" | "after">;
  }) {
    this.#run = options.run;
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
    this.#settleMs = Math.min(options.settleMs ?? options.intervalMs / 10, options.intervalMs);
  }

  /** Something changed: make sure a run follows, no sooner than the interval allows. */
  poke(): void {
    if (this.#cancel !== undefined) return;
    const now = this.#clock.monotonic();
    const delay = Math.max(this.#settleMs, this.#lastRunAt + this.#intervalMs - now);
    this.#cancel = this.#clock.after(delay, () => this.#fire());
  }

  get pending(): boolean {
    return this.#cancel !== undefined;
  }

  /** Drops a pending run (shutdown). */
  close(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #fire(): void {
    this.#cancel = undefined;
    this.#lastRunAt = this.#clock.monotonic();
    this.#run();
  }
}
