/**
 * Turns a run's results into the Markdown report (tables, ratios against the baseline, targets) and
 * a dependency-free SVG chart of p99 latency and deliveries/s against N.
 * @module
 */
import type { LimitSetting } from "./config.ts";
import type { BuildRun } from "./scenarios/builds.ts";
import type { VerifyRun } from "./scenarios/verify.ts";
import type { FanoutCell, FanoutMode } from "./scenarios/fanout.ts";
import type { IngestResult } from "./scenarios/ingest.ts";
import type { JoinSyncResult } from "./scenarios/join_sync.ts";
import type { MemoryResult } from "./scenarios/memory.ts";

/** Everything one `deno task bench` run measured; written as JSON under bench/results/. */
export interface RunResult {
  command: string;
  quick: boolean;
  startedAt: string;
  finishedAt: string;
  totalS: number;
  machine: {
    cpus: number;
    clockTicks: number;
    openFileLimit: number;
    deno: string;
    v8: string;
    loadAvgAtStart: number[];
    /** CPU other processes used in the second before the run, % of one core. */
    otherCpuPctAtStart?: number;
  };
  limits: readonly LimitSetting[];
  /** What was trimmed or skipped, and why. */
  trimmed: string[];
  fanout: FanoutCell[];
  joinSync: JoinSyncResult[];
  ingest: IngestResult[];
  builds: BuildRun[];
  verification: VerifyRun | null;
  memory: MemoryResult[];
  /** Scenario failures and other remarks. */
  notes: string[];
  targets?: TargetRow[];
}

/** One target of the issue: never asserted, only reported. */
export interface TargetRow {
  target: string;
  measured: string;
  /** null when it could not be measured. */
  met: boolean | null;
  /** A reference figure, not a target of the issue: reported as "info". */
  informational?: true;
}

const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    })
    : "–";
const int = (value: number): string => fmt(value, 0);
const ratio = (server: number, baseline: number): number =>
  Number.isFinite(server) && Number.isFinite(baseline) && baseline > 0 ? server / baseline : NaN;
const times = (value: number): string => (Number.isFinite(value) ? `${fmt(value, 2)}×` : "–");
const transportName = (cell: { target: string; transport: string }): string =>
  cell.target === "baseline"
    ? "baseline"
    : cell.target === "wiring"
    ? "wiring"
    : cell.transport === "raw"
    ? "raw WS"
    : "Socket.IO";

/** A Markdown table whose columns are padded the way `deno fmt` pads them. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) =>
    Math.max(3, header.length, ...rows.map((row) => (row[i] ?? "").length))
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(headers),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map((row) => line(headers.map((_, i) => row[i] ?? ""))),
  ].join("\n");
}

function baselineFor(
  cells: FanoutCell[],
  cell: FanoutCell,
  reference: "baseline" | "wiring" = "baseline",
): FanoutCell | undefined {
  return cells.find((other) =>
    other.target === reference && other.mode === cell.mode && other.clients === cell.clients &&
    other.rate === cell.rate && !other.skipped
  );
}

function findCell(
  cells: FanoutCell[],
  transport: "raw" | "sio",
  mode: FanoutMode,
  clients: number,
  rate: number,
): FanoutCell | undefined {
  return cells.find((cell) =>
    cell.target === "server" && cell.transport === transport && cell.mode === mode &&
    cell.clients === clients && cell.rate === rate && !cell.skipped
  );
}

/** Every target of the issue with the measured value; nothing here fails the run. */
export function evaluateTargets(result: RunResult): TargetRow[] {
  const rows: TargetRow[] = [];
  const cells = result.fanout;
  for (const [transport, limit] of [["raw", 1.25], ["sio", 2]] as const) {
    for (const clients of [200, 500]) {
      for (const mode of ["cast", "op"] as const) {
        const cell = findCell(cells, transport, mode, clients, 100);
        const base = cell && baselineFor(cells, cell);
        const r = cell && base
          ? ratio(cell.serverCpuUsPerDelivery, base.serverCpuUsPerDelivery)
          : NaN;
        rows.push({
          target: `${transportName({ target: "server", transport })} CPU/delivery ≤ ${limit}× ` +
            `baseline, N=${clients}, R=100 ${mode}s`,
          measured: cell && base
            ? `${times(r)} (${fmt(cell.serverCpuUsPerDelivery, 2)} vs ${
              fmt(base.serverCpuUsPerDelivery, 2)
            } µs)`
            : "not measured",
          met: Number.isFinite(r) ? r <= limit : null,
        });
      }
    }
  }
  // Not a target: how the mandated node:http + ws wiring alone compares, and the server against it.
  for (const clients of [200, 500]) {
    for (const mode of ["cast", "op"] as const) {
      const cell = findCell(cells, "raw", mode, clients, 100);
      const wiring = cell && baselineFor(cells, cell, "wiring");
      const base = cell && baselineFor(cells, cell);
      if (!cell || !wiring || !base) continue;
      rows.push({
        target:
          `(reference) wiring alone / baseline, and raw WS / wiring, N=${clients}, R=100 ${mode}s`,
        measured: `${times(ratio(wiring.serverCpuUsPerDelivery, base.serverCpuUsPerDelivery))}, ${
          times(ratio(cell.serverCpuUsPerDelivery, wiring.serverCpuUsPerDelivery))
        } (${fmt(wiring.serverCpuUsPerDelivery, 2)} µs)`,
        met: null,
        informational: true,
      });
    }
  }
  for (const transport of ["raw", "sio"] as const) {
    for (const mode of ["op", "cast"] as const) {
      const cell = findCell(cells, transport, mode, 500, 100);
      const base = cell && baselineFor(cells, cell);
      const name = transportName({ target: "server", transport });
      const what = mode === "op" ? "voxel ops" : "casts";
      rows.push({
        target: `${name} zero loss, 500 clients × 100 ${what}/s`,
        measured: cell ? `${int(cell.lost)} lost of ${int(cell.expected)}` : "not measured",
        met: cell ? cell.lost === 0 : null,
      });
      const r = cell && base ? ratio(cell.latencyMs.p99, base.latencyMs.p99) : NaN;
      rows.push({
        target: `${name} p99 ≤ 2× baseline, 500 clients × 100 ${what}/s`,
        measured: cell && base
          ? `${times(r)} (${fmt(cell.latencyMs.p99, 1)} vs ${fmt(base.latencyMs.p99, 1)} ms)`
          : "not measured",
        met: Number.isFinite(r) ? r <= 2 : null,
      });
    }
  }
  const ingest = result.ingest.find((run) => run.layout === "own world each");
  rows.push({
    target: "ingest ≥ 10,000 acked ops/s from 10 clients",
    measured: ingest
      ? `${int(ingest.ackedOpsPerSec)} ops/s (own world each; shared world: ${
        int(result.ingest.find((run) => run.layout === "one shared world")?.ackedOpsPerSec ?? NaN)
      })`
      : "not measured",
    met: ingest ? ingest.ackedOpsPerSec >= 10_000 : null,
  });
  const sync = result.joinSync.find((run) => run.ops === 100_000 && run.joinMs.length > 0);
  rows.push({
    target: "join sync of 100k ops < 1 s",
    measured: sync
      ? `median ${int(sync.join.p50)} ms, max ${
        int(sync.join.max)
      } ms (${sync.joinMs.length} joins)`
      : "not measured",
    met: sync ? sync.join.p50 < 1000 : null,
  });
  const frames = result.joinSync.filter((run) => run.joinMs.length > 0);
  rows.push({
    target: "every sync frame ≤ 65,535 bytes",
    measured: frames.length > 0
      ? `largest ${int(Math.max(...frames.map((run) => run.maxFrameBytes)))} B, ${
        frames.reduce((sum, run) => sum + run.framesOverCap, 0)
      } over`
      : "not measured",
    met: frames.length > 0 ? frames.every((run) => run.framesOverCap === 0) : null,
  });
  const verification = result.verification;
  rows.push({
    target: "verification of a 48,000-byte spell ≤ 20 ms p50 in the worker",
    measured: verification
      ? `${fmt(verification.totalMs.p50)} ms p50 (parse ${fmt(verification.parseMs.p50)} ms), ` +
        `p99 ${fmt(verification.totalMs.p99)} ms, first ${fmt(verification.firstMs)} ms`
      : "not measured",
    met: verification ? verification.ok && verification.totalMs.p50 <= 20 : null,
  });
  const two = result.builds.find((run) => run.workers === 2 && run.spell === "demo_spark.gd");
  rows.push({
    target: "build p50 < 50 ms with 2 workers (build_started → done)",
    measured: two
      ? `${fmt(two.buildMs.p50)} ms under load (build itself ${fmt(two.execMs.p50)} ms)`
      : "not measured",
    met: two ? two.buildMs.p50 < 50 : null,
  });
  rows.push({
    target: "≥ 50 builds/s with 2 workers",
    measured: two ? `${fmt(two.buildsPerSec)} builds/s` : "not measured",
    met: two ? two.buildsPerSec >= 50 : null,
  });
  const large = result.builds.find((run) => run.spell !== "demo_spark.gd");
  if (large) {
    rows.push({
      target: `builds of the ${large.spell} with ${large.workers} workers`,
      measured: `${fmt(large.buildsPerSec)} builds/s, p50 ${fmt(large.buildMs.p50)} ms ` +
        `(build itself ${fmt(large.execMs.p50)} ms)`,
      met: large.ok > 0 ? large.buildMs.p50 < 50 && large.buildsPerSec >= 50 : null,
      informational: true,
    });
  }
  for (const run of result.builds) {
    rows.push({
      target: `idle ping p99 < 20 ms during builds (${run.workers} worker${
        run.workers > 1 ? "s" : ""
      }, ${run.spell})`,
      measured: `${fmt(run.pingMs.p99)} ms (${run.pingMs.count} pings, max ${
        fmt(run.pingMs.max)
      } ms)`,
      met: run.pingMs.count > 0 ? run.pingMs.p99 < 20 : null,
    });
  }
  const memory = result.memory.find((run) => run.target === "server");
  rows.push({
    target: "< 40 KiB RSS per idle raw connection",
    measured: memory ? `${fmt(memory.perConnectionKiB)} KiB` : "not measured",
    met: memory ? memory.perConnectionKiB < 40 : null,
  });
  return rows;
}

function fanoutTable(cells: FanoutCell[]): string {
  const rows: string[][] = [];
  const order = (cell: FanoutCell) =>
    `${cell.mode}|${String(cell.clients).padStart(5)}|${String(cell.rate).padStart(4)}|${
      cell.target === "baseline"
        ? 2
        : cell.target === "wiring"
        ? 3
        : cell.transport === "raw"
        ? 0
        : 1
    }`;
  for (const cell of [...cells].sort((a, b) => order(a).localeCompare(order(b)))) {
    const base = cell.target === "baseline" ? undefined : baselineFor(cells, cell);
    if (cell.skipped) {
      rows.push([
        cell.mode,
        String(cell.clients),
        String(cell.rate),
        transportName(cell),
        `skipped: ${cell.skipped.slice(0, 60)}`,
      ]);
      continue;
    }
    rows.push([
      cell.mode,
      String(cell.clients),
      String(cell.rate),
      transportName(cell),
      int(cell.deliveriesPerSec),
      fmt(cell.latencyMs.p50, 2),
      fmt(cell.latencyMs.p99, 2),
      fmt(cell.latencyMs.max, 1),
      `${int(cell.lost)} (${fmt(cell.lossPct, 2)}%)`,
      fmt(cell.serverCpuUsPerDelivery, 2),
      base ? times(ratio(cell.serverCpuUsPerDelivery, base.serverCpuUsPerDelivery)) : "",
      base ? times(ratio(cell.latencyMs.p99, base.latencyMs.p99)) : "",
      base ? times(ratio(cell.deliveriesPerSec, base.deliveriesPerSec)) : "",
      fmt(cell.serverRssMiB, 0),
      int(cell.generatorCpuPct),
      int(cell.otherCpuPct),
      cell.casterErrors + cell.disconnects > 0 ? `${cell.casterErrors}/${cell.disconnects}` : "",
    ]);
  }
  return table(
    [
      "mode",
      "N",
      "R/s",
      "target",
      "deliveries/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "lost",
      "CPU µs/delivery",
      "CPU ratio",
      "p99 ratio",
      "deliv. ratio",
      "RSS MiB",
      "gen CPU %",
      "other CPU %",
      "err/disc",
    ],
    rows,
  );
}

/** The whole report as Markdown (no top-level heading: callers add their own). */
export function markdownReport(result: RunResult): string {
  const targets = result.targets ?? evaluateTargets(result);
  const parts: string[] = [];
  parts.push(
    `Run of ${result.startedAt} (\`${result.command}\`), ${fmt(result.totalS, 0)} s in all. ` +
      `Machine: ${result.machine.cpus} CPUs, Deno ${result.machine.deno}, V8 ${result.machine.v8}, ` +
      `CLK_TCK ${result.machine.clockTicks}, \`ulimit -n\` ${result.machine.openFileLimit}, ` +
      `load average at start ${result.machine.loadAvgAtStart.map((x) => fmt(x, 2)).join(" ")}, ` +
      `other processes' CPU at start ${fmt(result.machine.otherCpuPctAtStart ?? NaN, 0)} %.`,
  );
  parts.push("### Targets (reported, never asserted)");
  parts.push(table(
    ["target", "measured", "result"],
    targets.map((row) => [
      row.target,
      row.measured,
      row.informational ? "info" : row.met === null ? "not measured" : row.met ? "met" : "MISSED",
    ]),
  ));
  parts.push("### Server limits");
  parts.push(table(
    ["option", "bench value", "default", "raised", "why"],
    result.limits.map((limit) => [
      limit.env,
      limit.value,
      limit.defaultValue,
      limit.raised ? "yes" : "no",
      limit.why,
    ]),
  ));
  parts.push("### Fan-out (one caster, N members, R messages/s)");
  parts.push(
    "Ratios are server / baseline for the same mode, N and R. `wiring` rows (N=200 and 500, R=100) " +
      "are the baseline's rooms served through the server's own node:http + ws wiring: the cost of " +
      "that wiring alone. `lost` = deliveries of messages sent " +
      "in the measured window that had not arrived by the end of the drain. `gen CPU %` is the " +
      "load generator's own CPU (100 % = one saturated core); `other CPU %` is what the rest of the " +
      "machine used meanwhile (other jobs: a cell with a high value is contaminated). `err/disc` = error replies to the " +
      "caster / members disconnected by the server.",
  );
  parts.push(fanoutTable(result.fanout));
  parts.push("### Join sync (world.join → last sync_ops chunk)");
  parts.push(table(
    [
      "ops",
      "filled at ops/s",
      "joins (ms)",
      "median ms",
      "chunks",
      "ops received",
      "largest frame B",
      "over cap",
      "max idle ping during join ms",
    ],
    result.joinSync.map((run) =>
      run.skipped ? [int(run.ops), `skipped: ${run.skipped.slice(0, 60)}`] : [
        int(run.ops),
        int(run.fillOpsPerSec),
        run.joinMs.map((ms) => fmt(ms, 0)).join(", "),
        fmt(run.join.p50, 1),
        String(run.chunks),
        int(run.opsReceived),
        int(run.maxFrameBytes),
        String(run.framesOverCap),
        fmt(run.maxPingDuringJoinMs, 1),
      ]
    ),
  ));
  parts.push("### Voxel-op ingest (10 clients pipelining request_spell)");
  parts.push(table(
    [
      "layout",
      "window/client",
      "acked ops/s",
      "ack p50 ms",
      "ack p99 ms",
      "ack max ms",
      "CPU µs/op",
      "server CPU %",
      "gen CPU %",
      "other CPU %",
      "idle ping p99/max ms",
      "errors",
    ],
    result.ingest.map((run) => [
      run.layout,
      String(run.window),
      int(run.ackedOpsPerSec),
      fmt(run.ackLatencyMs.p50, 1),
      fmt(run.ackLatencyMs.p99, 1),
      fmt(run.ackLatencyMs.max, 1),
      fmt(run.serverCpuUsPerOp, 1),
      int(run.serverCpuPct),
      int(run.generatorCpuPct),
      int(run.otherCpuPct),
      `${fmt(run.idlePingMs.p99, 1)} / ${fmt(run.idlePingMs.max, 1)}`,
      String(run.errors + run.disconnects),
    ]),
  ));
  parts.push("### Builds (10 clients, ≤ 2 in flight each)");
  parts.push(table(
    [
      "spell",
      "workers",
      "builds",
      "ok",
      "builds/s",
      "p50 ms",
      "p99 ms",
      "build itself p50/p99 ms",
      "unloaded p50 ms",
      "idle ping p50/p99/max ms",
      "server CPU %",
    ],
    result.builds.map((run) => [
      run.spell,
      String(run.workers),
      `${run.rounds} × ${run.builds / run.rounds}`,
      String(run.ok),
      fmt(run.buildsPerSec),
      fmt(run.buildMs.p50),
      fmt(run.buildMs.p99),
      `${fmt(run.execMs.p50)} / ${fmt(run.execMs.p99)}`,
      fmt(run.unloadedMs.p50),
      `${fmt(run.pingMs.p50)} / ${fmt(run.pingMs.p99)} / ${fmt(run.pingMs.max)}`,
      int(run.serverCpuPct),
    ]),
  ));
  parts.push("### Memory (idle raw connections)");
  const baseMemory = result.memory.find((run) => run.target === "baseline");
  parts.push(table(
    [
      "target",
      "idle RSS MiB",
      "RSS MiB @ first",
      "RSS MiB @ second",
      "KiB per connection",
      "ratio",
    ],
    result.memory.map((run) => [
      `${run.target} (${int(run.counts[0])} → ${int(run.counts[1])})`,
      fmt(run.idleRssKiB / 1024),
      fmt(run.rssKiB[0] / 1024),
      fmt(run.rssKiB[1] / 1024),
      fmt(run.perConnectionKiB),
      run.target === "server" && baseMemory
        ? times(ratio(run.perConnectionKiB, baseMemory.perConnectionKiB))
        : "",
    ]),
  ));
  if (result.trimmed.length > 0 || result.notes.length > 0) {
    parts.push("### Trimmed, skipped and notes");
    parts.push([...result.trimmed, ...result.notes].map((line) => `- ${line}`).join("\n"));
  }
  return parts.join("\n\n") + "\n";
}

/** [N, p99 ms, deliveries/s] */
type Point = [number, number, number];

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: Point[];
}

/** An SVG of p99 latency (log scale) and deliveries/s against N, R = `rate`, casts and ops. */
export function svgChart(cells: FanoutCell[], rate = 100): string {
  const width = 960;
  const height = 420;
  const colors: Record<string, string> = {
    "raw WS": "#1f77b4",
    "Socket.IO": "#ff7f0e",
    baseline: "#555555",
  };
  const series: Series[] = [];
  for (const mode of ["cast", "op"] as const) {
    for (const name of ["raw WS", "Socket.IO", "baseline"]) {
      const points = cells
        .filter((cell) =>
          !cell.skipped && cell.mode === mode && cell.rate === rate && transportName(cell) === name
        )
        .sort((a, b) => a.clients - b.clients)
        .map((cell): Point => [cell.clients, cell.latencyMs.p99, cell.deliveriesPerSec]);
      series.push({
        label: `${name}, ${mode}s`,
        color: colors[name]!,
        dashed: mode === "op",
        points,
      });
    }
  }
  const all = series.flatMap((s) => s.points);
  const ns = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15">Fan-out at R = ${rate}/s: ` +
      `server (raw WS, Socket.IO) vs bare baseline; solid = casts, dashed = voxel ops</text>`,
  );
  if (ns.length === 0) {
    parts.push(`<text x="40" y="80">no fan-out data</text>`, "</svg>");
    return parts.join("\n") + "\n";
  }
  const panels = [
    { title: "p99 latency (ms, log scale)", index: 1, log: true, x: 70 },
    { title: "deliveries/s", index: 2, log: false, x: 70 + width / 2 },
  ];
  const plotW = width / 2 - 110;
  const top = 50;
  const plotH = height - top - 110;
  for (const panel of panels) {
    const values = all.map((p) => p[panel.index]!).filter((v) => Number.isFinite(v) && v > 0);
    if (!panel.log) values.push(...ns.map((n) => n * rate));
    let lo = panel.log ? Math.floor(Math.log10(Math.min(...values, 1))) : 0;
    let hi = panel.log
      ? Math.ceil(Math.log10(Math.max(...values, 10)))
      : niceCeil(Math.max(...values, 1));
    if (hi <= lo) hi = lo + 1;
    if (!Number.isFinite(lo)) lo = 0;
    const xOf = (n: number) =>
      panel.x + (ns.length === 1 ? plotW / 2 : (ns.indexOf(n) / (ns.length - 1)) * plotW);
    const yOf = (v: number) => {
      const t = panel.log ? (Math.log10(v) - lo) / (hi - lo) : v / hi;
      return top + plotH - Math.max(0, Math.min(1, t)) * plotH;
    };
    parts.push(
      `<text x="${panel.x + plotW / 2}" y="${top - 8}" text-anchor="middle">${panel.title}</text>`,
      `<rect x="${panel.x}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    );
    const ticks = panel.log
      ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i))
      : Array.from({ length: 6 }, (_, i) => (hi * i) / 5);
    for (const tick of ticks) {
      const y = yOf(tick);
      parts.push(
        `<line x1="${panel.x}" y1="${y}" x2="${panel.x + plotW}" y2="${y}" stroke="#eee"/>`,
        `<text x="${panel.x - 6}" y="${y + 4}" text-anchor="end">${shortNumber(tick)}</text>`,
      );
    }
    for (const n of ns) {
      parts.push(
        `<text x="${xOf(n)}" y="${top + plotH + 16}" text-anchor="middle">${n}</text>`,
      );
    }
    parts.push(
      `<text x="${panel.x + plotW / 2}" y="${top + plotH + 32}" text-anchor="middle">` +
        `N (clients in the world)</text>`,
    );
    if (!panel.log) {
      // Offered load N × R: what every member receiving every message would be.
      const offered = ns.map((n) => `${round1(xOf(n))},${round1(yOf(n * rate))}`);
      parts.push(
        `<polyline points="${offered.join(" ")}" fill="none" stroke="#999" stroke-width="1" ` +
          `stroke-dasharray="2 3"/>`,
      );
    }
    for (const s of series) {
      const pts = s.points
        .filter((p) => Number.isFinite(p[panel.index]!) && p[panel.index]! > 0)
        .map((p) => `${round1(xOf(p[0]))},${round1(yOf(p[panel.index]!))}`);
      if (pts.length === 0) continue;
      const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
      parts.push(
        `<polyline points="${
          pts.join(" ")
        }" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
      );
      for (const pt of pts) {
        const [x, y] = pt.split(",");
        parts.push(`<circle cx="${x}" cy="${y}" r="3" fill="${s.color}"/>`);
      }
    }
  }
  const legendY = height - 54;
  series.forEach((s, i) => {
    const x = 70 + (i % 3) * 280;
    const y = legendY + Math.floor(i / 3) * 18;
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${
        x + 30
      }" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${x + 38}" y="${y + 4}">${s.label}</text>`,
    );
  });
  parts.push(
    `<text x="70" y="${height - 8}" fill="#888">dotted grey: offered load N × R ` +
      `(every member gets every message)</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}

function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function shortNumber(value: number): string {
  if (value >= 1e6) return `${round1(value / 1e6)}M`;
  if (value >= 1e3) return `${round1(value / 1e3)}k`;
  return String(round1(value));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
