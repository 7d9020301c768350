/// <reference lib="deno.worker" />
/**
 * WAL checkpoint worker: folds the write-ahead log back into the database file from its own thread,
 * so the fsync a checkpoint needs never stalls the sockets on the main isolate.
 * @module
 */
import { DatabaseSync } from "node:sqlite";

self.onmessage = (event: MessageEvent<{ path: string; intervalMs: number }>) => {
  const db = new DatabaseSync(event.data.path);
  db.exec("PRAGMA busy_timeout = 5000");
  setInterval(() => {
    try {
      // PASSIVE never blocks the writer; it copies what it can and tries again next tick.
      db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (error) {
      self.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
  }, event.data.intervalMs);
};
