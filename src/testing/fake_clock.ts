import { setImmediate } from "node:timers";
import type { Cancel, Clock } from "../core/ports/clock.ts";

interface Timer {
  id: number;
  at: number;
  run: () => void;
  /** Repeats this often (`every`); undefined for `after`. */
  period?: number;
}

/**
 * A Clock for tests: time stands still until the test calls `advance`, which runs every timer that
 * falls due, in time order, letting the promises they resolve settle before the next one fires. A
 * 10-second stall is then a millisecond of test time. `nextTurn` waits for the next `advance`.
 */
export class FakeClock implements Clock {
  #wallOrigin: number;
  #elapsed = 0;
  #timers: Timer[] = [];
  #nextId = 1;

  /** `start`: the wall-clock time (epoch ms) the clock starts at. */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#wallOrigin = start;
  }

  now(): number {
    return this.#wallOrigin + this.#elapsed;
  }

  monotonic(): number {
    return this.#elapsed;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  nextTurn(): Promise<void> {
    return this.sleep(0);
  }

  after(ms: number, run: () => void): Cancel {
    return this.#add({ id: this.#nextId++, at: this.#elapsed + Math.max(0, ms), run });
  }

  every(ms: number, run: () => void): Cancel {
    const period = Math.max(1, ms);
    return this.#add({ id: this.#nextId++, at: this.#elapsed + period, run, period });
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer due by then in order (timers a callback starts
   * within the window fire too), and settles pending promises after each.
   */
  async advance(ms = 0): Promise<void> {
    const target = this.#elapsed + ms;
    await settle();
    while (true) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#elapsed = Math.max(this.#elapsed, next.at);
      if (next.period !== undefined) this.#add({ ...next, at: next.at + next.period });
      next.run();
      await settle();
    }
    this.#elapsed = target;
    await settle();
  }

  #add(timer: Timer): Cancel {
    let index = this.#timers.findIndex((other) => other.at > timer.at);
    if (index < 0) index = this.#timers.length;
    this.#timers.splice(index, 0, timer);
    return () => {
      const at = this.#timers.findIndex((other) => other.id === timer.id);
      if (at >= 0) this.#timers.splice(at, 1);
    };
  }
}

/** Lets every promise that can resolve now do so (a real macrotask runs after all microtasks). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
