/**
 * Voxel-op ingest: clients pipeline `request_spell` as fast as the server acknowledges them. An op
 * counts as acknowledged when its sender receives the `apply_op` echo of it (the server broadcasts
 * only after the SQLite commit). Each client tags its ops with `center.z` to recognise its own.
 * Also the pipelined filler the join-sync scenario uses.
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
import { CpuMeter, OtherCpuMeter, type TargetProcess, waitForIdle } from "../procs.ts";
import { benchNow, type LatencySummary, Samples, sleep, summarize, waitUntil } from "../stats.ts";

/** One ingest measurement. */
export interface IngestResult {
  /** "own world each": no fan-out; "one shared world": every op is echoed to all clients. */
  layout: "own world each" | "one shared world";
  clients: number;
  window: number;
  measureS: number;
  acked: number;
  ackedOpsPerSec: number;
  /** Send → own echo. */
  ackLatencyMs: LatencySummary;
  serverCpuUsPerOp: number;
  serverCpuPct: number;
  generatorCpuPct: number;
  /** CPU used by everything else on the machine during the window, % of one core (noise). */
  otherCpuPct: number;
  errors: number;
  errorSamples: string[];
  disconnects: number;
  /** Round trips of an idle client's ping (every 20 ms) during the window. */
  idlePingMs: LatencySummary;
}

function opFrame(stamp: number, seq: number, tag: number): string {
  return `{"type":"request_spell","spell":{"type":"create_land","center":{"x":${stamp},"y":${
    seq % 1_000_000
  },"z":${tag}},"radius":2,"material_id":1}}`;
}

/** Per-client pipelining state. */
export interface Pipeline {
  sent: number;
  acked: number;
  /** Stop sending new ops (outstanding ones still get acknowledged). */
  stop(): void;
}

/**
 * Starts pipelining on `client`: keeps `window` own ops unacknowledged, up to `limit` ops in all.
 * `onAck(stamp)` runs for each own echo.
 */
export function startPipeline(
  client: BenchClient,
  tag: number,
  window: number,
  limit: number,
  onAck: (stamp: number) => void = () => {},
): Pipeline {
  if (!(client instanceof RawClient)) throw new Error("pipelining uses raw clients");
  let stopped = false;
  const state: Pipeline = {
    sent: 0,
    acked: 0,
    stop: () => stopped = true,
  };
  const topUp = () => {
    while (!stopped && state.sent < limit && state.sent - state.acked < window) {
      client.sendFrame(opFrame(benchNow(), state.sent, tag));
      state.sent++;
    }
  };
  client.onStamped("apply_op", (stamp, echoedTag) => {
    if (echoedTag !== tag) return;
    state.acked++;
    onAck(stamp);
    topUp();
  });
  topUp();
  return state;
}

/** Runs one ingest measurement on a fresh set of clients and worlds. */
export async function runIngest(
  plan: BenchPlan,
  server: TargetProcess,
  layout: IngestResult["layout"],
): Promise<IngestResult> {
  const clients: BenchClient[] = [];
  let pinger: Pinger | undefined;
  try {
    await connectMany("raw", server, plan.ingestClients, 100, clients);
    pinger = await Pinger.open(server.wsUrl);
    return await measure(plan, server, layout, clients, pinger);
  } finally {
    pinger?.close();
    await closeAll(clients);
    await waitForIdle(server.pid);
  }
}

async function measure(
  plan: BenchPlan,
  server: TargetProcess,
  layout: IngestResult["layout"],
  clients: BenchClient[],
  pinger: Pinger,
): Promise<IngestResult> {
  const shared = layout === "one shared world"
    ? await createWorld(clients[0]!, `ingest shared`)
    : undefined;
  for (const [i, client] of clients.entries()) {
    await joinWorld(client, shared ?? await createWorld(client, `ingest ${i}`));
  }
  await sleep(200);
  const start = benchNow();
  const w0 = start + plan.ingestWarmupMs;
  const w1 = w0 + plan.ingestMeasureMs;
  const samples = new Samples(400_000);
  let ackedInWindow = 0;
  const errorsBefore = clients.reduce((sum, c) => sum + c.errors.total, 0);
  const pipelines = clients.map((client, i) =>
    startPipeline(client, i + 1, plan.pipelineWindow, Number.MAX_SAFE_INTEGER, (stamp) => {
      const now = benchNow();
      if (now >= w0 && now < w1) {
        ackedInWindow++;
        samples.add(now - stamp);
      }
    })
  );
  await sleep(w0 - benchNow());
  const serverCpu = new CpuMeter(server.pid);
  const ownCpu = new CpuMeter(Deno.pid);
  const otherCpu = new OtherCpuMeter([server.pid, Deno.pid]);
  await Promise.all([serverCpu.start(), ownCpu.start(), otherCpu.start()]);
  const pingFrom = performance.now();
  pinger.start(20);
  await sleep(Math.max(0, w1 - benchNow()));
  const [cpu, own, otherCpuPct] = await Promise.all([
    serverCpu.stop(),
    ownCpu.stop(),
    otherCpu.stop(),
  ]);
  for (const pipeline of pipelines) pipeline.stop();
  await pinger.stop();
  await waitUntil(() => pipelines.every((p) => p.acked === p.sent), 10_000);
  for (const client of clients) client.onStamped(undefined);
  const measureS = plan.ingestMeasureMs / 1000;
  const errors = clients.reduce((sum, c) => sum + c.errors.total, 0) - errorsBefore;
  return {
    layout,
    clients: clients.length,
    window: plan.pipelineWindow,
    measureS,
    acked: ackedInWindow,
    ackedOpsPerSec: ackedInWindow / measureS,
    ackLatencyMs: samples.summary(),
    serverCpuUsPerOp: (cpu.cpuS * 1e6) / ackedInWindow,
    serverCpuPct: (100 * cpu.cpuS) / cpu.wallS,
    generatorCpuPct: (100 * own.cpuS) / cpu.wallS,
    otherCpuPct,
    errors,
    errorSamples: [...new Set(clients.flatMap((c) => c.errors.samples))].slice(0, 3),
    disconnects: clients.filter((c) => c.droppedByPeer).length,
    idlePingMs: summarize(pinger.rtts(pingFrom)),
  };
}
