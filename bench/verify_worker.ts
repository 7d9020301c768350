/// <reference lib="deno.worker" />
/**
 * Verification in a Web Worker, as the build workers run it: a fresh isolate parses and verifies
 * the same spell `runs` times and posts back each duration (whole `validateSpellScript`, and the
 * parse alone), so the first (cold) run and the warm ones can be told apart.
 * @module
 */
import { parseGdscript } from "../src/workers/gdscript/parser/mod.ts";
import { validateSpellScript } from "../src/workers/gdscript/mod.ts";

export interface VerifyWorkerRequest {
  source: string;
  runs: number;
}

export interface VerifyWorkerReply {
  ok: boolean;
  totalMs: number[];
  parseMs: number[];
}

self.onmessage = (event: MessageEvent<VerifyWorkerRequest>) => {
  const { source, runs } = event.data;
  const totalMs: number[] = [];
  const parseMs: number[] = [];
  let ok = true;
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    ok &&= validateSpellScript(source).ok;
    totalMs.push(performance.now() - start);
    start = performance.now();
    parseGdscript(source);
    parseMs.push(performance.now() - start);
  }
  self.postMessage({ ok, totalMs, parseMs } satisfies VerifyWorkerReply);
};
