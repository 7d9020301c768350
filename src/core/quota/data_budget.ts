import type { Clock } from "../rate_limiter.ts";

/**
 * The server-wide data budget (`MAX_DATA_BYTES`): database pages in use plus blob bytes. Measuring
 * costs a query, so it is measured every `remeasureMs` (and after each collection) and what was
 * admitted since is added on top.
 */
export class DataBudget {
  readonly max: number;
  #measure: () => number;
  #clock: Clock;
  #remeasureMs: number;
  #measured = 0;
  #measuredAt = -Infinity;
  #addedSince = 0;

  constructor(options: { max: number; measure: () => number; clock: Clock; remeasureMs?: number }) {
    this.max = options.max;
    this.#measure = options.measure;
    this.#clock = options.clock;
    this.#remeasureMs = options.remeasureMs ?? 5_000;
  }

  /** Bytes stored now (an estimate between measurements, never below what was admitted). */
  get used(): number {
    if (this.#clock.now() - this.#measuredAt >= this.#remeasureMs) this.remeasure();
    return this.#measured + this.#addedSince;
  }

  /** True if `bytes` more still fit. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.max;
  }

  add(bytes: number): void {
    this.#addedSince += bytes;
  }

  remeasure(): void {
    this.#measured = this.#measure();
    this.#measuredAt = this.#clock.now();
    this.#addedSince = 0;
  }
}
