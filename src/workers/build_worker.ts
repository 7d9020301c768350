/// <reference lib="deno.worker" />
/**
 * Build worker entry: receives one task at a time, posts progress and then the outcome.
 * Runs in its own isolate so parsing and hashing never stall the sockets on the main one.
 * @module
 */
import { setPriority } from "node:os";
import { FsBlobStore } from "../storage/fs_blob_store.ts";
import { runBuild } from "./build_steps.ts";
import type { WorkerReply, WorkerRequest } from "./worker_messages.ts";

/** 10 of 19: a nice-0 thread gets ~9× its CPU share when both are runnable. */
const BUILD_THREAD_NICENESS = 10;

let store: FsBlobStore | undefined;

/**
 * Builds are background work: on Linux a thread has its own nice value, so this thread yields the
 * CPU to the main isolate (sockets, pings) whenever both want it, and still uses every idle cycle.
 * Needs `--allow-sys=setPriority`; without it builds run at normal priority.
 */
try {
  setPriority(0, BUILD_THREAD_NICENESS);
} catch {
  // Not permitted (or no such thing on this OS): correct, only less responsive under build load.
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { task, blobRoot } = event.data;
  store ??= new FsBlobStore(blobRoot);
  const post = (reply: WorkerReply) => self.postMessage(reply);
  try {
    const outcome = await runBuild(task, {
      putBlob: (bytes) => store!.put(bytes),
      onProgress: (progress) => post({ kind: "progress", progress }),
    });
    post({ kind: "done", outcome });
  } catch (error) {
    // The reason goes to the player: no paths, no stack. The detail goes to the main isolate's log.
    post({
      kind: "crashed",
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
};
