/**
 * Builds: `spell.start_build` of the demo_spark fixture from several clients at once, each keeping at
 * most `buildsInFlightPerClient` builds in flight (the server's per-connection limit), while an idle
 * client, on its own thread, pings every 10 ms. Also the helper that builds and publishes the spell the fan-out casts.
 * @module
 */
import type { BenchPlan } from "../config.ts";
import {
  type BenchClient,
  closeAll,
  connectMany,
  type Message,
  Pinger,
  RawClient,
} from "../clients.ts";
import { CpuMeter, type TargetProcess } from "../procs.ts";
import { type LatencySummary, sleep, summarize } from "../stats.ts";

const DEMO_SPARK = new URL("../../tests/fixtures/spells/demo_spark.gd", import.meta.url);

/** The build code every bench build uses. */
export function demoSparkCode(): Promise<string> {
  return Deno.readTextFile(DEMO_SPARK);
}

/** Results of one server run with a given worker count. */
export interface BuildRun {
  workers: number;
  /** Which spell every build of the run built. */
  spell: string;
  /** Rounds of `builds / rounds` builds each, 100 ms apart. */
  rounds: number;
  builds: number;
  ok: number;
  failed: number;
  failures: string[];
  /** Successful builds / the summed time from each round's first request to its last done. */
  buildsPerSec: number;
  wallS: number;
  /** `spell.build_started` → `job.progress` done, under load (includes the wait in the queue). */
  buildMs: LatencySummary;
  /** First `job.progress` (a worker picked the job up) → done: the build itself. */
  execMs: LatencySummary;
  /** build_started → done for builds run one at a time before the burst. */
  unloadedMs: LatencySummary;
  /** Round trips of the idle client's `ping` during the burst. */
  pingMs: LatencySummary;
  pingsUnanswered: number;
  serverCpuPct: number;
}

/** Builds `spellId` from `code` and publishes it to beta; returns the revision id. */
export async function buildAndPublish(
  client: BenchClient,
  spellId: string,
  code: string,
): Promise<string> {
  const started = await client.request(
    "spell.start_build",
    { spell_id: spellId, code },
    "spell.build_started",
    30_000,
  );
  const jobId = started.job_id;
  for (let i = 0; i < 100; i++) {
    const progress = await client.next("job.progress", 30_000, (m) => m.job_id === jobId);
    if (progress.stage === "error") throw new Error(`build failed: ${String(progress.message)}`);
    if (progress.stage === "done") {
      const revisionId = String(progress.revision_id);
      const published = client.next(
        "spell.active_update",
        10_000,
        (m) => m.revision_id === revisionId,
      );
      client.send("spell.publish", { spell_id: spellId, revision_id: revisionId, channel: "beta" });
      await published;
      return revisionId;
    }
  }
  throw new Error("build never finished");
}

interface Track {
  requestedAt: number;
  startedAt?: number;
  runningAt?: number;
  doneAt?: number;
  ok?: boolean;
  message?: string;
  finished: PromiseWithResolvers<void>;
}

/** Follows builds by spell id (build_started) and job id (job.progress) on one client. */
class BuildTracker {
  #bySpell = new Map<string, Track>();
  #byJob = new Map<string, Track>();
  readonly tracks: Track[] = [];

  constructor(client: BenchClient) {
    client.onMessage = (message) => this.#receive(message);
  }

  /** Sends one build and resolves when it is done or failed (or after `timeoutMs`). */
  async run(client: BenchClient, spellId: string, code: string, timeoutMs: number): Promise<void> {
    const track: Track = { requestedAt: performance.now(), finished: Promise.withResolvers() };
    this.tracks.push(track);
    this.#bySpell.set(spellId, track);
    client.send("spell.start_build", { spell_id: spellId, code });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      track.finished.promise,
      new Promise<void>((resolve) =>
        timer = setTimeout(() => {
          track.ok ??= false;
          track.message ??= `no result within ${timeoutMs} ms`;
          resolve();
        }, timeoutMs)
      ),
    ]);
    clearTimeout(timer);
  }

  #receive(message: Message): void {
    const now = performance.now();
    if (message.type === "spell.build_started") {
      const track = this.#bySpell.get(String(message.spell_id));
      if (!track) return;
      track.startedAt = now;
      this.#byJob.set(String(message.job_id), track);
    } else if (message.type === "job.progress") {
      const track = this.#byJob.get(String(message.job_id));
      if (!track) return;
      track.runningAt ??= now;
      if (message.stage === "done" || message.stage === "error") {
        track.doneAt = now;
        track.ok = message.stage === "done";
        if (!track.ok) track.message = String(message.message);
        track.finished.resolve();
      }
    } else if (message.type === "error") {
      // A refused start_build (quota, queue full) fails the oldest build still waiting to start.
      const waiting = this.tracks.find((t) => t.startedAt === undefined && t.ok === undefined);
      if (waiting) {
        waiting.ok = false;
        waiting.message = String(message.message);
        waiting.finished.resolve();
      }
    }
  }
}

/** The idle client's ping period: ~100 samples per second of builds, enough for a real p99. */
const PING_EVERY_MS = 10;

/** One build run against a server started with `workers` build workers. */
export async function runBuilds(
  plan: BenchPlan,
  server: TargetProcess,
  workers: number,
  code: string,
  spell = "demo_spark.gd",
): Promise<BuildRun> {
  const clients: BenchClient[] = [];
  let pinger: Pinger | undefined;
  try {
    await connectMany("raw", server, plan.buildClients, 100, clients);
    const builders = clients;
    pinger = await Pinger.open(server.wsUrl);

    // Unloaded: a few builds one at a time from one client (warms the workers up, too).
    const warm = new BuildTracker(builders[0]!);
    for (let i = 0; i < 5; i++) {
      await warm.run(builders[0]!, `bench_w${workers}_warm_${i}`, code, 30_000);
    }
    const unloaded = durations(warm.tracks, "startedAt", "doneAt");
    // Each tracker takes over its client's onMessage, replacing the warm-up one.
    const trackers = builders.map((client) => new BuildTracker(client));

    pinger.start(PING_EVERY_MS);
    const cpu = new CpuMeter(server.pid);
    await cpu.start();
    const t0 = performance.now();
    let spanS = 0;
    for (let round = 0; round < plan.buildRounds; round++) {
      const roundStart = performance.now();
      const before = trackers.map((tracker) => tracker.tracks.length);
      await burst(plan, builders, trackers, `bench_w${workers}_r${round}`, code);
      const done = trackers.flatMap((tracker, c) => tracker.tracks.slice(before[c]))
        .filter((t) => t.ok).map((t) => t.doneAt!);
      if (done.length > 0) spanS += (Math.max(...done) - roundStart) / 1000;
      await sleep(100);
    }
    const wallS = (performance.now() - t0) / 1000;
    const { cpuS } = await cpu.stop();
    const pingsUnanswered = await pinger.stop();
    const tracks = trackers.flatMap((tracker) => tracker.tracks);
    const ok = tracks.filter((t) => t.ok);
    return {
      workers,
      spell,
      rounds: plan.buildRounds,
      builds: tracks.length,
      ok: ok.length,
      failed: tracks.length - ok.length,
      failures: [...new Set(tracks.filter((t) => !t.ok).map((t) => t.message ?? "?"))].slice(0, 5),
      buildsPerSec: spanS > 0 ? ok.length / spanS : NaN,
      wallS,
      buildMs: durations(ok, "startedAt", "doneAt"),
      execMs: durations(ok, "runningAt", "doneAt"),
      unloadedMs: unloaded,
      pingMs: summarize(pinger.rtts()),
      pingsUnanswered,
      serverCpuPct: (100 * cpuS) / wallS,
    };
  } finally {
    pinger?.close();
    await closeAll(clients);
  }
}

/** One round: `plan.builds` builds spread over the clients, each with a few in flight. */
async function burst(
  plan: BenchPlan,
  builders: BenchClient[],
  trackers: BuildTracker[],
  prefix: string,
  code: string,
): Promise<void> {
  let next = 0;
  const perClient = Math.ceil(plan.builds / builders.length);
  await Promise.all(builders.map((client, c) => {
    let mine = 0;
    const lane = async () => {
      while (mine < perClient && next < plan.builds) {
        mine++;
        await trackers[c]!.run(client, `${prefix}_${next++}`, code, 60_000);
      }
    };
    return Promise.all(Array.from({ length: plan.buildsInFlightPerClient }, lane));
  }));
}

function durations(tracks: Track[], from: keyof Track, to: keyof Track): LatencySummary {
  const values: number[] = [];
  for (const track of tracks) {
    const a = track[from];
    const b = track[to];
    if (typeof a === "number" && typeof b === "number") values.push(b - a);
  }
  return summarize(values);
}

/** Connects one raw client, builds and publishes the demo spell on the server, closes the client. */
export async function prepareCastSpell(
  server: TargetProcess,
  spellId: string,
  code: string,
): Promise<string> {
  const client = await RawClient.connect(server.wsUrl);
  try {
    return await buildAndPublish(client, spellId, code);
  } finally {
    await client.close();
  }
}
