// deno-lint-ignore-file no-console -- a measurement script reports to its terminal
/**
 * WAL bound under sustained writes: 30 (`--writers`) raw clients, each in its own world, append voxel ops at the
 * default per-connection rate limit (180 of the 200 ops/s) for `--seconds` (default 60) against the
 * real server (main.ts, default options unless `--env KEY=VALUE`). Samples the size of ugc.db-wal
 * every 20 ms and an idle client's ping (on its own thread) every 20 ms, and prints the WAL peak,
 * ops/s and ping percentiles as JSON. `deno run -A bench/storage/wal.ts [--seconds 60]`
 * @module
 */
import { join } from "node:path";
import { startOpWriters, walBytes } from "../../tests/helpers/op_writers.ts";
import { spawnServer } from "../../tests/helpers/subprocess_server.ts";
import { Pinger } from "../clients.ts";
import { percentile } from "../stats.ts";

const args = Deno.args;
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const seconds = option("--seconds", 60);
const writerCount = option("--writers", 30);
const env: Record<string, string> = {};
args.forEach((arg, i) => {
  if (arg === "--env") {
    const [key, value] = args[i + 1]!.split("=");
    env[key!] = value!;
  }
});

const dataDir = await Deno.makeTempDir({ prefix: "ugc-wal-bench-" });
const server = await spawnServer(dataDir, env);
const db = join(dataDir, "ugc.db");
const samples: number[] = [];
const sampler = setInterval(() => samples.push(walBytes(db)), 20);
const pinger = await Pinger.open(server.wsUrl);
try {
  const writers = await startOpWriters(server.wsUrl, { writers: writerCount, opsPerSecond: 180 });
  pinger.start(20);
  const started = performance.now();
  const applied0 = writers.applied;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  const applied = writers.applied - applied0;
  await pinger.stop();
  await writers.stop();
  const load = samples.slice();
  const pauseStart = performance.now();
  while (walBytes(db) > 0 && performance.now() - pauseStart < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const rtts = pinger.rtts().sort((a, b) => a - b);
  const sorted = load.slice().sort((a, b) => a - b);
  console.log(JSON.stringify(
    {
      seconds: Math.round(elapsed),
      writers: writerCount,
      env,
      ops_per_sec: Math.round(applied / elapsed),
      refused: writers.refused,
      wal_peak_mib: +(sorted.at(-1)! / 1048576).toFixed(1),
      wal_p99_mib: +(percentile(sorted, 99) / 1048576).toFixed(1),
      wal_median_mib: +(percentile(sorted, 50) / 1048576).toFixed(1),
      wal_zero_after_pause_ms: Math.round(performance.now() - pauseStart),
      idle_ping_ms: {
        p50: +percentile(rtts, 50).toFixed(1),
        p99: +percentile(rtts, 99).toFixed(1),
        max: +rtts.at(-1)!.toFixed(1),
      },
    },
    null,
    2,
  ));
} finally {
  clearInterval(sampler);
  pinger.close();
  server.child.kill("SIGTERM");
  await server.exited();
  await Deno.remove(dataDir, { recursive: true });
}
