/// <reference lib="deno.worker" />
/**
 * Build worker entry: receives one task at a time, posts progress and then the outcome.
 * Runs in its own isolate so parsing and hashing never stall the sockets on the main one.
 * @module
 */
import { setPriority } from "node:os";
import { FsBlobStore, sha256Hex } from "../storage/fs/fs_blob_store.ts";
import { isStorageFull } from "../storage/storage_errors.ts";
import { runBuild } from "./build_steps.ts";
import type { WorkerReply, WorkerRequest } from "./worker_messages.ts";

/** 10 of 19: a nice-0 thread gets ~9× its CPU share when both are runnable. */
const BUILD_THREAD_NICENESS = 10;

let store: FsBlobStore | undefined;
let answerLease: ((reply: { ok: boolean; storageFull: boolean }) => void) | undefined;

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

const post = (reply: WorkerReply) => self.postMessage(reply);

/** Leases the hashes (through the main isolate, which owns the database), then stores the files. */
async function storeBlobs(files: readonly Uint8Array[]) {
  const hashes = files.map(sha256Hex);
  const answer = await new Promise<{ ok: boolean; storageFull: boolean }>((resolve) => {
    answerLease = resolve;
    post({ kind: "lease", hashes });
  });
  if (!answer.ok) {
    throw Object.assign(new Error("could not lease blobs"), {
      code: answer.storageFull ? "ENOSPC" : undefined,
    });
  }
  const stored = [];
  for (const file of files) {
    const { hash, size } = await store!.put(file);
    stored.push({ hash, size });
  }
  return stored;
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  if (message.kind === "leased") {
    answerLease?.(message);
    answerLease = undefined;
    return;
  }
  store ??= new FsBlobStore(message.blobRoot);
  try {
    const outcome = await runBuild(message.task, {
      storeBlobs,
      onProgress: (progress) => post({ kind: "progress", progress }),
    });
    post({ kind: "done", outcome });
  } catch (error) {
    // The reason goes to the player: no paths, no stack. The detail goes to the main isolate's log.
    post({
      kind: "crashed",
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      storageFull: isStorageFull(error),
    });
  }
};
