/**
 * Join sync: a world holding K voxel ops (filled by pipelining clients), then a fresh client's
 * `world.join` timed until the last `sync_ops` chunk (chunk_index == chunk_count − 1). Every frame
 * is checked against the Godot cap of 65,535 bytes, and an idle client pinging every 20 ms shows
 * how long the server's event loop stalls while it builds the sync.
 * @module
 */
import type { BenchPlan } from "../config.ts";
import {
  type BenchClient,
  closeAll,
  connectMany,
  createWorld,
  joinWorld,
  Pinger,
  RawClient,
} from "../clients.ts";
import { type TargetProcess, waitForIdle } from "../procs.ts";
import { type Budget, type LatencySummary, sleep, summarize, waitUntil } from "../stats.ts";
import { startPipeline } from "./ingest.ts";

/** One world size. */
export interface JoinSyncResult {
  ops: number;
  /** Ops actually in the world (less than `ops` if the fill ran out of time). */
  filled: number;
  fillOpsPerSec: number;
  /** world.join sent → last sync_ops chunk received, one value per repeat. */
  joinMs: number[];
  join: LatencySummary;
  chunks: number;
  opsReceived: number;
  maxFrameBytes: number;
  framesOverCap: number;
  /** Largest round trip of an idle client's ping sent while a join was being served. */
  maxPingDuringJoinMs: number;
  skipped?: string;
}

const FILLERS = 4;

/** Fills one world per size and times joins to it. */
export async function runJoinSync(
  plan: BenchPlan,
  server: TargetProcess,
  budget: Budget,
  progress: (line: string) => void,
): Promise<JoinSyncResult[]> {
  const results: JoinSyncResult[] = [];
  for (const ops of plan.joinSyncSizes) {
    if (budget.remainingMs < 20_000) {
      results.push({ ...emptyResult(ops), skipped: "time budget" });
      continue;
    }
    const result = await measureSize(plan, server, ops, budget);
    results.push(result);
    progress(
      `  ${ops} ops (filled ${result.filled} at ${Math.round(result.fillOpsPerSec)}/s): join ${
        result.joinMs.map((ms) => Math.round(ms)).join(", ")
      } ms, ${result.chunks} chunks, max frame ${result.maxFrameBytes} B, max ping ${
        Math.round(result.maxPingDuringJoinMs)
      } ms`,
    );
  }
  return results;
}

function emptyResult(ops: number): JoinSyncResult {
  return {
    ops,
    filled: 0,
    fillOpsPerSec: NaN,
    joinMs: [],
    join: summarize([]),
    chunks: 0,
    opsReceived: 0,
    maxFrameBytes: 0,
    framesOverCap: 0,
    maxPingDuringJoinMs: NaN,
  };
}

async function measureSize(
  plan: BenchPlan,
  server: TargetProcess,
  ops: number,
  budget: Budget,
): Promise<JoinSyncResult> {
  const result = emptyResult(ops);
  const clients: BenchClient[] = [];
  try {
    // Fill: FILLERS clients pipeline ops into a new world until it holds `ops`.
    await connectMany("raw", server, FILLERS, FILLERS, clients);
    const worldId = await createWorld(clients[0]!, `sync ${ops}`);
    for (const client of clients) await joinWorld(client, worldId);
    const fillStart = performance.now();
    const share = Math.ceil(ops / FILLERS);
    const quotas = clients.map((_, i) => Math.max(0, Math.min(share, ops - i * share)));
    const pipelines = clients.map((client, i) =>
      startPipeline(client, i + 1, plan.pipelineWindow * 4, quotas[i]!)
    );
    const fillBudgetMs = Math.max(5_000, budget.remainingMs - 15_000);
    await waitUntil(() => pipelines.every((p, i) => p.acked >= quotas[i]!), fillBudgetMs, 50);
    for (const pipeline of pipelines) pipeline.stop();
    await waitUntil(() => pipelines.every((p) => p.acked === p.sent), 10_000);
    result.filled = pipelines.reduce((sum, p) => sum + p.acked, 0);
    result.fillOpsPerSec = result.filled / ((performance.now() - fillStart) / 1000);
    await closeAll(clients);
    await waitForIdle(server.pid);

    // Join: a fresh client, and an idle pinger outside the world.
    await connectMany("raw", server, 1, 1, clients);
    const [joiner] = clients as [RawClient];
    const joinSpans: [number, number][] = [];
    const pinger = await Pinger.open(server.wsUrl);
    pinger.start(20);
    try {
      for (let repeat = 0; repeat < plan.joinRepeats; repeat++) {
        await sleep(200);
        const timed = await timeJoin(joiner, worldId);
        result.joinMs.push(timed.ms);
        joinSpans.push([timed.sentAt, timed.sentAt + timed.ms]);
        result.chunks = timed.chunks;
        result.opsReceived = timed.ops;
        result.maxFrameBytes = Math.max(result.maxFrameBytes, joiner.maxFrameBytes);
        result.framesOverCap += joiner.oversizeFrames;
      }
    } finally {
      await pinger.stop();
      pinger.close();
    }
    for (const [from, to] of joinSpans) {
      for (const rtt of pinger.rtts(from - 20, to)) {
        result.maxPingDuringJoinMs = Math.max(result.maxPingDuringJoinMs || 0, rtt);
      }
    }
    result.join = summarize(result.joinMs);
  } catch (error) {
    result.skipped = `error: ${String(error)}`;
  } finally {
    await closeAll(clients);
    await waitForIdle(server.pid);
  }
  return result;
}

/** Sends world.join and resolves at the last sync chunk (or sync_complete for an empty world). */
async function timeJoin(
  joiner: RawClient,
  worldId: string,
): Promise<{ ms: number; chunks: number; ops: number; sentAt: number }> {
  joiner.maxFrameBytes = 0;
  joiner.oversizeFrames = 0;
  let chunks = 0;
  let ops = 0;
  const done = Promise.withResolvers<number>();
  joiner.onMessage = (message) => {
    if (message.type === "sync_complete") done.resolve(performance.now());
    if (message.type !== "sync_ops") return;
    chunks++;
    ops += Array.isArray(message.ops) ? message.ops.length : 0;
    if (message.chunk_index === Number(message.chunk_count) - 1) done.resolve(performance.now());
  };
  const sentAt = performance.now();
  joiner.send("world.join", { world_id: worldId });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const endedAt = await Promise.race([
    done.promise,
    new Promise<number>((_, reject) =>
      timer = setTimeout(() => reject(new Error("join sync did not finish in 30 s")), 30_000)
    ),
  ]).finally(() => clearTimeout(timer));
  joiner.onMessage = undefined;
  joiner.clearQueue();
  return { ms: endedAt - sentAt, chunks, ops, sentAt };
}
