import { setImmediate } from "node:timers";
import type { Clock } from "../core/ports/clock.ts";

/** The real clock: platform timers, `Date.now` and `performance.now`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  // A macrotask: sockets and timers that are ready run before it resolves.
  nextTurn: () => new Promise((resolve) => setImmediate(resolve)),
  after: (ms, run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
  every: (ms, run) => {
    const timer = setInterval(run, ms);
    return () => clearInterval(timer);
  },
};
