/**
 * Cluster mode's adapters, assembled (issue 17): Postgres for every store and for blobs (with this
 * node's disk cache), and, with REDIS_URL, the Redis bus (ordered per world by the WorldSequencer)
 * and presence summed across nodes. `src/app.ts` picks these instead of SQLite and the in-process
 * bus when DATABASE_URL is set; the core is the same.
 * @module
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { LocalBus } from "./bus/local_bus.ts";
import { LocalConnectionControl } from "./bus/local_connection_control.ts";
import { LocalPresence } from "./bus/local_presence.ts";
import { RedisBus } from "./bus/redis/redis_bus.ts";
import { RedisConnectionControl } from "./bus/redis/redis_connection_control.ts";
import { type RedisClient, redisClient } from "./bus/redis/redis_client.ts";
import { RedisPresence } from "./bus/redis/redis_presence.ts";
import { WorldSequencer } from "./bus/redis/world_sequencer.ts";
import type { Config } from "./config.ts";
import { redactUrl } from "./config.ts";
import { randomHex } from "./core/ids.ts";
import type { LocalFanout } from "./core/local_fanout.ts";
import { message } from "./core/outcome.ts";
import type {
  Bus,
  ConnectionControl,
  Presence,
  Stores,
  Target,
  UnitOfWork,
} from "./core/ports/mod.ts";
import type { Rooms } from "./core/rooms.ts";
import type { OutboundMessage } from "./core/session.ts";
import type { Logger } from "./log.ts";
import { ServerEvent } from "./protocol/mod.ts";
import { connectPostgres, migratePostgres, type Sql } from "./storage/postgres/pg.ts";
import { PgBlobStore } from "./storage/postgres/pg_blob_store.ts";
import { leaseBlobs, PgCollector } from "./storage/postgres/pg_collector.ts";
import { pgStores } from "./storage/postgres/pg_stores.ts";
import { decodeOp } from "./storage/sql_rows.ts";
import { SchemaTooNewError, ServiceUnreachableError } from "./storage/storage_errors.ts";

/** The machine's name for a generated NODE_ID ("node" where reading it is not allowed). */
function hostName(): string {
  try {
    return hostname().replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 40) || "node";
  } catch {
    return "node";
  }
}

/** How long a readiness check waits for Postgres or Redis. */
const READY_TIMEOUT_MS = 2000;
/** How long start-up waits for Redis (node-redis would otherwise retry forever). */
const CONNECT_TIMEOUT_MS = 10_000;
/** Connections per node (the hot path uses few: appends to one world go as one batch at a time). */
const POOL_SIZE = 10;

export interface ClusterStorage {
  nodeId: string;
  sql: Sql;
  stores: Stores;
  unitOfWork: UnitOfWork;
  blobs: PgBlobStore;
  /** Blob leases of a build in progress (the worker asks before it looks at the cache). */
  leaseBlobs(jobId: string, hashes: readonly string[]): Promise<void>;
  /** Retention and blob collection on Postgres (every node runs it; they do not collide). */
  collector: PgCollector;
  /** Bytes the database uses (MAX_DATA_BYTES counts these). */
  measureDataBytes(): Promise<number>;
  /** A write to Postgres and a file written in the cache: storage takes writes again. */
  probe(): Promise<void>;
  /** Builds the bus and presence (Redis if REDIS_URL, else in-process); call once. */
  messaging(parts: {
    rooms: () => Rooms;
    fanout: () => LocalFanout;
    onWorldsChanged: () => void;
    onBansChanged: () => void;
  }): Promise<ClusterMessaging>;
  readiness(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface ClusterMessaging {
  bus: Bus;
  presence: Presence;
  /** Operator control over connections: this node's, or in a cluster every node's. */
  control: ConnectionControl;
  /** Tells the other nodes a world was created (they refresh their lists). */
  announceWorldsChanged: () => void;
  close(): Promise<void>;
}

/** Connects to Postgres (migrating it) and builds the stores; throws if Postgres is unreachable. */
export async function openClusterStorage(config: Config, log: Logger): Promise<ClusterStorage> {
  const nodeId = config.nodeId || `${hostName()}-${randomHex(3)}`;
  log.info("cluster mode", {
    node_id: nodeId,
    database: redactUrl(config.databaseUrl),
    redis: config.redisUrl ? redactUrl(config.redisUrl) : "none (in-process bus: one node)",
  });
  const sql = connectPostgres(config.databaseUrl, { max: POOL_SIZE });
  try {
    await migratePostgres(sql);
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    if (error instanceof SchemaTooNewError) throw error;
    throw new ServiceUnreachableError("postgres", redactUrl(config.databaseUrl), error);
  }
  let sequencer: WorldSequencer | undefined;
  const { stores, unitOfWork } = pgStores(sql, {
    beforeSnapshot: (worldId) => sequencer?.started(worldId),
  });
  const blobs = new PgBlobStore(sql, join(config.dataDir, "blobs"));
  const redisClients: RedisClient[] = [];
  const errors = rateLimitedWarning(log, "redis unreachable");

  const redisReady = async (): Promise<string> => {
    const client = redisClients[0];
    if (!client) return "ok";
    if (!client.isReady) return "down";
    return await withTimeout(client.ping().then(() => "ok"), "down");
  };

  return {
    nodeId,
    sql,
    stores,
    unitOfWork,
    blobs,
    leaseBlobs: (jobId, hashes) => leaseBlobs(sql, jobId, hashes),
    collector: new PgCollector(sql, {
      draftRetentionHours: config.draftRetentionHours,
      failedJobRetentionHours: config.failedJobRetentionHours,
      blobGraceSec: config.blobGraceSec,
      cache: blobs.cache,
    }),
    measureDataBytes: async () => {
      const [row] = await sql<{ bytes: string }[]>`
        SELECT pg_database_size(current_database()) AS bytes`;
      return Number(row!.bytes);
    },
    probe: async () => {
      await sql`
        INSERT INTO storage_probe (id, at) VALUES (1, now())
        ON CONFLICT (id) DO UPDATE SET at = excluded.at`;
      const dir = join(blobs.cache.root, "tmp");
      await Deno.mkdir(dir, { recursive: true });
      const path = join(dir, `probe.${crypto.randomUUID()}`);
      await Deno.writeFile(path, new Uint8Array(64 * 1024));
      await Deno.remove(path).catch(() => {});
    },
    messaging: async (parts) => {
      if (!config.redisUrl) {
        // DATABASE_URL alone: one node on Postgres, delivering in-process.
        const presence = new LocalPresence();
        return {
          bus: new LocalBus({ deliver: (target, msg) => parts.fanout().deliver(target, msg) }),
          presence,
          control: localControl(parts),
          announceWorldsChanged: () => {},
          close: () => Promise.resolve(),
        };
      }
      const publisher = redisClient(config.redisUrl, errors);
      const subscriber = redisClient(config.redisUrl, errors);
      redisClients.push(publisher, subscriber);
      try {
        for (const client of [publisher, subscriber]) {
          await withDeadline(client.connect(), CONNECT_TIMEOUT_MS);
        }
      } catch (error) {
        for (const client of [publisher, subscriber]) destroyQuietly(client);
        redisClients.length = 0;
        throw new ServiceUnreachableError("redis", redactUrl(config.redisUrl), error);
      }
      const seq = sequencer = new WorldSequencer({
        source: {
          lastSeq: (worldId) => stores.worlds.lastSeq(worldId),
          messagesAfter: (worldId, after, upTo, limit) =>
            messagesAfter(sql, worldId, after, upTo, limit),
        },
        deliver: (worldId, msg) => parts.fanout().deliver({ world: worldId }, msg),
        gapMs: config.opGapMs,
        onError: (error) => log.warn("could not fill a gap in a world's order", { error }),
      });
      const presence = new RedisPresence({
        client: publisher,
        nodeId,
        heartbeatMs: config.clusterHeartbeatMs,
        ttlMs: config.presenceTtlMs,
        onError: errors,
        onEntered: (worldId) => seq.track(worldId),
        onEmptied: (worldId) => seq.untrack(worldId),
      });
      const bus = new RedisBus({
        nodeId,
        publisher,
        subscriber,
        local: { deliver: (target, msg) => parts.fanout().deliver(target, msg) },
        sequencer: seq,
        isLocalSession: (sessionId) => parts.rooms().get(sessionId) !== undefined,
        // Every node builds the world list from Postgres and the summed counts: it is sent to this
        // node's sessions only, and other nodes are told to refresh theirs (`signal`).
        localOnly: (target: Target, msg: OutboundMessage) =>
          "all" in target && msg.event === ServerEvent.WORLD_LIST_UPDATED,
        onSignal: (name) => {
          if (name === "worlds") parts.onWorldsChanged();
        },
      });
      const control = new RedisConnectionControl({
        nodeId,
        publisher,
        subscriber,
        local: localControl(parts),
        heartbeatMs: config.clusterHeartbeatMs,
        ttlMs: config.presenceTtlMs,
        maxListed: config.limits.maxConnections,
        onError: errors,
      });
      await bus.start();
      await presence.start();
      await control.start();
      return {
        bus,
        // The listing follows this node's sessions: every change it counts is a change it lists.
        presence: observed(presence, () => control.changed()),
        control,
        announceWorldsChanged: () => bus.signal("worlds"),
        close: async () => {
          await control.stop();
          await presence.close();
          await bus.close();
          seq.close();
        },
      };
    },
    readiness: async (): Promise<Record<string, string>> => {
      const postgres = await withTimeout(sql`SELECT 1`.then(() => "ok"), "down");
      return config.redisUrl ? { postgres, redis: await redisReady() } : { postgres };
    },
    close: async () => {
      for (const client of redisClients) {
        await client.quit().catch(() => destroyQuietly(client));
      }
      await sql.end({ timeout: 5 });
    },
  };
}

/** Control over this node's sessions (what every node applies). */
export function localControl(parts: {
  rooms: () => Rooms;
  fanout: () => LocalFanout;
  onBansChanged: () => void;
}): LocalConnectionControl {
  return new LocalConnectionControl({
    rooms: parts.rooms,
    deliver: (sessionId, msg) => parts.fanout().deliver({ session: sessionId }, msg),
    onBansChanged: parts.onBansChanged,
  });
}

/** The presence, telling `onChange` after every change of this node's sessions. */
function observed(presence: Presence, onChange: () => void): Presence {
  return {
    count: (worldId) => presence.count(worldId),
    counts: () => presence.counts(),
    connections: () => presence.connections(),
    watch: (listener) => presence.watch(listener),
    connected: () => {
      presence.connected();
      onChange();
    },
    disconnected: () => {
      presence.disconnected();
      onChange();
    },
    entered: (worldId) => {
      presence.entered(worldId);
      onChange();
    },
    left: (worldId) => {
      presence.left(worldId);
      onChange();
    },
  };
}

/** What a node missed of a world: its ops in the range, and its last clear if that falls there. */
async function messagesAfter(
  sql: Sql,
  worldId: string,
  afterSeq: number,
  upToSeq: number,
  limit: number,
): Promise<OutboundMessage[]> {
  const rows = await sql<{ seq: string; op_type: string | null; op_data: string | null }[]>`
    (SELECT seq, op_type, op_data FROM world_ops
     WHERE world_id = ${worldId} AND seq > ${afterSeq} AND seq <= ${upToSeq}
     ORDER BY seq LIMIT ${limit})
    UNION ALL
    (SELECT cleared_seq, NULL, NULL FROM worlds
     WHERE world_id = ${worldId} AND cleared_seq > ${afterSeq} AND cleared_seq <= ${upToSeq})
    ORDER BY 1 LIMIT ${limit}`;
  return rows.map((row) => {
    const seq = Number(row.seq);
    if (row.op_type === null) {
      return message(ServerEvent.WORLD_CLEARED, { world_id: worldId, seq }, seq);
    }
    const op = decodeOp({ op_type: row.op_type, op_data: row.op_data! });
    return message(ServerEvent.APPLY_OP, { op, seq }, seq);
  });
}

/** Drops a Redis connection, open or not (node-redis throws if it never opened). */
function destroyQuietly(client: RedisClient): void {
  try {
    client.destroy();
  } catch {
    // never opened: nothing to drop
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function withTimeout(promise: Promise<string>, fallback: string): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<string>((resolve) => timer = setTimeout(() => resolve(fallback), READY_TIMEOUT_MS)),
  ]).finally(() => clearTimeout(timer));
}

/** Logs an outage once a minute, not once per failed command. */
function rateLimitedWarning(log: Logger, msg: string): (error: unknown) => void {
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    log.warn(msg, { error: error instanceof Error ? error.message : String(error) });
  };
}
