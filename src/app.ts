import { join } from "node:path";
import { LocalBus } from "./bus/local_bus.ts";
import { LocalPresence } from "./bus/local_presence.ts";
import type { Config } from "./config.ts";
import { AdminFeed } from "./core/admin_feed.ts";
import { BuildService } from "./core/build/build_service.ts";
import { Dispatcher, eventTable } from "./core/dispatcher.ts";
import { LocalFanout } from "./core/local_fanout.ts";
import { AdminService } from "./core/identity/admin_service.ts";
import { IdentityService } from "./core/identity/identity_service.ts";
import { Metrics, RecentCount } from "./core/metrics.ts";
import { highWaterFor } from "./core/pacing.ts";
import type { Bus } from "./core/ports/bus.ts";
import type { Clock } from "./core/ports/clock.ts";
import { DataBudget } from "./core/quota/data_budget.ts";
import { QuotaService } from "./core/quota/quota_service.ts";
import { Rooms } from "./core/rooms.ts";
import { ContentService } from "./core/spell/content_service.ts";
import { SpellService } from "./core/spell/spell_service.ts";
import { WorldService } from "./core/world/world_service.ts";
import { adminEventsRoute } from "./http/admin_events.ts";
import { consoleRoutes } from "./http/console_routes.ts";
import { createHttpApp, Router } from "./http/http_app.ts";
import { cors, securityHeaders } from "./http/middleware.ts";
import { coreRoutes } from "./http/routes.ts";
import { metricsRoute } from "./http/metrics_route.ts";
import { spellRoutes } from "./http/spell_routes.ts";
import { adminRoutes } from "./http/admin_routes.ts";
import { identityMiddleware, identityRoutes, principalOf } from "./http/identity_routes.ts";
import { loadAdminToken } from "./storage/admin_token.ts";
import type { Logger } from "./log.ts";
import { systemClock } from "./platform/system_clock.ts";
import { lockDataDir, prepareDataDir } from "./storage/data_dir.ts";
import { FsBlobStore } from "./storage/fs/fs_blob_store.ts";
import { BlobLeases } from "./storage/sqlite/blob_leases.ts";
import { Checkpointer } from "./storage/sqlite/checkpointer.ts";
import { type CollectionReport, Collector } from "./storage/sqlite/collector.ts";
import { CollectorSchedule } from "./storage/sqlite/collector_schedule.ts";
import { measureDataBytes } from "./storage/sqlite/data_usage.ts";
import { closeDatabase, type Database, openDatabase } from "./storage/sqlite/db.ts";
import { sqliteStores } from "./storage/sqlite/sqlite_stores.ts";
import { probeStorage } from "./storage/sqlite/storage_probe.ts";
import { isStorageFull } from "./storage/storage_errors.ts";
import { StorageHealth } from "./storage/storage_health.ts";
import { type RunningServer, startServer } from "./transport/server.ts";
import { WorkerPool } from "./workers/worker_pool.ts";
import {
  type ClusterMessaging,
  type ClusterStorage,
  localControl,
  openClusterStorage,
} from "./cluster.ts";
import type { BuildRunner } from "./core/build/job.ts";
import type { BlobStore, JobLease, Stores, UnitOfWork } from "./core/ports/mod.ts";

export const VERSION = "0.1.0";

const BUILD_TIMEOUT_MS = 30_000;
const BUILD_SHUTDOWN_GRACE_MS = 5_000;
const CHECKPOINT_INTERVAL_MS = 1_000;
/** Writes paused this long: the WAL is truncated to zero. */
const CHECKPOINT_IDLE_MS = 1_000;

/** Where the Worker scripts are; a bundle passes data: URLs (see scripts/bundle.ts). */
export interface WorkerUrls {
  build?: URL;
  checkpoint?: URL;
}

export interface AppOptions {
  log: Logger;
  clock?: Clock;
  workerUrls?: WorkerUrls;
  /** ADMIN_TOKEN was unset and a token was generated: the caller shows it once (never logs it). */
  onAdminTokenGenerated?: (token: string, path: string) => void;
}

export interface App {
  readonly port: number;
  /** The SQLite database; undefined in cluster mode (Postgres). */
  readonly db: Database | undefined;
  /** Resolves when no build is queued or running. */
  buildsIdle(): Promise<void>;
  /** Runs the storage collector now (it also runs every GC_INTERVAL_SEC). */
  collect(): Promise<CollectionReport>;
  /** Graceful stop: let running builds finish, close sockets (1001), checkpoint and close the database. */
  close(): Promise<void>;
}

/**
 * The composition root: picks an implementation for every port — SQLite, the blob folder and the
 * in-process bus by default; Postgres (blobs in it, cached on disk) and, with REDIS_URL, the Redis
 * bus and presence in cluster mode (DATABASE_URL, see src/cluster.ts) — builds the services and
 * starts listening.
 */
export async function startApp(
  config: Config,
  options: AppOptions,
): Promise<App> {
  return config.databaseUrl
    ? await startClusterNode(config, options)
    : await startSingle(config, options);
}

async function startSingle(
  config: Config,
  options: AppOptions,
): Promise<App> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  await prepareDataDir(config.dataDir);
  // One server per data directory: a second one (or a restore) is refused while this one runs.
  const lock = lockDataDir(config.dataDir);
  const dbPath = join(config.dataDir, "ugc.db");
  let db: Database;
  try {
    db = openDatabase(dbPath);
  } catch (error) {
    lock.release();
    throw error;
  }
  const { stores, unitOfWork, gate } = sqliteStores(db);
  const run = <T>(call: () => T) => gate.run(call);
  const blobs = new FsBlobStore(join(config.dataDir, "blobs"));
  const storageLog = log.child("storage");
  const health = new StorageHealth({
    log: storageLog,
    probe: () => probeStorage(db, blobs.root, run),
  });
  const checkpointer = new Checkpointer({
    db,
    path: dbPath,
    intervalMs: CHECKPOINT_INTERVAL_MS,
    truncateBytes: config.walTruncateBytes,
    idleMs: CHECKPOINT_IDLE_MS,
    log: storageLog,
    onStorageFull: (error) => health.noteFailure(error),
    ...(options.workerUrls?.checkpoint ? { workerUrl: options.workerUrls.checkpoint } : {}),
  });
  const sweptTemp = await blobs.sweepTemp();
  const leases = new BlobLeases(db, run);
  const budget = new DataBudget({
    max: config.limits.maxDataBytes,
    measure: () => run(() => measureDataBytes(db)),
    clock,
  });
  let quota!: QuotaService;
  const collection = new CollectorSchedule({
    collector: new Collector({
      db,
      blobs,
      draftRetentionHours: config.draftRetentionHours,
      failedJobRetentionHours: config.failedJobRetentionHours,
      blobGraceSec: config.blobGraceSec,
      now: () => clock.now(),
      pause: () => clock.nextTurn(),
      run,
    }),
    intervalMs: config.gcIntervalSec * 1000,
    log: storageLog,
    // What it freed no longer counts against anyone's quota or the data budget.
    onCollected: () => {
      quota.invalidate();
      budget.remeasure().catch((error) => storageLog.warn("could not measure data", { error }));
    },
  });
  // One process: the bus delivers straight to this node's sessions; presence is its own counts.
  const presence = new LocalPresence();
  return await startServices(config, options, {
    stores,
    unitOfWork,
    blobs,
    blobRoot: blobs.root,
    budget,
    health,
    leaseBlobs: (jobId, hashes) => leases.lease(jobId, hashes, clock.now()),
    nextCollection: () => collection.nextRunAt,
    setQuota: (service) => quota = service,
    messaging: (parts) =>
      Promise.resolve({
        bus: new LocalBus({
          deliver: (target, message) => parts.fanout().deliver(target, message),
        }),
        presence,
        control: localControl(parts),
        announceWorldsChanged: () => {},
        close: () => Promise.resolve(),
      }),
    readiness: () => Promise.resolve({ storage: health.full ? "full" : "ok" }),
    db,
    collect: () => collection.runNow(),
    afterStart: (requeued) => {
      if (requeued > 0 || sweptTemp > 0) {
        log.info("recovered after restart", {
          requeued_builds: requeued,
          temp_files_removed: sweptTemp,
        });
      }
    },
    // Contract §9: after the sockets, checkpoint SQLite and release the data directory.
    closeFirst: () => collection.close(),
    closeLast: () => {
      checkpointer.close();
      closeDatabase(db);
      lock.release();
      return Promise.resolve();
    },
    closeOnFailedStart: () => {
      checkpointer.close();
      db.close();
      lock.release();
      return Promise.resolve();
    },
  });
}

/** Cluster mode (DATABASE_URL): Postgres for every store and blobs; Redis between nodes. */
async function startClusterNode(
  config: Config,
  options: AppOptions,
): Promise<App> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  await prepareDataDir(config.dataDir);
  // The data directory holds this node's blob cache only; still one node per directory.
  const lock = lockDataDir(config.dataDir);
  let cluster: ClusterStorage;
  try {
    cluster = await openClusterStorage(config, log.child("cluster"));
  } catch (error) {
    lock.release();
    throw error;
  }
  const { blobs } = cluster;
  const storageLog = log.child("storage");
  const health = new StorageHealth({ log: storageLog, probe: () => cluster.probe() });
  const sweptTemp = await blobs.cache.sweepTemp();
  const budget = new DataBudget({
    max: config.limits.maxDataBytes,
    measure: () => cluster.measureDataBytes(),
    clock,
  });
  let messaging: ClusterMessaging | undefined;
  let quota!: QuotaService;
  // Every node collects on its own schedule; batches skip rows another node holds.
  const collection = new CollectorSchedule({
    collector: cluster.collector,
    intervalMs: config.gcIntervalSec * 1000,
    log: storageLog,
    onCollected: () => {
      quota.invalidate();
      budget.remeasure().catch((error) => storageLog.warn("could not measure data", { error }));
    },
  });
  return await startServices(config, options, {
    stores: cluster.stores,
    unitOfWork: cluster.unitOfWork,
    blobs,
    blobRoot: blobs.cache.root,
    budget,
    health,
    leaseBlobs: (jobId, hashes) => cluster.leaseBlobs(jobId, hashes),
    // A build writes its files into this node's cache; they reach Postgres before its revision.
    uploadBlobs: (hashes) => blobs.upload(hashes),
    nextCollection: () => collection.nextRunAt,
    setQuota: (service) => quota = service,
    messaging: async (parts) => messaging = await cluster.messaging(parts),
    readiness: async () => ({
      ...await cluster.readiness(),
      storage: health.full ? "full" : "ok",
    }),
    db: undefined,
    lease: {
      holder: cluster.nodeId,
      ms: config.jobLeaseMs,
      recoverEveryMs: Math.max(500, Math.floor(config.jobLeaseMs / 2)),
    },
    collect: () => collection.runNow(),
    afterStart: (requeued) => {
      if (requeued > 0 || sweptTemp > 0) {
        log.info("took over builds", { queued_builds: requeued, temp_files_removed: sweptTemp });
      }
    },
    closeFirst: () => collection.close(),
    closeLast: async () => {
      await messaging?.close();
      await cluster.close();
      lock.release();
    },
    closeOnFailedStart: async () => {
      await collection.close();
      await messaging?.close();
      await cluster.close();
      lock.release();
    },
  });
}

/** What differs between one process on SQLite and a cluster node; the rest is the same. */
interface Backend {
  stores: Stores;
  unitOfWork: UnitOfWork;
  blobs: BlobStore;
  /** Where build Workers write blobs. */
  blobRoot: string;
  budget: DataBudget;
  health: StorageHealth;
  leaseBlobs(jobId: string, hashes: string[]): Promise<void>;
  uploadBlobs?: (hashes: string[]) => Promise<void>;
  nextCollection: () => number | undefined;
  setQuota(quota: QuotaService): void;
  messaging(parts: {
    rooms: () => Rooms;
    fanout: () => LocalFanout;
    onWorldsChanged: () => void;
    onBansChanged: () => void;
  }): Promise<ClusterMessaging>;
  readiness(): Promise<Record<string, string>>;
  db: Database | undefined;
  lease?: JobLease & { recoverEveryMs: number };
  collect(): Promise<CollectionReport>;
  afterStart(requeued: number): void;
  closeFirst(): Promise<void>;
  closeLast(): Promise<void>;
  closeOnFailedStart(): Promise<void>;
}

async function startServices(
  config: Config,
  options: AppOptions,
  backend: Backend,
): Promise<App> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const { stores, unitOfWork, blobs, budget, health } = backend;
  const quota = new QuotaService({
    stores,
    unitOfWork,
    budget,
    limits: config.limits,
    clock,
    draftRetentionHours: config.draftRetentionHours,
    nextCollection: backend.nextCollection,
    log: log.child("quota"),
  });
  backend.setQuota(quota);

  const metrics = new Metrics();
  const buildRate = new RecentCount(60_000);
  // The bus is built before the sessions' registry it delivers to: it reaches them through `late`.
  const late: {
    rooms?: Rooms;
    fanout?: LocalFanout;
    worlds?: WorldService;
    identity?: IdentityService;
  } = {};
  let messaging: ClusterMessaging;
  try {
    messaging = await backend.messaging({
      rooms: () => late.rooms!,
      fanout: () => late.fanout!,
      onWorldsChanged: () => late.worlds?.lists.refresh(),
      onBansChanged: () => late.identity?.bansChanged(),
    });
  } catch (error) {
    health.close();
    await backend.closeOnFailedStart();
    throw error;
  }
  const { presence, control } = messaging;
  const rooms = late.rooms = new Rooms({ presence });
  const fanout = late.fanout = new LocalFanout({
    rooms,
    onDeliver: (event, bytes, recipients) => metrics.sent(event, bytes, recipients),
  });
  // The console hears that a list changed from the messages that announce it to players.
  const bus: Bus = {
    publish: (target, message) => {
      messaging.bus.publish(target, message);
      for (const list of CONSOLE_LISTS[message.event] ?? []) feed.changed(list);
    },
  };

  const admin = await loadAdminToken(config.dataDir, config.adminToken);
  const identity = late.identity = new IdentityService({
    players: stores.players,
    moderation: stores.moderation,
    clock,
    adminToken: admin.token,
    tokenTtlDays: config.limits.tokenTtlDays,
    playerCreatesPerHour: config.limits.playerCreatesPerHour,
  });
  const spells = new SpellService({
    stores,
    clock,
    limits: config.limits,
    quota,
    stablePublish: config.stablePublish,
    unitOfWork,
  });
  const content = new ContentService({
    spells: stores.spells,
    blobs,
    access: (principal, spellId, revisionId) => spells.deliverable(principal, spellId, revisionId),
  });
  const pool = new WorkerPool({
    size: config.buildWorkers,
    blobRoot: backend.blobRoot,
    timeoutMs: BUILD_TIMEOUT_MS,
    log: log.child("build"),
    lease: (jobId, hashes) => backend.leaseBlobs(jobId, hashes),
    isStorageFull,
    ...(options.workerUrls?.build ? { workerUrl: options.workerUrls.build } : {}),
  });
  const upload = backend.uploadBlobs;
  const runner: BuildRunner = upload
    ? {
      run: async (task, onProgress) => {
        const outcome = await pool.run(task, onProgress);
        if (!outcome.ok) return outcome;
        const { code, assets } = outcome.manifest;
        await upload([...code, ...assets].map((file) => file.hash));
        return outcome;
      },
      close: () => pool.close(),
    }
    : pool;
  const builds = new BuildService({
    stores,
    unitOfWork,
    runner,
    bus,
    clock,
    concurrency: config.buildWorkers,
    limits: config.limits,
    capabilities: config.spellCapabilities,
    log: log.child("build"),
    onFinished: (seconds, ok) => {
      metrics.buildFinished(seconds, ok);
      buildRate.note(clock.monotonic());
    },
    onJob: (update) => feed.job(update),
    quota,
    storage: health,
    ...(backend.lease ? { lease: backend.lease } : {}),
  });
  const worlds = late.worlds = new WorldService({
    stores,
    bus,
    presence,
    clock,
    log: log.child("core"),
    limits: config.limits,
    joinAnnouncements: (worldId) => spells.joinAnnouncements(worldId),
    quota,
    announceWorldsChanged: messaging.announceWorldsChanged,
  });
  const feed = new AdminFeed({
    clock,
    presence,
    metrics,
    connections: () => rooms.countByTransport(),
    worlds: () => worlds.count(),
    buildQueueDepth: () => builds.depth,
  });
  const dispatcher = new Dispatcher({
    rooms,
    fanout,
    bus,
    handlers: eventTable({ worlds, spells, content, builds }),
    clock,
    rate: { perSecond: config.limits.rateLimitPerSecond, burst: config.limits.rateLimitBurst },
    reads: {
      queueMax: config.limits.readQueueMax,
      highWater: highWaterFor(config.limits.maxBufferedBytes),
      stallMs: config.limits.readerStallMs,
    },
    log: log.child("core"),
    observer: {
      received: (event) => {
        metrics.received(event);
        // Stored by the time the console asks (hints are sent 250 ms after the first).
        if (event === "spell.report") feed.changed("reports");
      },
      rejected: (code) => metrics.rejected(code),
    },
    mapError: (error) => health.refusal(error),
  });
  const router = new Router();
  coreRoutes(router, {
    presence,
    worlds: worlds.lists,
    version: VERSION,
    startedAt: clock.now(),
    clock,
    readiness: () => backend.readiness(),
  });
  spellRoutes(router, { spells, content, builds });
  const adminService = new AdminService({
    stores,
    blobs,
    rooms,
    control,
    bus,
    clock,
    spells,
    worlds,
    builds,
    identity,
    counters: () => ({
      buildsPerMinute: buildRate.perMinute(),
      errors: [...metrics.rejectedByCode.entries()]
        .filter(([code]) => code === "internal_error")
        .reduce((sum, [, count]) => sum + count, 0) + httpErrors,
    }),
  });
  identityRoutes(router, {
    identity,
    maxBodyBytes: config.limits.maxHttpBodyBytes,
    disconnect: (playerId) => adminService.disconnectPlayer(playerId, "Token revoked"),
  });
  // Before the operator API: its catch-all answers every other /api/admin/ path.
  consoleRoutes(router);
  adminEventsRoute(router, {
    feed,
    clock,
    isOperator: (ctx) => principalOf(ctx).kind === "operator",
  });
  adminRoutes(router, { admin: adminService, maxBodyBytes: config.limits.maxHttpBodyBytes });
  metricsRoute(router, metrics, {
    connections: () => rooms.countByTransport(),
    worlds: () => worlds.count(),
    buildQueueDepth: () => builds.depth,
  });
  let httpErrors = 0;
  const http = createHttpApp({
    router,
    middleware: [securityHeaders(), cors(config.corsOrigins), identityMiddleware(identity)],
    onError: (error) => {
      httpErrors++;
      const id = crypto.randomUUID();
      log.error("http route failed", { error_id: id, error });
      return id;
    },
  });

  let server: RunningServer;
  try {
    server = await startServer({
      host: config.host,
      port: config.port,
      corsOrigins: config.corsOrigins,
      trustedProxies: config.trustedProxies,
      rawPingIntervalMs: config.rawPingIntervalMs,
      limits: config.limits,
      clock,
      dispatcher,
      sessions: () => rooms.sessions(),
      http,
      authenticate: (token, address) => identity.authenticate(token, address),
      log: log.child("transport"),
      onRawFrameBytes: (bytes) => metrics.receivedRawBytes(bytes),
    });
  } catch (error) {
    feed.close();
    // Shown only once a server is up: a start that failed generates it again next time.
    if (admin.generated) await Deno.remove(admin.path).catch(() => {});
    await backend.closeFirst();
    await builds.close(0);
    health.close();
    await worlds.close();
    await backend.closeOnFailedStart();
    throw error;
  }
  if (admin.generated) options.onAdminTokenGenerated?.(admin.token, admin.path);
  backend.afterStart(await builds.recover());

  let closed: Promise<void> | undefined;
  return {
    port: server.port,
    db: backend.db,
    buildsIdle: () => builds.idle(),
    collect: () => backend.collect(),
    close: () =>
      closed ??= (async () => {
        // Contract §9: stop accepting, let running builds finish (queued ones stay pending and
        // resume on restart), close sockets with 1001, then close the storage.
        server.stopAccepting();
        feed.close();
        await backend.closeFirst();
        await builds.close(BUILD_SHUTDOWN_GRACE_MS);
        health.close();
        await server.close();
        try {
          await quota.close();
        } catch (error) {
          log.warn("could not record the last second of quota charges", { error });
        }
        await worlds.close();
        await backend.closeLast();
      })(),
  };
}

/** Bus messages that mean lists the console shows changed. */
const CONSOLE_LISTS: Record<string, string[]> = {
  "world.created": ["worlds"],
  "world.list_updated": ["worlds"],
  "world_cleared": ["worlds"],
  "spell.active_update": ["spells", "audit"],
  "spell.revision_ready": ["spells"],
  "spell.revoked": ["spells", "audit"],
};
