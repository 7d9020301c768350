// deno-lint-ignore-file no-console -- the bench's command line: progress on stderr, report on stdout
/**
 * `deno task bench --only=cluster` (or `deno run -A bench/cluster.ts`): cluster mode's bench.
 * Starts a throwaway Postgres and Redis, then for 1, 2 and 3 server nodes in one run: a load
 * generator of several processes (bench/cluster_generator.ts) spreads clients over the nodes in one
 * world, a caster on node 1 sends stamped voxel ops (durable: each is committed in Postgres before
 * it is published), and the generators count deliveries and latency. Reported per node count:
 * deliveries/s, p50/p99, loss, every node's CPU and the generators' CPU, and the ratios to one node.
 * Then one hot world's durable ops/s written through 2 nodes. Writes bench/results/cluster-<ts>.json
 * and prints a Markdown table. Never fails on numbers.
 * @module
 */
import { connectPostgres } from "../src/storage/postgres/pg.ts";
import { pgStores } from "../src/storage/postgres/pg_stores.ts";
import { spawnServer } from "../tests/helpers/subprocess_server.ts";
import { startPostgres, startRedis } from "../tests/helpers/throwaway_services.ts";
import { closeAll, createWorld, joinWorld, RawClient } from "./clients.ts";
import { cpuSeconds, readClockTicks, setClockTicks } from "./procs.ts";
import { sleep } from "./stats.ts";

const flags = new Map(
  Deno.args.filter((arg) => arg.startsWith("--")).map((arg) => {
    const [name, value] = arg.slice(2).split("=");
    return [name!, value ?? "true"];
  }),
);
const quick = flags.has("quick");
const CLIENTS = Number(flags.get("clients") ?? (quick ? 60 : 300));
const RATE = Number(flags.get("rate") ?? 100);
const GENERATORS = Number(flags.get("generators") ?? 2);
const WARMUP_MS = quick ? 1000 : 3000;
const MEASURE_MS = quick ? 3000 : 10_000;
const NODE_COUNTS = (flags.get("nodes") ?? "1,2,3").split(",").map(Number);
const HOT_WRITERS = quick ? 4 : 10;
/** A run with any flag but --only is a partial one: its JSON is not committed (.gitignore). */
const partial = [...flags.keys()].some((name) => name !== "only");

const log = (line: string) => console.error(line);
const GENERATOR = new URL("./cluster_generator.ts", import.meta.url);

const NODE_ENV = {
  LOG_LEVEL: "info", // the "listening" line is how a started node is found
  RATE_LIMIT_PER_SECOND: "100000",
  RATE_LIMIT_BURST: "100000",
  MAX_CONNECTIONS_PER_ADDRESS: "100000",
  CONNECT_RATE_PER_ADDRESS: "100000",
  CONNECT_BURST_PER_ADDRESS: "100000",
  MAX_OPS_PER_WORLD: "100000000",
  MAX_STORED_BYTES_PER_ADDRESS: String(1024 ** 4),
  MAX_DATA_BYTES: String(1024 ** 4),
  OP_DEDUPE_MS: "0",
  BUILD_WORKERS: "1",
  ADMIN_TOKEN: "bench-cluster-admin-token-0123456789abcdef",
};

interface Node {
  pid: number;
  wsUrl: string;
  stop(): Promise<void>;
}

async function startNodes(count: number, env: Record<string, string>): Promise<Node[]> {
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    const dir = await Deno.makeTempDir({ prefix: "ugc-bench-node-" });
    const server = await spawnServer(dir, { ...NODE_ENV, ...env, NODE_ID: `bench${i + 1}` });
    nodes.push({
      pid: server.child.pid,
      wsUrl: server.wsUrl,
      stop: async () => {
        try {
          server.child.kill("SIGTERM");
        } catch {
          // gone
        }
        await server.exited();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    });
  }
  return nodes;
}

interface Generator {
  child: Deno.ChildProcess;
  lines: ReadableStreamDefaultReader<string>;
}

async function readLine(generator: Generator): Promise<Record<string, unknown>> {
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await generator.lines.read();
    if (done) throw new Error("generator exited early");
    text += value;
  }
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

interface FanoutRow {
  nodes: number;
  clients: number;
  rate: number;
  deliveriesPerSec: number;
  expectedPerSec: number;
  lossPct: number;
  p50Ms: number;
  p99Ms: number;
  nodeCpuPct: number[];
  generatorCpuPct: number;
  casterCpuPct: number;
  disconnects: number;
}

async function fanout(nodeCount: number, env: Record<string, string>): Promise<FanoutRow> {
  const nodes = await startNodes(nodeCount, env);
  const generators: Generator[] = [];
  let caster: RawClient | undefined;
  try {
    caster = await RawClient.connect(nodes[0]!.wsUrl);
    const worldId = await createWorld(caster, `bench ${nodeCount}`);
    await joinWorld(caster, worldId);
    const base = Date.now();
    const setupMs = 10_000 + CLIENTS * 20;
    const w0 = setupMs + WARMUP_MS;
    const w1 = w0 + MEASURE_MS;
    const urls = nodes.map((node) => node.wsUrl);
    for (let g = 0; g < GENERATORS; g++) {
      const share = Math.floor(CLIENTS / GENERATORS) + (g < CLIENTS % GENERATORS ? 1 : 0);
      // Each generator starts on a different node so clients spread evenly.
      const rotated = [...urls.slice(g % urls.length), ...urls.slice(0, g % urls.length)];
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          GENERATOR.pathname,
          String(base),
          String(w0),
          String(w1),
          worldId,
          String(share),
          ...rotated,
        ],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      generators.push({
        child,
        lines: child.stdout.pipeThrough(new TextDecoderStream()).getReader(),
      });
    }
    for (const generator of generators) await readLine(generator); // ready
    const now = () => Date.now() - base;
    if (now() > w0 - WARMUP_MS) log(`  (setup took ${now()} ms; the window starts late)`);
    await sleep(Math.max(0, w0 - WARMUP_MS - now()));
    // Warm-up and window: the caster sends RATE stamped ops per second.
    let sentInWindow = 0;
    let seq = 0;
    const cpu0 = new Map<number, number>();
    const pids = [...nodes.map((n) => n.pid), ...generators.map((g) => g.child.pid), Deno.pid];
    let windowStarted = false;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const at = now();
        if (at >= w1) {
          clearInterval(timer);
          resolve();
          return;
        }
        if (!windowStarted && at >= w0) {
          windowStarted = true;
          for (const pid of pids) cpuSeconds(pid).then((s) => cpu0.set(pid, s), () => {});
        }
        const due = Math.floor(((at - (w0 - WARMUP_MS)) / 1000) * RATE) - seq;
        for (let i = 0; i < due; i++) {
          const stamp = now();
          if (stamp >= w0 && stamp < w1) sentInWindow++;
          caster!.send("request_spell", {
            spell: {
              type: "create_land",
              center: { x: stamp, y: seq % 1_000_000, z: 0 },
              radius: 2,
              material_id: 1,
            },
          });
          seq++;
        }
      }, 5);
    });
    const cpu1 = new Map<number, number>();
    for (const pid of pids) cpu1.set(pid, await cpuSeconds(pid).catch(() => Number.NaN));
    const pct = (pid: number) =>
      (100 * (cpu1.get(pid)! - (cpu0.get(pid) ?? NaN))) / (MEASURE_MS / 1000);
    await sleep(1500); // drain
    const results = [];
    for (const generator of generators) {
      const writer = generator.child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("stop\n"));
      await writer.close();
      results.push(await readLine(generator));
      await generator.child.status;
    }
    const delivered = results.reduce((sum, r) => sum + (r.deliveredInWindow as number), 0);
    const stamped = results.reduce((sum, r) => sum + (r.stampedInWindow as number), 0);
    const expected = sentInWindow * CLIENTS;
    // p99 over all generators: the worst generator's p99 bounds it (each has a similar share).
    const p99 = Math.max(...results.map((r) => (r.latency as { p99: number }).p99));
    const p50 = results.reduce((s, r) => s + (r.latency as { p50: number }).p50, 0) /
      results.length;
    return {
      nodes: nodeCount,
      clients: CLIENTS,
      rate: RATE,
      deliveriesPerSec: Math.round(delivered / (MEASURE_MS / 1000)),
      expectedPerSec: Math.round(expected / (MEASURE_MS / 1000)),
      lossPct: expected === 0 ? 0 : Math.round(10000 * (1 - stamped / expected)) / 100,
      p50Ms: Math.round(p50 * 10) / 10,
      p99Ms: Math.round(p99 * 10) / 10,
      nodeCpuPct: nodes.map((n) => Math.round(pct(n.pid))),
      generatorCpuPct: Math.round(generators.reduce((s, g) => s + pct(g.child.pid), 0)),
      casterCpuPct: Math.round(pct(Deno.pid)),
      disconnects: results.reduce((sum, r) => sum + (r.disconnects as number), 0),
    };
  } finally {
    for (const generator of generators) {
      try {
        generator.child.kill("SIGKILL");
      } catch {
        // exited
      }
      await generator.child.status;
    }
    await caster?.close();
    for (const node of nodes) await node.stop();
  }
}

/** Writers on 2 nodes fill one world as fast as it takes; the world row's last_seq is the count. */
async function hotWorld(env: Record<string, string>, pgUrl: string) {
  const nodes = await startNodes(2, env);
  const writers: RawClient[] = [];
  const sql = connectPostgres(pgUrl, { max: 1 });
  try {
    const first = await RawClient.connect(nodes[0]!.wsUrl);
    writers.push(first);
    const worldId = await createWorld(first, "hot");
    for (let i = 1; i < HOT_WRITERS * 2; i++) {
      writers.push(await RawClient.connect(nodes[i % 2]!.wsUrl));
    }
    for (const writer of writers) await joinWorld(writer, worldId);
    let stop = false;
    let x = 0;
    // Closed loop: each writer keeps WINDOW of its own ops in flight (tagged with center.z, an op
    // counts as acknowledged when its echo comes back: the server broadcasts after the commit).
    const WINDOW = 32;
    const send = (writer: RawClient, index: number) => {
      writer.send("request_spell", {
        spell: { type: "create_land", center: { x: x++, y: 0, z: index }, radius: 2 },
      });
    };
    writers.forEach((writer, index) => {
      writer.onStamped("apply_op", (_stamp, tag) => {
        if (tag === index && !stop) send(writer, index);
      });
      for (let i = 0; i < WINDOW; i++) send(writer, index);
    });
    const lastSeq = async () =>
      Number(
        (await sql<{ s: string }[]>`SELECT last_seq AS s FROM worlds WHERE world_id = ${worldId}`)[
          0
        ]!.s,
      );
    await sleep(WARMUP_MS);
    const s0 = await lastSeq();
    const t0 = performance.now();
    const cpu0 = await Promise.all(nodes.map((n) => cpuSeconds(n.pid)));
    await sleep(MEASURE_MS);
    const s1 = await lastSeq();
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = await Promise.all(nodes.map((n) => cpuSeconds(n.pid)));
    stop = true;
    return {
      writers: writers.length,
      durableOpsPerSec: Math.round((s1 - s0) / seconds),
      nodeCpuPct: cpu1.map((c, i) => Math.round((100 * (c - cpu0[i]!)) / seconds)),
    };
  } finally {
    await closeAll(writers);
    await sql.end();
    for (const node of nodes) await node.stop();
  }
}

/**
 * The same hot world at the store level: two pools (two nodes' PgWorldStores) with 50 appends in
 * flight, no server around them — what the batched append statement itself sustains here.
 */
async function hotWorldStores(pgUrl: string) {
  const pools = [connectPostgres(pgUrl), connectPostgres(pgUrl)];
  try {
    const stores = pools.map((sql) => pgStores(sql).stores.worlds);
    const worldId = "world_5707e000";
    const at = new Date().toISOString();
    await stores[0]!.create({
      world_id: worldId,
      name: "hot (stores)",
      description: "",
      created_by: "",
      owner_id: "legacy",
      created_at: at,
      updated_at: at,
      last_active_at: "",
    });
    let appended = 0;
    let stop = false;
    const op = {
      op: "add_sphere" as const,
      center: { x: 1, y: 2, z: 3 },
      radius: 2,
      material_id: 1,
    };
    const worker = async (index: number) => {
      while (!stop) {
        await stores[index % 2]!.append(worldId, [op], at, 1e12);
        appended++;
      }
    };
    const started = performance.now();
    const workers = Array.from({ length: 50 }, (_, i) => worker(i));
    await sleep(MEASURE_MS / 2);
    stop = true;
    await Promise.all(workers);
    return {
      inFlight: 50,
      durableOpsPerSec: Math.round(appended / ((performance.now() - started) / 1000)),
    };
  } finally {
    for (const sql of pools) await sql.end();
  }
}

export async function runClusterBench(): Promise<void> {
  setClockTicks(await readClockTicks());
  log(
    `cluster bench: ${CLIENTS} clients, ${RATE} ops/s, ${GENERATORS} generator processes, ${navigator.hardwareConcurrency} CPUs`,
  );
  const pg = await startPostgres();
  const redis = await startRedis();
  try {
    const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url };
    const rows: FanoutRow[] = [];
    for (const count of NODE_COUNTS) {
      log(`fan-out on ${count} node(s)…`);
      const row = await fanout(count, env);
      log(`  ${JSON.stringify(row)}`);
      rows.push(row);
    }
    log("one hot world written through 2 nodes…");
    const hot = await hotWorld(env, pg.url);
    log(`  ${JSON.stringify(hot)}`);
    log("the same at the store level (two pools, no server)…");
    const hotStores = await hotWorldStores(pg.url);
    log(`  ${JSON.stringify(hotStores)}`);
    const one = rows.find((row) => row.nodes === 1);
    const table = [
      "| nodes | deliveries/s | × 1 node | expected/s | loss | p50 ms | p99 ms | p99 × 1 node | node CPU % | generator CPU % |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows.map((row) =>
        `| ${row.nodes} | ${row.deliveriesPerSec} | ${
          one ? (row.deliveriesPerSec / one.deliveriesPerSec).toFixed(2) : "-"
        } | ${row.expectedPerSec} | ${row.lossPct} % | ${row.p50Ms} | ${row.p99Ms} | ${
          one ? (row.p99Ms / one.p99Ms).toFixed(2) : "-"
        } | ${row.nodeCpuPct.join(" + ")} | ${row.generatorCpuPct} |`
      ),
      "",
      `One hot world, ${hot.writers} writers over 2 nodes: **${hot.durableOpsPerSec} durable ops/s** (node CPU ${
        hot.nodeCpuPct.join(" + ")
      } %). The same world at the store level (two pools, ${hotStores.inFlight} appends in flight, no server): **${hotStores.durableOpsPerSec} durable ops/s**.`,
      "",
      `Machine: ${navigator.hardwareConcurrency} CPUs; ${CLIENTS} clients in one world, ${RATE} ops/s, ${GENERATORS} generator processes; Postgres, Redis, nodes and generators share the machine.`,
    ].join("\n");
    console.log(table);
    await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
    const file = new URL(
      `./results/cluster-${new Date().toISOString().replace(/[:.]/g, "-")}${
        partial ? "-partial" : ""
      }.json`,
      import.meta.url,
    );
    await Deno.writeTextFile(
      file,
      JSON.stringify(
        { at: new Date().toISOString(), cpus: navigator.hardwareConcurrency, rows, hot },
        null,
        2,
      ),
    );
    log(`wrote ${file.pathname}`);
  } finally {
    await redis.stop();
    await pg.stop();
  }
}

if (import.meta.main) await runClusterBench();
