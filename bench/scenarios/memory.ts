/**
 * Memory: resident set size of a target with `a` and then `b` idle raw connections (connected, in no
 * world). The cost of one idle connection is (RSS_b − RSS_a) / (b − a).
 * @module
 */
import { type BenchClient, closeAll, connectMany } from "../clients.ts";
import { rssKiB, type TargetName, type TargetProcess, waitForIdle } from "../procs.ts";
import { sleep } from "../stats.ts";

/** RSS of one target at 0, a and b idle connections. */
export interface MemoryResult {
  target: TargetName;
  counts: [number, number];
  idleRssKiB: number;
  rssKiB: [number, number];
  perConnectionKiB: number;
  /** Connections the target dropped while idle. */
  dropped: number;
}

/** The RSS once the process is idle: the median of three readings 300 ms apart. */
async function settledRss(pid: number): Promise<number> {
  await waitForIdle(pid, 5, 300, 10_000);
  const readings: number[] = [];
  for (let i = 0; i < 3; i++) {
    readings.push(await rssKiB(pid));
    await sleep(300);
  }
  return readings.sort((x, y) => x - y)[1]!;
}

/** Opens `counts[0]` then up to `counts[1]` idle raw connections to `target`, in batches. */
export async function runMemory(
  target: TargetProcess,
  counts: [number, number],
): Promise<MemoryResult> {
  const clients: BenchClient[] = [];
  try {
    const idle = await settledRss(target.pid);
    await connectMany("raw", target, counts[0], 250, clients);
    const first = await settledRss(target.pid);
    await connectMany("raw", target, counts[1] - counts[0], 250, clients);
    const second = await settledRss(target.pid);
    return {
      target: target.name,
      counts,
      idleRssKiB: idle,
      rssKiB: [first, second],
      perConnectionKiB: (second - first) / (counts[1] - counts[0]),
      dropped: clients.filter((client) => client.droppedByPeer).length,
    };
  } finally {
    await closeAll(clients);
    await waitForIdle(target.pid);
  }
}
