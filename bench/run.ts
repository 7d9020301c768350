// deno-lint-ignore-file no-console -- the bench's command line: progress on stderr, report on stdout
/**
 * `deno task bench`: starts the server under test (main.ts, raised limits) and the bare baseline
 * broadcaster as child processes on loopback, drives the same client workload against both, and
 * writes bench/results/<timestamp>.json, latest.md, latest.svg and the results section of
 * bench/README.md. Benchmarks never fail on numbers: targets are reported as met or missed.
 *
 * Flags: `--quick` (small plan, to check the harness), `--only=fanout,ingest,join,builds,memory`,
 * `--clients=200,500` and `--rates=100` (fan-out cells). Only a run without flags replaces
 * latest.md, latest.svg and the README section; any other run writes its JSON file only.
 * `--only=cluster` runs cluster mode's bench instead (bench/cluster.ts: 1, 2 and 3 nodes on a
 * throwaway Postgres and Redis; its own flags `--quick`, `--clients=N`, `--rate=R`,
 * `--generators=G`, `--nodes=1,2,3`); it is not part of the default run.
 * @module
 */
import { type BenchPlan, FULL_PLAN, LIMITS, QUICK_PLAN, serverEnv } from "./config.ts";
import {
  OtherCpuMeter,
  readClockTicks,
  readOpenFileLimit,
  setClockTicks,
  startBaseline,
  startServerUnderTest,
  type TargetProcess,
} from "./procs.ts";
import { evaluateTargets, markdownReport, type RunResult, svgChart } from "./report.ts";
import { demoSparkCode, prepareCastSpell, runBuilds } from "./scenarios/builds.ts";
import { runFanout } from "./scenarios/fanout.ts";
import { runIngest } from "./scenarios/ingest.ts";
import { runJoinSync } from "./scenarios/join_sync.ts";
import { runMemory } from "./scenarios/memory.ts";
import { runVerification, VERIFY_BYTES } from "./scenarios/verify.ts";
import { largeSpell } from "../tests/helpers/large_spell.ts";
import { Budget, sleep } from "./stats.ts";
import { runClusterBench } from "./cluster.ts";

const RESULTS = new URL("./results/", import.meta.url);
const README = new URL("./README.md", import.meta.url);
const BEGIN = "<!-- bench:results:begin -->";
const END = "<!-- bench:results:end -->";
/** A fan-out cell during which the rest of the machine used more CPU than this is flagged. */
const NOISY_OTHER_CPU_PCT = 25;
const SCENARIOS = ["fanout", "ingest", "join", "builds", "memory"] as const;
type Scenario = typeof SCENARIOS[number];

const running = new Set<TargetProcess>();
const log = (line: string) => console.error(line);

/** Starts a target and remembers it so every exit path stops it. */
async function track(start: Promise<TargetProcess>): Promise<TargetProcess> {
  const target = await start;
  running.add(target);
  return target;
}

async function stop(target: TargetProcess | undefined): Promise<void> {
  if (!target) return;
  running.delete(target);
  await target.stop();
}

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((target) => stop(target)));
}

function parseArgs(args: string[]): { plan: BenchPlan; only: Set<Scenario> } {
  let plan = FULL_PLAN;
  let only = new Set<Scenario>(SCENARIOS);
  const narrowed: Partial<BenchPlan> = {};
  for (const arg of args) {
    if (arg === "--quick") plan = QUICK_PLAN;
    else if (arg.startsWith("--only=")) {
      const names = arg.slice("--only=".length).split(",");
      const unknown = names.filter((name) => !SCENARIOS.includes(name as Scenario));
      if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(", ")}`);
      only = new Set(names as Scenario[]);
    } else if (arg.startsWith("--clients=")) narrowed.fanoutClients = numberList(arg);
    else if (arg.startsWith("--rates=")) narrowed.fanoutRates = numberList(arg);
    else {
      throw new Error(
        `unknown argument ${arg}; use --quick, --only=${SCENARIOS}, --clients=N,… and --rates=R,…`,
      );
    }
  }
  return { plan: { ...plan, ...narrowed }, only };
}

/** `--clients=200,500` → [200, 500]; positive integers only. */
function numberList(arg: string): number[] {
  const values = arg.slice(arg.indexOf("=") + 1).split(",").map(Number);
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new Error(`${arg}: expected a comma-separated list of positive integers`);
  }
  return values;
}

/** Runs one scenario; a failure becomes a note and the run goes on. */
async function scenario(name: string, notes: string[], body: () => Promise<void>): Promise<void> {
  const started = performance.now();
  log(`\n== ${name}`);
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    notes.push(`${name} failed: ${message.split("\n")[0]}`);
    log(`   ${name} failed: ${message}`);
  } finally {
    await stopAll();
    log(`   (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

async function main(): Promise<number> {
  if (Deno.args.includes("--only=cluster")) {
    await runClusterBench();
    return 0;
  }
  const { plan, only } = parseArgs(Deno.args);
  const startedAt = new Date();
  const t0 = performance.now();
  const budget = new Budget(plan.budgetMs);
  const clockTicks = await readClockTicks();
  setClockTicks(clockTicks);
  const openFileLimit = await readOpenFileLimit();
  const command = `deno task bench${Deno.args.length > 0 ? " " + Deno.args.join(" ") : ""}`;
  const result: RunResult = {
    command,
    quick: plan.quick,
    startedAt: startedAt.toISOString(),
    finishedAt: "",
    totalS: 0,
    machine: {
      cpus: navigator.hardwareConcurrency,
      clockTicks,
      openFileLimit,
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      loadAvgAtStart: Deno.loadavg(),
    },
    limits: LIMITS,
    trimmed: [plan.trimmedNote],
    fanout: [],
    joinSync: [],
    ingest: [],
    builds: [],
    verification: null,
    memory: [],
    notes: [],
  };
  log(`bench: ${command}; CLK_TCK ${clockTicks}; ulimit -n ${openFileLimit}`);
  // The load average lags by minutes: sample what the rest of the machine uses right now.
  const idleCheck = new OtherCpuMeter([Deno.pid]);
  await idleCheck.start();
  await sleep(1000);
  const busyAtStart = await idleCheck.stop();
  result.machine.otherCpuPctAtStart = Math.round(busyAtStart);
  if (busyAtStart > NOISY_OTHER_CPU_PCT) {
    result.notes.push(
      `the machine was not idle at start (other processes used ${Math.round(busyAtStart)} % ` +
        "of a core): compare ratios rather than absolute figures, and see `other CPU %`",
    );
    log(
      `warning: other processes use ${Math.round(busyAtStart)} % of a core; results will be noisy`,
    );
  }

  // Every connection is a file descriptor here and in the target: stay well under the limit.
  let memoryCounts = plan.memoryCounts;
  if (openFileLimit < memoryCounts[1] + 200) {
    const top = Math.max(200, openFileLimit - 200);
    memoryCounts = [Math.min(memoryCounts[0], Math.floor(top / 5)), top];
    result.trimmed.push(
      `memory: ulimit -n is ${openFileLimit}, so ${memoryCounts[0]} → ${
        memoryCounts[1]
      } connections`,
    );
  }
  const fanoutClients = plan.fanoutClients.filter((n) => n + 200 <= openFileLimit);
  if (fanoutClients.length < plan.fanoutClients.length) {
    result.trimmed.push(`fan-out: N above ${openFileLimit - 200} skipped (ulimit -n)`);
  }

  if (only.has("fanout")) {
    await scenario("fan-out", result.notes, async () => {
      const server = await track(startServerUnderTest(serverEnv(2)));
      const baseline = await track(startBaseline());
      const wiring = await track(startBaseline("node"));
      const code = await demoSparkCode();
      const revisionId = await prepareCastSpell(server, "bench_spark", code);
      const fanoutBudget = budget.sub(plan.fanoutBudgetMs);
      result.fanout = await runFanout({
        plan: { ...plan, fanoutClients },
        server,
        baseline,
        wiring,
        spell: { spellId: "bench_spark", revisionId },
        budget: fanoutBudget,
        progress: log,
      });
      const skipped = result.fanout.filter((cell) => cell.skipped === "time budget").length;
      if (skipped > 0) result.trimmed.push(`fan-out: ${skipped} cells skipped (time budget)`);
      const noisy = result.fanout.filter((cell) => cell.otherCpuPct > NOISY_OTHER_CPU_PCT);
      if (noisy.length > 0) {
        result.notes.push(
          `${noisy.length} fan-out cells ran while other processes used more than ` +
            `${NOISY_OTHER_CPU_PCT} % of a core (column other CPU %): treat them as contaminated`,
        );
      }
    });
  }
  if (only.has("ingest")) {
    await scenario("voxel-op ingest", result.notes, async () => {
      const server = await track(startServerUnderTest(serverEnv(2)));
      for (const layout of ["own world each", "one shared world"] as const) {
        const run = await runIngest(plan, server, layout);
        result.ingest.push(run);
        log(
          `  ${layout}: ${Math.round(run.ackedOpsPerSec)} acked ops/s, ack p99 ${
            run.ackLatencyMs.p99.toFixed(1)
          } ms, ${run.errors} errors`,
        );
      }
    });
  }
  if (only.has("join")) {
    await scenario("join sync", result.notes, async () => {
      const server = await track(startServerUnderTest(serverEnv(2)));
      result.joinSync = await runJoinSync(plan, server, budget.sub(150_000), log);
    });
  }
  if (only.has("builds")) {
    await scenario(
      "verification of a 48,000-byte spell in a Web Worker",
      result.notes,
      async () => {
        const run = await runVerification();
        result.verification = run;
        log(
          `  ${run.bytes} B: p50 ${run.totalMs.p50.toFixed(1)} ms (parse ${
            run.parseMs.p50.toFixed(1)
          }), p99 ${run.totalMs.p99.toFixed(1)} ms, first ${run.firstMs.toFixed(1)} ms`,
        );
        if (!run.ok) result.notes.push("verification: the large spell did not verify");
      },
    );
    const runs: [number, string, string][] = [
      [1, await demoSparkCode(), "demo_spark.gd"],
      [2, await demoSparkCode(), "demo_spark.gd"],
      [2, largeSpell(VERIFY_BYTES), "48,000-byte spell"],
    ];
    for (const [workers, code, spell] of runs) {
      await scenario(`builds of ${spell}, BUILD_WORKERS=${workers}`, result.notes, async () => {
        const server = await track(startServerUnderTest(serverEnv(workers)));
        const run = await runBuilds(plan, server, workers, code, spell);
        result.builds.push(run);
        log(
          `  ${run.ok}/${run.builds} ok, ${run.buildsPerSec.toFixed(1)} builds/s, p50 ${
            run.buildMs.p50.toFixed(1)
          } ms, ping p99 ${run.pingMs.p99.toFixed(1)} ms`,
        );
        if (run.failed > 0) {
          result.notes.push(`builds (${spell}, ${workers}): ${run.failures.join("; ")}`);
        }
      });
    }
  }
  if (only.has("memory")) {
    for (const name of ["server", "baseline"] as const) {
      await scenario(`memory, ${name}`, result.notes, async () => {
        const target = await track(
          name === "server" ? startServerUnderTest(serverEnv(2)) : startBaseline(),
        );
        const run = await runMemory(target, memoryCounts);
        result.memory.push(run);
        log(`  ${name}: ${run.perConnectionKiB.toFixed(1)} KiB per idle connection`);
      });
    }
  }

  result.finishedAt = new Date().toISOString();
  result.totalS = (performance.now() - t0) / 1000;
  result.targets = evaluateTargets(result);
  // Only the full run may replace the published results; a partial run keeps to its JSON file.
  await writeResults(result, startedAt, Deno.args.length === 0);
  return 0;
}

async function writeResults(result: RunResult, startedAt: Date, full: boolean): Promise<void> {
  await Deno.mkdir(RESULTS, { recursive: true });
  const stamp = startedAt.toISOString().replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  const jsonFile = new URL(`${stamp}${full ? "" : "-partial"}.json`, RESULTS);
  await Deno.writeTextFile(jsonFile, JSON.stringify(result, null, 2) + "\n");
  const report = markdownReport(result);
  if (!full) {
    console.log(report);
    console.error(`\nwrote ${jsonFile.pathname} (partial run: latest.* and README.md unchanged)`);
    return;
  }
  await Deno.writeTextFile(
    new URL("latest.md", RESULTS),
    `# Bench results\n\n${report.replaceAll("\n### ", "\n## ")}`,
  );
  await Deno.writeTextFile(new URL("latest.svg", RESULTS), svgChart(result.fanout));
  await updateReadme(report);
  console.log(report);
  console.error(
    `\nwrote ${jsonFile.pathname}, results/latest.md, results/latest.svg and README.md ` +
      `(${result.totalS.toFixed(0)} s)`,
  );
}

/** Replaces the results section of bench/README.md and formats the file like the repo does. */
async function updateReadme(report: string): Promise<void> {
  const text = await Deno.readTextFile(README).catch(() => `# Benchmarks\n\n${BEGIN}\n${END}\n`);
  const section = `${BEGIN}\n\n![p99 latency and deliveries/s against N](results/latest.svg)\n\n` +
    `${report}\n${END}`;
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const next = begin >= 0 && end > begin
    ? text.slice(0, begin) + section + text.slice(end + END.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  await Deno.writeTextFile(README, next);
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", README.pathname],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!fmt.success) console.error(`deno fmt README.md: ${new TextDecoder().decode(fmt.stderr)}`);
}

const onSignal = () => {
  console.error("interrupted: stopping child processes");
  stopAll().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error);
} finally {
  await stopAll();
}
Deno.exit(code);
