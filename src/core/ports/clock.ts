/** Stops a timer started by `Clock.after` or `Clock.every`; calling it twice is harmless. */
export type Cancel = () => void;

/**
 * Time, as the core sees it. Every wait, timer and duration in `src/core/` goes through this port,
 * so tests drive time by hand (`src/testing/fake_clock.ts`) and the core never touches a platform
 * timer (`src/platform/system_clock.ts` is the real one).
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds (timestamps clients and the database see). */
  now(): number;
  /** Milliseconds from an arbitrary origin that never goes backwards (durations, rates, stalls). */
  monotonic(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Resolves once other pending work (sockets, timers) has had a turn. */
  nextTurn(): Promise<void>;
  /** Runs `run` once after `ms` milliseconds. */
  after(ms: number, run: () => void): Cancel;
  /** Runs `run` every `ms` milliseconds until cancelled. */
  every(ms: number, run: () => void): Cancel;
}

/**
 * Waits for `promise`, but no longer than `ms`; true if it settled in time. The timer is cancelled
 * either way, so a bounded wait never keeps the process alive.
 */
export async function settlesWithin(
  clock: Clock,
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  let cancel: Cancel | undefined;
  try {
    return await Promise.race([
      promise.then(() => true, () => true),
      new Promise<boolean>((resolve) => cancel = clock.after(ms, () => resolve(false))),
    ]);
  } finally {
    cancel?.();
  }
}
