/// <reference lib="deno.worker" />
/**
 * Build worker entry: receives one task at a time, posts progress and then the outcome.
 * Runs in its own isolate so parsing and hashing never stall the sockets on the main one.
 * @module
 */
import { FsBlobStore } from "../storage/fs_blob_store.ts";
import { runBuild } from "./build_steps.ts";
import type { WorkerReply, WorkerRequest } from "./worker_messages.ts";

let store: FsBlobStore | undefined;

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
