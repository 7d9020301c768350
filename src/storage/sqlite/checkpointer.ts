import type { Logger } from "../../log.ts";
import type { CheckpointReport, CheckpointSettings } from "./checkpoint_messages.ts";
import type { Database } from "./db.ts";

/**
 * Runs WAL checkpoints in a Worker and turns SQLite's automatic (main-thread) checkpoints off.
 * If the worker fails for any reason but a full disk, automatic checkpoints come back on so the WAL
 * can never grow without bound; a full disk is reported to `onStorageFull` and retried.
 */
export class Checkpointer {
  #worker: Worker;
  #db: Database;

  constructor(
    options: {
      db: Database;
      path: string;
      workerUrl?: URL;
      intervalMs: number;
      truncateBytes: number;
      idleMs: number;
      log: Logger;
      onStorageFull?: (error: Error) => void;
    },
  ) {
    this.#db = options.db;
    this.#worker = new Worker(
      options.workerUrl ?? new URL("./checkpoint_worker.ts", import.meta.url),
      { type: "module", name: "checkpoint" },
    );
    let fellBack = false;
    const fallBack = (detail: string) => {
      if (fellBack) return;
      fellBack = true;
      options.log.error("checkpoint worker failed; automatic checkpoints back on", { detail });
      this.#worker.terminate();
      this.#db.exec("PRAGMA wal_autocheckpoint = 1000");
    };
    this.#worker.onmessage = (event: MessageEvent<CheckpointReport>) => {
      const report = event.data;
      if (report.kind === "truncated") {
        options.log.debug("wal truncated", { wal_bytes: report.walBytes });
      } else if (report.storageFull) {
        options.onStorageFull?.(Object.assign(new Error(report.message), { code: "ENOSPC" }));
      } else {
        fallBack(report.message);
      }
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      fallBack(event.message);
    };
    this.#db.exec("PRAGMA wal_autocheckpoint = 0");
    const settings: CheckpointSettings = {
      path: options.path,
      intervalMs: options.intervalMs,
      truncateBytes: options.truncateBytes,
      idleMs: options.idleMs,
    };
    this.#worker.postMessage(settings);
  }

  close(): void {
    this.#worker.terminate();
  }
}
