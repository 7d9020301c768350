/**
 * Verification: a 48,000-byte spell of realistic code (tests/helpers/large_spell.ts) parsed and
 * verified 200 times in a fresh Web Worker, as a build worker does. The first run is the cold
 * one (a new build worker's first build); p50 and p99 are over all runs.
 * @module
 */
import { largeSpell } from "../../tests/helpers/large_spell.ts";
import type { VerifyWorkerReply, VerifyWorkerRequest } from "../verify_worker.ts";
import { type LatencySummary, summarize } from "../stats.ts";

export interface VerifyRun {
  bytes: number;
  runs: number;
  /** Whether the spell verified (it must: it is valid). */
  ok: boolean;
  firstMs: number;
  totalMs: LatencySummary;
  /** The parse alone, for the split. */
  parseMs: LatencySummary;
}

export const VERIFY_BYTES = 48_000;

export async function runVerification(runs = 200): Promise<VerifyRun> {
  const source = largeSpell(VERIFY_BYTES);
  const worker = new Worker(new URL("../verify_worker.ts", import.meta.url), { type: "module" });
  try {
    const reply = await new Promise<VerifyWorkerReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<VerifyWorkerReply>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ source, runs } satisfies VerifyWorkerRequest);
    });
    return {
      bytes: new TextEncoder().encode(source).length,
      runs,
      ok: reply.ok,
      firstMs: reply.totalMs[0] ?? NaN,
      totalMs: summarize(reply.totalMs),
      parseMs: summarize(reply.parseMs),
    };
  } finally {
    worker.terminate();
  }
}
