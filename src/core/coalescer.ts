import type { Clock } from "./rate_limiter.ts";

/** Timer functions, injectable so tests can run time by hand. */
export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(id: unknown): void;
}

export const realTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/**
 * Turns any number of "something changed" pokes into at most one `run` per `intervalMs`, always
 * after the last change it covers: a burst of changes produces one run that sees the final state.
 * The first poke after a quiet spell waits `settleMs` (so a burst arriving in one go is one run);
 * later ones wait for the interval since the previous run.
 */
export class Coalescer {
  #run: () => void;
  #clock: Clock;
  #timers: Timers;
  #intervalMs: number;
  #settleMs: number;
  #lastRunAt = -Infinity;
  #timer: unknown;

  constructor(options: {
    run: () => void;
    intervalMs: number;
    settleMs?: number;
    clock: Clock;
    timers?: Timers;
  }) {
    this.#run = options.run;
    this.#clock = options.clock;
    this.#timers = options.timers ?? realTimers;
    this.#intervalMs = options.intervalMs;
    this.#settleMs = Math.min(options.settleMs ?? options.intervalMs / 10, options.intervalMs);
  }

  /** Something changed: make sure a run follows, no sooner than the interval allows. */
  poke(): void {
    if (this.#timer !== undefined) return;
    const now = this.#clock.now();
    const delay = Math.max(this.#settleMs, this.#lastRunAt + this.#intervalMs - now);
    this.#timer = this.#timers.set(() => this.#fire(), delay);
  }

  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** Drops a pending run (shutdown). */
  close(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#lastRunAt = this.#clock.now();
    this.#run();
  }
}
