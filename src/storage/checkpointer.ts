import type { Logger } from "../log.ts";
import type { Database } from "./db.ts";

/**
 * Runs WAL checkpoints in a Worker and turns SQLite's automatic (main-thread) checkpoints off.
 * If the worker fails, automatic checkpoints come back on so the WAL can never grow without bound.
 */
export class Checkpointer {
  #worker: Worker;
  #db: Database;

  constructor(
    options: { db: Database; path: string; workerUrl?: URL; intervalMs: number; log: Logger },
  ) {
    this.#db = options.db;
    this.#worker = new Worker(
      options.workerUrl ?? new URL("./checkpoint_worker.ts", import.meta.url),
      {
        type: "module",
        name: "checkpoint",
      },
    );
    const fallBack = (detail: string) => {
      options.log.error("checkpoint worker failed; automatic checkpoints back on", { detail });
      this.#db.exec("PRAGMA wal_autocheckpoint = 1000");
    };
    this.#worker.onmessage = (event: MessageEvent<{ error: string }>) => fallBack(event.data.error);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      fallBack(event.message);
    };
    this.#db.exec("PRAGMA wal_autocheckpoint = 0");
    this.#worker.postMessage({ path: options.path, intervalMs: options.intervalMs });
  }

  close(): void {
    this.#worker.terminate();
  }
}
