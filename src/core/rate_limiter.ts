import type { Clock } from "./ports/clock.ts";

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Keys beyond which `take` forgets full buckets (at most once per SWEEP_INTERVAL_MS). */
const SWEEP_ABOVE_KEYS = 1024;
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Per-key token buckets: `perSecond` sustained, `burst` at once. A full bucket is the same as no
 * bucket, so keys that come and go (client addresses) are forgotten once refilled: memory follows
 * the keys active lately, not every key ever seen.
 */
export class RateLimiter {
  #buckets = new Map<string, Bucket>();
  #perSecond: number;
  #burst: number;
  #clock: Pick<Clock, "monotonic">;
  #sweptAt = 0;

  constructor(options: { perSecond: number; burst: number; clock: Pick<Clock, "monotonic"> }) {
    this.#perSecond = options.perSecond;
    this.#burst = options.burst;
    this.#clock = options.clock;
  }

  /** Takes `cost` tokens (one by default); false when the key has fewer left. */
  take(key: string, cost = 1): boolean {
    const now = this.#clock.monotonic();
    const bucket = this.#refilled(key, now);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    if (this.#buckets.size > SWEEP_ABOVE_KEYS && now - this.#sweptAt > SWEEP_INTERVAL_MS) {
      this.#sweep(now);
    }
    return true;
  }

  /** Gives back a token taken for work that turned out to cost nothing (never above the burst). */
  refund(key: string): void {
    const bucket = this.#buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.#burst, bucket.tokens + 1);
  }

  /** Milliseconds until `take(key)` can succeed (0 if it can now). */
  msUntilToken(key: string): number {
    const bucket = this.#refilled(key, this.#clock.monotonic());
    if (bucket.tokens >= 1) return 0;
    return Math.ceil(((1 - bucket.tokens) / this.#perSecond) * 1000);
  }

  forget(key: string): void {
    this.#buckets.delete(key);
  }

  /** Keys with a bucket (for tests of the memory bound). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, bucket = { tokens: this.#burst, updatedAt: now });
    const refill = ((now - bucket.updatedAt) / 1000) * this.#perSecond;
    bucket.tokens = Math.min(this.#burst, bucket.tokens + refill);
    bucket.updatedAt = now;
    return bucket;
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) {
      const tokens = bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.#perSecond;
      if (tokens >= this.#burst) this.#buckets.delete(key);
    }
  }
}
