import type { Logger } from "../../log.ts";
import type { CollectionReport } from "./collector.ts";

/** A collector (SQLite's, or Postgres's in cluster mode). */
export interface RunsCollections {
  run(signal?: AbortSignal): Promise<CollectionReport>;
}

/** The first collection waits a little after start-up, so a restart loop costs no collections. */
const FIRST_RUN_MAX_MS = 60_000;

/**
 * Runs the collector every `intervalMs` on the server's own connection (in batches that yield to
 * the event loop), one run at a time, and logs what each run removed.
 */
export class CollectorSchedule {
  #collector: RunsCollections;
  #intervalMs: number;
  #log: Logger;
  #onCollected: (report: CollectionReport) => void;
  #timer?: ReturnType<typeof setTimeout>;
  /** The run in progress (or a settled promise): runs never overlap. */
  #tail: Promise<unknown> = Promise.resolve();
  #abort = new AbortController();
  #nextRunAt?: number;

  constructor(
    options: {
      collector: RunsCollections;
      intervalMs: number;
      log: Logger;
      onCollected: (report: CollectionReport) => void;
    },
  ) {
    this.#collector = options.collector;
    this.#intervalMs = options.intervalMs;
    this.#log = options.log;
    this.#onCollected = options.onCollected;
    this.#schedule(Math.min(this.#intervalMs, FIRST_RUN_MAX_MS));
  }

  /** When the next run starts (epoch ms); undefined once closed. */
  get nextRunAt(): number | undefined {
    return this.#nextRunAt;
  }

  /** Runs a collection now (after the one in progress, if any). */
  runNow(): Promise<CollectionReport> {
    const run = this.#tail.then(async () => {
      const report = await this.#collector.run(this.#abort.signal);
      this.#onCollected(report);
      this.#log.info("storage collected", { ...report });
      return report;
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Stops the timer and any run in progress (at its next batch boundary). */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#nextRunAt = undefined;
    this.#abort.abort();
    await this.#tail;
  }

  #schedule(delayMs: number): void {
    if (this.#abort.signal.aborted) return;
    this.#nextRunAt = Date.now() + delayMs;
    this.#timer = setTimeout(async () => {
      try {
        await this.runNow();
      } catch (error) {
        this.#log.error("storage collection failed", { error });
      }
      this.#schedule(this.#intervalMs);
    }, delayMs);
  }
}
