/**
 * What the bench runs and with which server limits, in one place so the report can print it.
 * @module
 */

/** A server option the bench sets, with its default and the reason. */
export interface LimitSetting {
  env: string;
  value: string;
  defaultValue: string;
  raised: boolean;
  why: string;
}

/** Every limit the issue names, as the bench sets it (raised or deliberately left alone). */
export const LIMITS: readonly LimitSetting[] = [
  {
    env: "RATE_LIMIT_PER_SEC",
    value: "1000000",
    defaultValue: "200",
    raised: true,
    why: "one caster sends up to 500 msgs/s; ingest and fill clients pipeline thousands/s",
  },
  {
    env: "RATE_LIMIT_BURST",
    value: "1000000",
    defaultValue: "400",
    raised: true,
    why: "pipelined request_spell bursts would be dropped as rate_limited",
  },
  {
    env: "CASTS_PER_SEC",
    value: "1000000",
    defaultValue: "5",
    raised: true,
    why: "one caster casts up to 500 times a second in the fan-out cells",
  },
  {
    env: "CAST_BURST",
    value: "1000000",
    defaultValue: "10",
    raised: true,
    why: "and starts at full rate",
  },
  {
    env: "MAX_OPS_PER_WORLD",
    value: "1000000",
    defaultValue: "100000",
    raised: true,
    why: "headroom over the 100k-op join-sync world and the ingest world",
  },
  {
    env: "MAX_BUFFERED_BYTES",
    value: "67108864",
    defaultValue: "4194304",
    raised: true,
    why: "the load generator shares 2 cores with the server; a briefly slow bench client must " +
      "show up as latency/loss, not as a slow-consumer disconnect",
  },
  {
    env: "WORLD_CREATES_PER_MINUTE",
    value: "1000000",
    defaultValue: "5",
    raised: true,
    why: "every fan-out cell and ingest client creates its own world from the one bench address",
  },
  {
    env: "MAX_CONNECTIONS",
    value: "10000",
    defaultValue: "10000",
    raised: false,
    why: "not raised: at most 5,002 connections are open at once",
  },
  {
    env: "MAX_CONNECTIONS_PER_ADDRESS",
    value: "10000",
    defaultValue: "64",
    raised: true,
    why: "every bench client connects from 127.0.0.1: up to 5,002 at once from one address",
  },
  {
    env: "CONNECT_BURST_PER_ADDRESS",
    value: "10000",
    defaultValue: "64",
    raised: true,
    why: "the bench opens hundreds of connections at once from 127.0.0.1 (batches of 250)",
  },
  {
    env: "CONNECT_RATE_PER_ADDRESS",
    value: "10000",
    defaultValue: "10",
    raised: true,
    why: "and thousands per minute, cell after cell",
  },
  {
    env: "BUILDS_PER_CONNECTION",
    value: "2",
    defaultValue: "2",
    raised: false,
    why: "not raised: each build client keeps at most 2 builds in flight (respects the limit)",
  },
  {
    env: "BUILD_QUEUE_MAX",
    value: "1000",
    defaultValue: "1000",
    raised: false,
    why: "not raised: at most 20 builds are queued or running",
  },
  {
    env: "MAX_BUILDS_PER_HOUR",
    value: "100000000",
    defaultValue: "120",
    raised: true,
    why: "every bench client shares one address (127.0.0.1); the build run starts ~600 builds/s",
  },
  {
    env: "MAX_STORED_BYTES_PER_ADDRESS",
    value: "1099511627776",
    defaultValue: "67108864",
    raised: true,
    why: "one address: the ingest and fill clients append millions of ops (~160 bytes each)",
  },
  {
    env: "MAX_WORLDS_PER_ADDRESS",
    value: "1000000",
    defaultValue: "100",
    raised: true,
    why: "one address creates every world of every cell",
  },
  {
    env: "MAX_SPELLS_PER_ADDRESS",
    value: "1000000",
    defaultValue: "200",
    raised: true,
    why: "one address builds every spell",
  },
  {
    env: "MAX_DATA_BYTES",
    value: "1099511627776",
    defaultValue: "4294967296",
    raised: true,
    why: "a 6-minute run writes well under 4 GiB, but the bench measures speed, not the budget",
  },
  {
    env: "BUILD_WORKERS",
    value: "2 (1 for one build run)",
    defaultValue: "CPU count (2 here)",
    raised: false,
    why: "set explicitly: builds are measured with 1 and with 2 workers",
  },
];

/** The environment every server-under-test run gets (BUILD_WORKERS is set per run). */
export function serverEnv(buildWorkers = 2): Record<string, string> {
  const env: Record<string, string> = { BUILD_WORKERS: String(buildWorkers), LOG_LEVEL: "info" };
  for (const limit of LIMITS) {
    if (limit.raised) env[limit.env] = limit.value;
  }
  return env;
}

/** Sizes and durations of one bench run. */
export interface BenchPlan {
  quick: boolean;
  /** Clients per world in the fan-out matrix. */
  fanoutClients: number[];
  /** Sends per second of the one caster. */
  fanoutRates: number[];
  /** Cells skipped on purpose (N, R), with the reason printed in the report. */
  skipCell: (clients: number, rate: number) => boolean;
  trimmedNote: string;
  warmupMs: number;
  measureMs: number;
  /** After sending stops: wait at most this long for late deliveries... */
  drainMaxMs: number;
  /** ...or until nothing arrived for this long. */
  drainIdleMs: number;
  joinSyncSizes: number[];
  joinRepeats: number;
  ingestClients: number;
  ingestWarmupMs: number;
  ingestMeasureMs: number;
  /** Own unacknowledged ops each ingest/fill client keeps in flight. */
  pipelineWindow: number;
  /** Builds per round. */
  builds: number;
  /** Rounds of `builds` (more rounds = more samples for the idle ping percentiles). */
  buildRounds: number;
  buildClients: number;
  buildsInFlightPerClient: number;
  memoryCounts: [number, number];
  /** Hard stop for the whole run; scenarios skip work past it. */
  budgetMs: number;
  /** Time the fan-out matrix may use before its remaining cells are skipped. */
  fanoutBudgetMs: number;
}

/** The full plan (`deno task bench`), sized to finish in under 10 minutes on 2 cores. */
export const FULL_PLAN: BenchPlan = {
  quick: false,
  fanoutClients: [50, 200, 500, 1000],
  fanoutRates: [20, 100, 500],
  skipCell: (clients, rate) => rate >= 500 && clients >= 500,
  trimmedNote: "R=500 skipped at N=500 and N=1000 (250k-500k deliveries/s cannot be driven " +
    "by one load-generator process sharing 2 cores with the server)",
  warmupMs: 1000,
  measureMs: 3000,
  drainMaxMs: 3000,
  drainIdleMs: 750,
  joinSyncSizes: [1_000, 10_000, 100_000],
  joinRepeats: 3,
  ingestClients: 10,
  ingestWarmupMs: 500,
  ingestMeasureMs: 3000,
  pipelineWindow: 64,
  builds: 100,
  buildRounds: 10,
  buildClients: 10,
  buildsInFlightPerClient: 2,
  memoryCounts: [1000, 5000],
  budgetMs: 570_000,
  fanoutBudgetMs: 330_000,
};

/** A small plan for checking the harness itself (`deno task bench --quick`). */
export const QUICK_PLAN: BenchPlan = {
  ...FULL_PLAN,
  quick: true,
  fanoutClients: [50, 200],
  fanoutRates: [20, 100],
  skipCell: () => false,
  trimmedNote: "quick mode: N ∈ {50, 200}, R ∈ {20, 100}, short windows, small sizes",
  warmupMs: 500,
  measureMs: 1500,
  joinSyncSizes: [1_000, 10_000],
  joinRepeats: 2,
  ingestMeasureMs: 1500,
  builds: 20,
  buildRounds: 2,
  memoryCounts: [200, 1000],
  budgetMs: 240_000,
  fanoutBudgetMs: 120_000,
};
