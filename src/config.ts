/**
 * Every option of the server, read once from flags and environment into a frozen typed Config.
 * A flag (`--port 5000` or `--port=5000`) wins over its environment variable (`PORT`), which wins over
 * the default. Invalid values fail at start-up with a message naming the option.
 */

import type { Limits } from "./core/limits.ts";
import { parseAddressOrRange } from "./transport/client_address.ts";
import { CAPABILITY_NAMES, SPELLSCRIPT_API } from "./workers/gdscript/api/spellscript_api.ts";

export type { Limits };

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  logLevel: LogLevel;
  buildWorkers: number;
  corsOrigins: string[];
  /** Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR ranges). */
  trustedProxies: string[];
  /** World capabilities spells may use (a subset of `CAPABILITY_NAMES`). */
  spellCapabilities: string[];
  /** How often raw WebSocket peers are pinged; one that has not answered by the next ping is cut. */
  rawPingIntervalMs: number;
  /** Seconds between runs of the storage collector (retention and unreferenced blobs). */
  gcIntervalSec: number;
  /** Never-published revisions (and spells left without one) older than this are collected. */
  draftRetentionHours: number;
  /** Failed build jobs older than this are collected. */
  failedJobRetentionHours: number;
  /** Unreferenced blobs younger than this are kept (scripts that write blobs do not lease them). */
  blobGraceSec: number;
  /** A WAL file past this size is checkpointed and truncated at once. */
  walTruncateBytes: number;
  /** The operator's token; "" = read DATA_DIR/admin_token, or generate it there on first start. */
  adminToken: string;
  /** Who may publish to stable: an operator (the default) or a spell's owner too. */
  stablePublish: "operator" | "owner";
  limits: Limits;
}

type Kind = "int" | "string" | "level" | "list" | "capabilities" | "secret" | "stable";

interface OptionSpec {
  env: string;
  kind: Kind;
  help: string;
  min?: number;
  max?: number;
  /** Checks one item of a list option; throws a message naming what is wrong. */
  checkItem?: (item: string) => void;
  /** Where the value goes: a top-level key or a key of `limits`. */
  key: keyof Omit<Config, "limits"> | `limits.${keyof Limits}`;
}

/** The one table of options: `--help`, the README and the parser all read it. */
export const OPTIONS: readonly OptionSpec[] = [
  { env: "HOST", kind: "string", key: "host", help: "address to bind" },
  {
    env: "PORT",
    kind: "int",
    key: "port",
    min: 0,
    max: 65535,
    help: "port for HTTP, WebSocket and Socket.IO (0 = any free port)",
  },
  { env: "DATA_DIR", kind: "string", key: "dataDir", help: "directory for ugc.db and blobs/" },
  { env: "LOG_LEVEL", kind: "level", key: "logLevel", help: "debug, info, warn or error" },
  {
    env: "BUILD_WORKERS",
    kind: "int",
    key: "buildWorkers",
    min: 1,
    max: 64,
    help: "Web Workers that run spell builds (default: CPU count)",
  },
  {
    env: "CORS_ORIGINS",
    kind: "list",
    key: "corsOrigins",
    help: "comma-separated origins allowed to use Socket.IO polling cross-origin (default: none)",
  },
  {
    env: "TRUSTED_PROXIES",
    kind: "list",
    key: "trustedProxies",
    checkItem: (item) => void parseAddressOrRange(item),
    help:
      "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (default: none)",
  },
  {
    env: "MAX_INBOUND_BYTES",
    kind: "int",
    key: "limits.maxInboundBytes",
    min: 1024,
    help: "largest inbound message; larger closes the connection (1009)",
  },
  {
    env: "MAX_OUTBOUND_BYTES",
    kind: "int",
    key: "limits.maxOutboundBytes",
    min: 4096,
    max: 65535,
    help: "largest outbound message (Godot's frame cap is 65535)",
  },
  {
    env: "MAX_WORLD_NAME_CHARS",
    kind: "int",
    key: "limits.maxWorldNameChars",
    min: 1,
    max: 200,
    help: "world name length",
  },
  {
    env: "MAX_WORLD_DESCRIPTION_CHARS",
    kind: "int",
    key: "limits.maxWorldDescriptionChars",
    min: 0,
    max: 2000,
    help: "world description length",
  },
  {
    env: "MAX_SPELL_CODE_BYTES",
    kind: "int",
    key: "limits.maxSpellCodeBytes",
    min: 256,
    max: 48000,
    help:
      "size of code/spell.gd in UTF-8 bytes (48000 is the most whose base64 fits one Godot frame)",
  },
  {
    env: "MAX_CAST_PARAMS_BYTES",
    kind: "int",
    key: "limits.maxCastParamsBytes",
    min: 2,
    max: 32768,
    help: "cast_params size as JSON",
  },
  {
    env: "MAX_OPS_PER_WORLD",
    kind: "int",
    key: "limits.maxOpsPerWorld",
    min: 1,
    help: "voxel ops kept per world",
  },
  {
    env: "RATE_LIMIT_PER_SEC",
    kind: "int",
    key: "limits.rateLimitPerSecond",
    min: 1,
    help: "sustained messages per second per connection",
  },
  {
    env: "RATE_LIMIT_BURST",
    kind: "int",
    key: "limits.rateLimitBurst",
    min: 1,
    help:
      "burst of messages per connection; one refused twice this many (at least 100) beyond its rate is disconnected (1008)",
  },
  {
    env: "BUILD_QUEUE_MAX",
    kind: "int",
    key: "limits.buildQueueMax",
    min: 1,
    help: "builds queued or running in the whole server",
  },
  {
    env: "BUILDS_PER_CONNECTION",
    kind: "int",
    key: "limits.buildsPerConnection",
    min: 1,
    help: "builds queued or running per connection",
  },
  {
    env: "MAX_CONNECTIONS",
    kind: "int",
    key: "limits.maxConnections",
    min: 1,
    help: "connections per process, Socket.IO sessions counted from their handshake (503 above)",
  },
  {
    env: "MAX_CONNECTIONS_PER_ADDRESS",
    kind: "int",
    key: "limits.maxConnectionsPerAddress",
    min: 1,
    help:
      "open connections per client address, both protocols together; IPv6 counts per /64 (429 above)",
  },
  {
    env: "CONNECT_RATE_PER_ADDRESS",
    kind: "int",
    key: "limits.connectRatePerAddress",
    min: 1,
    help: "new connections per second per client address, sustained (429 above)",
  },
  {
    env: "CONNECT_BURST_PER_ADDRESS",
    kind: "int",
    key: "limits.connectBurstPerAddress",
    min: 1,
    help: "new connections per client address at once, before CONNECT_RATE_PER_ADDRESS applies",
  },
  {
    env: "MAX_PACKETS_PER_POLL",
    kind: "int",
    key: "limits.maxPacketsPerPoll",
    min: 10,
    help:
      "Socket.IO polling: packets per POST (twice as many may wait to be handled); more closes the connection",
  },
  {
    env: "RAW_PING_INTERVAL_MS",
    kind: "int",
    key: "rawPingIntervalMs",
    min: 100,
    help:
      "how often raw WebSocket peers are pinged; one that has not answered by the next ping is disconnected",
  },
  {
    env: "MAX_BUFFERED_BYTES",
    kind: "int",
    key: "limits.maxBufferedBytes",
    min: 65536,
    help: "unsent bytes a slow client may hold before it is disconnected",
  },
  {
    env: "MAX_HTTP_BODY_BYTES",
    kind: "int",
    key: "limits.maxHttpBodyBytes",
    min: 1024,
    help: "largest HTTP request body; larger is refused with 413",
  },
  {
    env: "SPELL_CAPABILITIES",
    kind: "capabilities",
    key: "spellCapabilities",
    help: `world capabilities spells may use: all, none, or a comma-separated list of ${
      CAPABILITY_NAMES.join(", ")
    }; a build needing another fails naming it`,
  },
  {
    env: "SPELL_MAX_ITERATIONS",
    kind: "int",
    key: "limits.spellMaxIterations",
    min: 1,
    max: 1_000_000,
    help:
      "most loop iterations and calls one run of a spell's entry point may set in motion, over all its functions and callbacks (checked at build)",
  },
  {
    env: "MAX_WORLDS_PER_ADDRESS",
    kind: "int",
    key: "limits.maxWorldsPerAddress",
    min: 1,
    help: "worlds one player (or, for guests, one client address) may have stored",
  },
  {
    env: "MAX_SPELLS_PER_ADDRESS",
    kind: "int",
    key: "limits.maxSpellsPerAddress",
    min: 1,
    help:
      "spells one player (or, for guests, one client address) may have stored (freed as unpublished drafts expire)",
  },
  {
    env: "MAX_BUILDS_PER_HOUR",
    kind: "int",
    key: "limits.maxBuildsPerHour",
    min: 1,
    help: "builds one player (or, for guests, one client address) may start in any 60 minutes",
  },
  {
    env: "MAX_STORED_BYTES_PER_ADDRESS",
    kind: "int",
    key: "limits.maxStoredBytesPerAddress",
    min: 65536,
    help:
      "bytes one player (or, for guests, one client address) may have stored: worlds, voxel ops, spells, queued code, revisions",
  },
  {
    env: "MAX_DATA_BYTES",
    kind: "int",
    key: "limits.maxDataBytes",
    min: 1048576,
    help:
      "data the whole server may store (database pages in use + blobs); writes past it are refused",
  },
  {
    env: "DRAFT_RETENTION_HOURS",
    kind: "int",
    key: "draftRetentionHours",
    min: 0,
    help: "never-published revisions, and spells with no revision, older than this are deleted",
  },
  {
    env: "FAILED_JOB_RETENTION_HOURS",
    kind: "int",
    key: "failedJobRetentionHours",
    min: 0,
    help: "failed build jobs older than this are deleted",
  },
  {
    env: "GC_INTERVAL_SEC",
    kind: "int",
    key: "gcIntervalSec",
    min: 1,
    help: "seconds between runs of the collector (retention, then unreferenced blobs)",
  },
  {
    env: "BLOB_GRACE_SEC",
    kind: "int",
    key: "blobGraceSec",
    min: 0,
    help: "unreferenced blobs younger than this are kept (for scripts that write blobs directly)",
  },
  {
    env: "WAL_TRUNCATE_BYTES",
    kind: "int",
    key: "walTruncateBytes",
    min: 1048576,
    help: "a write-ahead log past this size is checkpointed and truncated at once",
  },
  {
    env: "WORLD_CREATES_PER_MINUTE",
    kind: "int",
    key: "limits.worldCreatesPerMinute",
    min: 1,
    help: "worlds one client address may create per minute (all at once, then evenly)",
  },
  {
    env: "MAX_WORLDS",
    kind: "int",
    key: "limits.maxWorlds",
    min: 1,
    help: "worlds the server holds; world.create is refused (quota_exceeded) above",
  },
  {
    env: "WORLD_LIST_UPDATE_MS",
    kind: "int",
    key: "limits.worldListUpdateMs",
    min: 50,
    max: 60000,
    help: "least time between two world.list_updated broadcasts (changes in between coalesce)",
  },
  {
    env: "WORLDS_PAGE_MAX",
    kind: "int",
    key: "limits.worldsPageMax",
    min: 1,
    max: 10000,
    help: "largest page of GET /api/worlds (?limit=)",
  },
  {
    env: "JOIN_ANNOUNCE_SPELLS",
    kind: "int",
    key: "limits.joinAnnounceSpells",
    min: 0,
    max: 10000,
    help:
      "spells announced to a joiner: cast in the world lately, then the most recently published",
  },
  {
    env: "READ_QUEUE_MAX",
    kind: "int",
    key: "limits.readQueueMax",
    min: 0,
    max: 100000,
    help: "read requests (content.get_file, lists…) per connection that wait beyond the rate limit",
  },
  {
    env: "READER_STALL_MS",
    kind: "int",
    key: "limits.readerStallMs",
    min: 100,
    max: 600_000,
    help:
      "a connection whose replies or world sync wait and that reads none of them for this long is disconnected (1008)",
  },
  {
    env: "OP_DEDUPE_MS",
    kind: "int",
    key: "limits.opDedupeMs",
    min: 0,
    max: 60000,
    help:
      "window in which identical voxel ops from different members of a world count once (0 = off)",
  },
  {
    env: "MAX_TARGET_ENTITY_ID_CHARS",
    kind: "int",
    key: "limits.maxTargetEntityIdChars",
    min: 1,
    max: 4096,
    help: "length of cast_params.target_entity_id",
  },
  {
    env: "MAX_CAST_PARAMS_DEPTH",
    kind: "int",
    key: "limits.maxCastParamsDepth",
    min: 1,
    max: 64,
    help: "nesting depth of cast_params (objects and arrays)",
  },
  {
    env: "ADMIN_TOKEN",
    kind: "secret",
    key: "adminToken",
    help:
      "operator token for /api/admin/ (at least 32 characters); unset: generated into DATA_DIR/admin_token (mode 0600) on first start and printed once",
  },
  {
    env: "STABLE_PUBLISH",
    kind: "stable",
    key: "stablePublish",
    help:
      "who may publish a spell to stable: operator (an owner's request waits for approval) or owner",
  },
  {
    env: "TOKEN_TTL_DAYS",
    kind: "int",
    key: "limits.tokenTtlDays",
    min: 1,
    max: 36500,
    help: "days a player token from POST /api/players works",
  },
  {
    env: "PLAYER_CREATES_PER_HOUR",
    kind: "int",
    key: "limits.playerCreatesPerHour",
    min: 1,
    help: "players one client address may create per hour (POST /api/players; 429 above)",
  },
  {
    env: "REPORTS_PER_HOUR",
    kind: "int",
    key: "limits.reportsPerHour",
    min: 1,
    help: "spell.report messages one client address may send per hour",
  },
];

export const DEFAULT_CONFIG: Config = Object.freeze({
  host: "0.0.0.0",
  port: 5000,
  dataDir: "./data",
  logLevel: "info",
  buildWorkers: 2,
  corsOrigins: [],
  trustedProxies: [],
  spellCapabilities: [...CAPABILITY_NAMES],
  rawPingIntervalMs: 30_000,
  gcIntervalSec: 3600,
  draftRetentionHours: 168,
  failedJobRetentionHours: 24,
  blobGraceSec: 600,
  walTruncateBytes: 16 * 1024 * 1024,
  adminToken: "",
  stablePublish: "operator",
  limits: Object.freeze({
    maxInboundBytes: 1024 * 1024,
    maxOutboundBytes: 65535,
    maxWorldNameChars: 50,
    maxWorldDescriptionChars: 500,
    maxSpellCodeBytes: 48000,
    maxCastParamsBytes: 4096,
    maxOpsPerWorld: 100_000,
    rateLimitPerSecond: 200,
    rateLimitBurst: 400,
    buildQueueMax: 1000,
    buildsPerConnection: 2,
    maxConnections: 10_000,
    maxConnectionsPerAddress: 64,
    connectRatePerAddress: 10,
    connectBurstPerAddress: 64,
    maxPacketsPerPoll: 1000,
    maxBufferedBytes: 4 * 1024 * 1024,
    maxHttpBodyBytes: 64 * 1024,
    spellMaxIterations: SPELLSCRIPT_API.limits.maxIterations,
    maxWorldsPerAddress: 100,
    maxSpellsPerAddress: 200,
    maxBuildsPerHour: 120,
    maxStoredBytesPerAddress: 64 * 1024 * 1024,
    maxDataBytes: 4 * 1024 * 1024 * 1024,
    worldCreatesPerMinute: 5,
    maxWorlds: 100_000,
    worldListUpdateMs: 1000,
    worldsPageMax: 500,
    joinAnnounceSpells: 200,
    readQueueMax: 1000,
    readerStallMs: 10_000,
    opDedupeMs: 2000,
    maxTargetEntityIdChars: 256,
    maxCastParamsDepth: 8,
    reportsPerHour: 20,
    playerCreatesPerHour: 10,
    tokenTtlDays: 365,
  }),
});

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Kebab-case flag for an option: `MAX_OPS_PER_WORLD` → `--max-ops-per-world`. */
export function flagName(spec: OptionSpec): string {
  return "--" + spec.env.toLowerCase().replaceAll("_", "-");
}

/**
 * Parses flags and environment over the defaults. `cpuCount` sets the default of BUILD_WORKERS.
 * Throws ConfigError for an unknown flag or an invalid value.
 */
export function parseConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cpuCount = 2,
): Config {
  const raw = new Map<OptionSpec, { value: string; source: string }>();
  for (const spec of OPTIONS) {
    const value = env[spec.env];
    if (value !== undefined && value !== "") raw.set(spec, { value, source: spec.env });
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.includes("=") ? splitOnce(arg, "=") : [arg, undefined];
    const spec = OPTIONS.find((candidate) => flagName(candidate) === name);
    if (!spec) throw new ConfigError(`Unknown option ${name}; see --help`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new ConfigError(`Option ${name} needs a value`);
    raw.set(spec, { value, source: name });
  }

  const config = structuredClone(DEFAULT_CONFIG) as Config;
  config.buildWorkers = Math.max(1, Math.min(64, cpuCount));
  for (const [spec, { value, source }] of raw) {
    assign(config, spec, parseValue(spec, value, source));
  }
  config.limits = Object.freeze(config.limits);
  config.corsOrigins = Object.freeze(config.corsOrigins) as string[];
  config.trustedProxies = Object.freeze(config.trustedProxies) as string[];
  config.spellCapabilities = Object.freeze(config.spellCapabilities) as string[];
  return Object.freeze(config);
}

function parseValue(spec: OptionSpec, value: string, source: string): unknown {
  switch (spec.kind) {
    case "string":
      return value;
    case "list": {
      const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
      for (const item of items) {
        try {
          spec.checkItem?.(item);
        } catch (error) {
          throw new ConfigError(`${source}: ${(error as Error).message}`);
        }
      }
      return items;
    }
    case "capabilities": {
      const keyword = value.trim();
      const names = keyword === "none"
        ? []
        : keyword === "all"
        ? [...CAPABILITY_NAMES]
        : value.split(",").map((item) => item.trim()).filter((item) => item !== "");
      const unknown = names.filter((name) =>
        !(CAPABILITY_NAMES as readonly string[]).includes(name)
      );
      if (unknown.length > 0) {
        throw new ConfigError(
          `${source} has unknown capabilities ${unknown.join(", ")} (known: ${
            CAPABILITY_NAMES.join(", ")
          }, all or none)`,
        );
      }
      return [...new Set(names)].sort();
    }
    case "secret":
      if (value.length < 32 || !/^[\x21-\x7e]+$/.test(value)) {
        // Never echo the value: it is a secret.
        throw new ConfigError(
          `${source} must be at least 32 printable characters without spaces`,
        );
      }
      return value;
    case "stable":
      if (value !== "operator" && value !== "owner") {
        throw new ConfigError(`${source} must be operator or owner (got "${value}")`);
      }
      return value;
    case "level":
      if (!["debug", "info", "warn", "error"].includes(value)) {
        throw new ConfigError(`${source} must be one of debug, info, warn, error (got "${value}")`);
      }
      return value;
    case "int": {
      if (!/^\d+$/.test(value)) {
        throw new ConfigError(`${source} must be a whole number (got "${value}")`);
      }
      const number = Number(value);
      if (spec.min !== undefined && number < spec.min) {
        throw new ConfigError(`${source} must be at least ${spec.min}`);
      }
      if (spec.max !== undefined && number > spec.max) {
        throw new ConfigError(`${source} must be at most ${spec.max}`);
      }
      return number;
    }
  }
}

function assign(config: Config, spec: OptionSpec, value: unknown): void {
  if (spec.key.startsWith("limits.")) {
    const limit = spec.key.slice("limits.".length) as keyof Limits;
    (config.limits as unknown as Record<string, unknown>)[limit] = value;
  } else {
    (config as unknown as Record<string, unknown>)[spec.key] = value;
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** The `--help` text, generated from OPTIONS so it cannot drift from the parser. */
export function helpText(version: string): string {
  const lines = [
    `ugc-world-server ${version}: a self-hostable backend for player-made spells in multiplayer games.`,
    "",
    "Usage: ugc-world-server [serve] [options]      run the server (the default)",
    "       ugc-world-server healthcheck [options]    GET /healthz on the configured port; exit 0 if ok, 1 if not",
    "       ugc-world-server backup <dir> [options]   consistent online copy: <dir>/ugc.db and every blob it uses",
    "       ugc-world-server restore <dir> [options]  install a backup (refused while the server runs)",
    "       ugc-world-server verify [options]         re-hash every blob; name the revisions a damaged one breaks",
    "       ugc-world-server gc [options]             run the storage collector once (safe while the server runs)",
    "",
    "Exit codes: 0 ok, 1 command failed, 2 bad usage or option, 3 cannot listen (port in use),",
    "            4 data directory not writable or in use by another server, 5 database too new or unreadable.",
    "",
    "Every option can also be set by the environment variable in brackets.",
    "",
    "Options:",
  ];
  for (const spec of OPTIONS) {
    const fallback = defaultFor(spec);
    lines.push(
      `  ${(flagName(spec) + " <value>").padEnd(36)} [${spec.env}] ${spec.help}${fallback}`,
    );
  }
  lines.push(
    "  --help                               show this text",
    "  --version                            print the version",
  );
  return lines.join("\n");
}

function defaultFor(spec: OptionSpec): string {
  if (spec.kind === "list" || spec.env === "BUILD_WORKERS") return "";
  if (spec.kind === "secret") return " (default generated)";
  if (spec.env === "SPELL_CAPABILITIES") return " (default all)";
  const value = spec.key.startsWith("limits.")
    ? DEFAULT_CONFIG.limits[spec.key.slice(7) as keyof Limits]
    : DEFAULT_CONFIG[spec.key as keyof Omit<Config, "limits">];
  return ` (default ${value})`;
}

/** The README's options table, generated from OPTIONS (`deno task docs` writes it; a test checks it). */
export function optionsMarkdown(): string {
  const rows = OPTIONS.map((spec) => {
    const fallback = defaultFor(spec).replace(/^ \(default (.*)\)$/, "$1") ||
      (spec.env === "BUILD_WORKERS" ? "CPU count" : "none");
    return `| \`${flagName(spec)}\` | \`${spec.env}\` | ${
      fallback === "" ? '""' : fallback
    } | ${spec.help} |`;
  });
  return ["| flag | environment | default | meaning |", "| --- | --- | --- | --- |", ...rows].join(
    "\n",
  );
}
