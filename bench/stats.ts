/**
 * Small statistics and timing helpers shared by the scenarios.
 * @module
 */

/** Latency summary in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Sorts a copy of the values and summarizes them. */
export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** A growable store of numbers with a hard capacity (extra values are counted, not stored). */
export class Samples {
  #values: Float64Array;
  #length = 0;
  /** Values offered past the capacity. */
  dropped = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(Math.max(1, Math.ceil(capacity)));
  }

  add(value: number): void {
    if (this.#length < this.#values.length) this.#values[this.#length++] = value;
    else this.dropped++;
  }

  get length(): number {
    return this.#length;
  }

  summary(): LatencySummary {
    return summarize(this.#values.subarray(0, this.#length));
  }
}

const ORIGIN = performance.now();

/**
 * Milliseconds since the bench process started, rounded to µs. Stamps sent in messages use it: it
 * stays a small finite number (≤ 1e6 for a run under 16 minutes), as voxel coordinates must.
 */
export function benchNow(): number {
  return Math.round((performance.now() - ORIGIN) * 1000) / 1000;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `done` every `stepMs` until it is true or `timeoutMs` passed; returns whether it became true. */
export async function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  stepMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

/** A wall-clock budget shared by the scenarios: past the deadline they skip work. */
export class Budget {
  readonly #deadline: number;

  constructor(ms: number) {
    this.#deadline = performance.now() + ms;
  }

  /** Milliseconds left (negative once over). */
  get remainingMs(): number {
    return this.#deadline - performance.now();
  }

  /** A sub-budget ending at the earlier of `ms` from now and this budget's deadline. */
  sub(ms: number): Budget {
    return new Budget(Math.min(ms, this.remainingMs));
  }
}

/** Rounds for display and JSON: `digits` decimals, NaN kept as null by JSON.stringify. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
