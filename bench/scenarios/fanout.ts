/**
 * Fan-out: N clients in one world, one of them (the caster) sends R stamped messages per second —
 * `spell.cast_request` (mode "cast") or `request_spell` voxel ops (mode "op") — and every member,
 * the caster included, receives each broadcast. Latency is receive time minus the stamp in the
 * message; loss counts the messages sent in the measured window that never reached a member.
 * @module
 */
import type { BenchPlan } from "../config.ts";
import {
  type BenchClient,
  closeAll,
  connectMany,
  createWorld,
  joinWorld,
  RawClient,
  type StampedEvent,
  type Transport,
} from "../clients.ts";
import {
  CpuMeter,
  OtherCpuMeter,
  rssKiB,
  type TargetName,
  type TargetProcess,
  waitForIdle,
} from "../procs.ts";
import { benchNow, type Budget, type LatencySummary, round, Samples, sleep } from "../stats.ts";

/** What a fan-out message is. */
export type FanoutMode = "cast" | "op";

/** One cell of the matrix. */
export interface FanoutCell {
  target: TargetName;
  transport: Transport;
  mode: FanoutMode;
  clients: number;
  rate: number;
  /** Why the cell was not measured (trimmed matrix, time budget, connect failure). */
  skipped?: string;
  /** Messages the caster sent whose stamp falls in the measured window. */
  sent: number;
  /** sent × clients. */
  expected: number;
  /** Deliveries of those messages that arrived before the drain ended. */
  received: number;
  lost: number;
  lossPct: number;
  /** Every delivery received during the measured window, per second. */
  deliveriesPerSec: number;
  latencyMs: LatencySummary;
  serverCpuUsPerDelivery: number;
  /** Server CPU use during the window, % of one core. */
  serverCpuPct: number;
  serverRssMiB: number;
  /** The load generator's own CPU use during the window, % of one core (near 100 = saturated). */
  generatorCpuPct: number;
  /** CPU used by everything else on the machine during the window, % of one core (noise). */
  otherCpuPct: number;
  /** Error replies the caster got (rate limited, rejected…). */
  casterErrors: number;
  /** Members whose connection the server closed during the cell. */
  disconnects: number;
}

/** The spell casts refer to: a real published revision on the server, anything on the baseline. */
export interface CastSpell {
  spellId: string;
  revisionId: string;
}

/** Inputs of the whole fan-out matrix. */
export interface FanoutOptions {
  plan: BenchPlan;
  server: TargetProcess;
  baseline: TargetProcess;
  /** The node:http + ws wiring alone, measured only where the targets are (N=200 and 500, R=100). */
  wiring?: TargetProcess;
  spell: CastSpell;
  budget: Budget;
  /** Progress lines for the operator. */
  progress: (line: string) => void;
}

/** A cell ends once no broadcast arrived for this long (bounded by SETTLE_MAX_MS). */
const SETTLE_QUIET_MS = 400;
const SETTLE_MAX_MS = 15_000;

const EMPTY_LATENCY: LatencySummary = { count: 0, p50: NaN, p99: NaN, max: NaN };

/** Runs the matrix, N by N, each N against server/raw, server/Socket.IO and baseline/raw. */
export async function runFanout(options: FanoutOptions): Promise<FanoutCell[]> {
  const { plan, server, baseline } = options;
  const cells: FanoutCell[] = [];
  const targets: [TargetProcess, Transport][] = [
    [server, "raw"],
    [server, "sio"],
    [baseline, "raw"],
  ];
  for (const clients of plan.fanoutClients) {
    for (const [target, transport] of targets) {
      cells.push(...await runGroup(options, target, transport, clients, plan.fanoutRates));
    }
    if (options.wiring && WIRING_CLIENTS.includes(clients) && plan.fanoutRates.includes(100)) {
      cells.push(...await runGroup(options, options.wiring, "raw", clients, [100]));
    }
  }
  return cells;
}

/** Where the wiring reference is measured: the cells the CPU targets are about. */
const WIRING_CLIENTS = [200, 500];

function skippedCell(
  target: TargetProcess,
  transport: Transport,
  mode: FanoutMode,
  clients: number,
  rate: number,
  reason: string,
): FanoutCell {
  return {
    target: target.name,
    transport,
    mode,
    clients,
    rate,
    skipped: reason,
    sent: 0,
    expected: 0,
    received: 0,
    lost: 0,
    lossPct: NaN,
    deliveriesPerSec: NaN,
    latencyMs: EMPTY_LATENCY,
    serverCpuUsPerDelivery: NaN,
    serverCpuPct: NaN,
    serverRssMiB: NaN,
    generatorCpuPct: NaN,
    otherCpuPct: NaN,
    casterErrors: 0,
    disconnects: 0,
  };
}

/** One target × transport × N: connect, join one world, run every (mode, R) cell, disconnect. */
async function runGroup(
  options: FanoutOptions,
  target: TargetProcess,
  transport: Transport,
  n: number,
  rates: number[],
): Promise<FanoutCell[]> {
  const { plan, budget, progress } = options;
  const wanted: [FanoutMode, number][] = [];
  for (const mode of ["cast", "op"] as const) {
    for (const rate of rates) wanted.push([mode, rate]);
  }
  const cells: FanoutCell[] = [];
  const cellMs = plan.warmupMs + plan.measureMs + 1500;
  if (budget.remainingMs < cellMs * 2 + 10_000) {
    return wanted.map(([mode, rate]) =>
      skippedCell(target, transport, mode, n, rate, "time budget")
    );
  }
  const clients: BenchClient[] = [];
  try {
    // The world exists before the members connect, so its world.list_updated reaches one client.
    const control = await RawClient.connect(target.wsUrl);
    const worldId = await createWorld(control, `fanout ${transport} ${n}`).finally(() =>
      control.close()
    );
    const connectStart = performance.now();
    await connectMany(transport, target, n, 100, clients);
    for (let i = 0; i < clients.length; i += 100) {
      await Promise.all(clients.slice(i, i + 100).map((client) => joinWorld(client, worldId)));
    }
    progress(
      `  ${target.name}/${transport} N=${n}: ${n} joined in ${
        Math.round(performance.now() - connectStart)
      } ms`,
    );
    await sleep(300);
    for (const client of clients) client.clearQueue();
    for (const [mode, rate] of wanted) {
      if (plan.skipCell(n, rate)) {
        cells.push(skippedCell(target, transport, mode, n, rate, "trimmed"));
      } else if (budget.remainingMs < cellMs + 5_000) {
        cells.push(skippedCell(target, transport, mode, n, rate, "time budget"));
      } else {
        const cell = await runCell(options, target, transport, clients, mode, rate);
        cells.push(cell);
        progress(
          `    ${mode} R=${rate}: ${Math.round(cell.deliveriesPerSec)} deliveries/s, p50 ${
            round(cell.latencyMs.p50)
          } p99 ${round(cell.latencyMs.p99)} ms, loss ${cell.lost}, ${
            round(cell.serverCpuUsPerDelivery)
          } µs CPU/delivery, gen CPU ${Math.round(cell.generatorCpuPct)}%, other CPU ${
            Math.round(cell.otherCpuPct)
          }%`,
        );
        await sleep(300);
      }
    }
  } catch (error) {
    progress(`  ${target.name}/${transport} N=${n} failed: ${String(error)}`);
    const done = new Set(cells.map((cell) => `${cell.mode}/${cell.rate}`));
    for (const [mode, rate] of wanted) {
      if (!done.has(`${mode}/${rate}`)) {
        cells.push(skippedCell(target, transport, mode, n, rate, `error: ${String(error)}`));
      }
    }
  } finally {
    await closeAll(clients);
    // A saturated target may still be writing to the closed sockets: the next group waits for it.
    await waitForIdle(target.pid);
  }
  return cells;
}

/** Sends at `rate`/s for warm-up + measure, then waits for stragglers and tallies. */
async function runCell(
  options: FanoutOptions,
  target: TargetProcess,
  transport: Transport,
  clients: BenchClient[],
  mode: FanoutMode,
  rate: number,
): Promise<FanoutCell> {
  const { plan, spell } = options;
  const n = clients.length;
  const caster = clients[0]!;
  const event: StampedEvent = mode === "cast" ? "spell.cast_event" : "apply_op";
  const start = benchNow();
  const w0 = start + plan.warmupMs;
  const w1 = w0 + plan.measureMs;
  const samples = new Samples((rate * (plan.measureMs / 1000) * 1.2 + 20) * n);
  let receivedAny = 0;
  let receivedInWindow = 0;
  let deliveredDuringWindow = 0;
  const onStamp = (stamp: number) => {
    const now = benchNow();
    receivedAny++;
    if (now >= w0 && now < w1) deliveredDuringWindow++;
    if (stamp >= w0 && stamp < w1) {
      receivedInWindow++;
      samples.add(now - stamp);
    }
  };
  for (const client of clients) client.onStamped(event, onStamp);
  const errorsBefore = caster.errors.total;
  const serverCpu = new CpuMeter(target.pid);
  const ownCpu = new CpuMeter(Deno.pid);
  const otherCpu = new OtherCpuMeter([target.pid, Deno.pid]);
  let windowCpu:
    | { server: { cpuS: number; wallS: number }; own: { cpuS: number }; otherPct: number }
    | undefined;
  const meters = (async () => {
    await sleep(Math.max(0, w0 - benchNow()));
    await Promise.all([serverCpu.start(), ownCpu.start(), otherCpu.start()]);
    await sleep(Math.max(0, w1 - benchNow()));
    const [server, own, otherPct] = await Promise.all([
      serverCpu.stop(),
      ownCpu.stop(),
      otherCpu.stop(),
    ]);
    windowCpu = { server, own, otherPct };
  })();

  let sent = 0;
  let sentInWindow = 0;
  const send = () => {
    const stamp = benchNow();
    if (stamp >= w0 && stamp < w1) sentInWindow++;
    if (mode === "cast") {
      caster.send("spell.cast_request", {
        spell_id: spell.spellId,
        revision_id: spell.revisionId,
        cast_params: { t: stamp, seq: sent },
      });
    } else {
      caster.send("request_spell", {
        spell: {
          type: "create_land",
          center: { x: stamp, y: sent % 1_000_000, z: 0 },
          radius: 2,
          material_id: 1,
        },
      });
    }
    sent++;
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = benchNow();
      if (now >= w1) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor(((now - start) / 1000) * rate);
      for (let burst = 0; sent < due && burst < 200; burst++) send();
    }, 2);
  });
  await meters;

  // Drain: until every expected delivery arrived, nothing arrived for drainIdleMs, or drainMaxMs.
  const expected = sentInWindow * n;
  const drainEnd = performance.now() + plan.drainMaxMs;
  let last = receivedAny;
  let lastChange = performance.now();
  while (receivedInWindow < expected && performance.now() < drainEnd) {
    await sleep(25);
    if (receivedAny !== last) {
      last = receivedAny;
      lastChange = performance.now();
    } else if (performance.now() - lastChange >= plan.drainIdleMs) break;
  }
  // Settle: let any backlog finish arriving so it cannot leak into the next cell.
  const settleEnd = performance.now() + SETTLE_MAX_MS;
  while (performance.now() < settleEnd) {
    const before = receivedAny;
    await sleep(SETTLE_QUIET_MS);
    if (receivedAny === before) break;
  }
  for (const client of clients) client.onStamped(undefined);
  const rss = await rssKiB(target.pid).catch(() => NaN);
  const cpu = windowCpu!;
  const windowS = plan.measureMs / 1000;
  const lost = Math.max(0, expected - receivedInWindow);
  return {
    target: target.name,
    transport,
    mode,
    clients: n,
    rate,
    sent: sentInWindow,
    expected,
    received: receivedInWindow,
    lost,
    lossPct: expected > 0 ? (100 * lost) / expected : NaN,
    deliveriesPerSec: deliveredDuringWindow / windowS,
    latencyMs: samples.summary(),
    serverCpuUsPerDelivery: deliveredDuringWindow > 0
      ? (cpu.server.cpuS * 1e6) / deliveredDuringWindow
      : NaN,
    serverCpuPct: (100 * cpu.server.cpuS) / cpu.server.wallS,
    serverRssMiB: rss / 1024,
    generatorCpuPct: (100 * cpu.own.cpuS) / cpu.server.wallS,
    otherCpuPct: cpu.otherPct,
    casterErrors: caster.errors.total - errorsBefore,
    disconnects: clients.filter((client) => client.droppedByPeer).length,
  };
}
