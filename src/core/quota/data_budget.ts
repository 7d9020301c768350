import type { Clock } from "../ports/clock.ts";

/**
 * The server-wide data budget (`MAX_DATA_BYTES`): what the stores hold (for SQLite: database pages
 * in use plus blob bytes). Measuring costs a query, so it is measured every `remeasureMs` (and
 * after each collection) and what was admitted since is added on top.
 */
export class DataBudget {
  readonly max: number;
  #measure: () => Promise<number>;
  #clock: Clock;
  #remeasureMs: number;
  #measured = 0;
  #measuredAt = -Infinity;
  #addedSince = 0;

  constructor(
    options: { max: number; measure: () => Promise<number>; clock: Clock; remeasureMs?: number },
  ) {
    this.max = options.max;
    this.#measure = options.measure;
    this.#clock = options.clock;
    this.#remeasureMs = options.remeasureMs ?? 5_000;
  }

  /** Bytes stored now (an estimate between measurements, never below what was admitted). */
  async used(): Promise<number> {
    if (this.#stale()) await this.remeasure();
    return this.#measured + this.#addedSince;
  }

  /**
   * True if `bytes` more still fit. Synchronous while the last measurement is fresh (the voxel-op
   * hot path asks for every op), a promise when it must measure first.
   */
  fits(bytes: number): boolean | Promise<boolean> {
    if (this.#stale()) return this.used().then((used) => used + bytes <= this.max);
    return this.#measured + this.#addedSince + bytes <= this.max;
  }

  add(bytes: number): void {
    this.#addedSince += bytes;
  }

  #stale(): boolean {
    return this.#clock.monotonic() - this.#measuredAt >= this.#remeasureMs;
  }

  async remeasure(): Promise<void> {
    const measured = await this.#measure();
    this.#measured = measured;
    this.#measuredAt = this.#clock.monotonic();
    this.#addedSince = 0;
  }
}
