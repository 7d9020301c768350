/** A clock in milliseconds; injected so tests can step time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Per-key token buckets: `perSecond` sustained, `burst` at once. */
export class RateLimiter {
  #buckets = new Map<string, Bucket>();
  #perSecond: number;
  #burst: number;
  #clock: Clock;

  constructor(options: { perSecond: number; burst: number; clock: Clock }) {
    this.#perSecond = options.perSecond;
    this.#burst = options.burst;
    this.#clock = options.clock;
  }

  /** Takes one token; false when the key has none left. */
  take(key: string): boolean {
    const now = this.#clock.now();
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, bucket = { tokens: this.#burst, updatedAt: now });
    const refill = ((now - bucket.updatedAt) / 1000) * this.#perSecond;
    bucket.tokens = Math.min(this.#burst, bucket.tokens + refill);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  forget(key: string): void {
    this.#buckets.delete(key);
  }
}
