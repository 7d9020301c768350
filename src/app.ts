import { join } from "node:path";
import type { Config } from "./config.ts";
import { BuildService } from "./core/build/build_service.ts";
import { Dispatcher } from "./core/dispatcher.ts";
import { Hub } from "./core/hub.ts";
import { Metrics } from "./core/metrics.ts";
import { highWaterFor } from "./core/pacing.ts";
import { type Clock, systemClock } from "./core/rate_limiter.ts";
import { DataBudget } from "./core/quota/data_budget.ts";
import { QuotaService } from "./core/quota/quota_service.ts";
import { ContentService } from "./core/spell/content_service.ts";
import { SpellService } from "./core/spell/spell_service.ts";
import { WorldService } from "./core/world/world_service.ts";
import { createHttpApp, Router } from "./http/http_app.ts";
import { cors, securityHeaders } from "./http/middleware.ts";
import { coreRoutes } from "./http/routes.ts";
import { metricsRoute } from "./http/metrics_route.ts";
import { spellRoutes } from "./http/spell_routes.ts";
import type { Logger } from "./log.ts";
import { ClientEvent } from "./protocol/mod.ts";
import { closeDatabase, type Database, openDatabase, transaction } from "./storage/db.ts";
import { BlobLeases } from "./storage/blob_leases.ts";
import { Checkpointer } from "./storage/checkpointer.ts";
import { type CollectionReport, Collector } from "./storage/collector.ts";
import { CollectorSchedule } from "./storage/collector_schedule.ts";
import { measureDataBytes } from "./storage/data_usage.ts";
import { lockDataDir, prepareDataDir } from "./storage/data_dir.ts";
import { FsBlobStore } from "./storage/fs_blob_store.ts";
import { SqliteJobRepo } from "./storage/job_repo.ts";
import { SqliteQuotaRepo } from "./storage/quota_repo.ts";
import { isStorageFull } from "./storage/storage_errors.ts";
import { StorageHealth } from "./storage/storage_health.ts";
import { probeStorage } from "./storage/storage_probe.ts";
import { SqliteSpellRepo } from "./storage/spell_repo.ts";
import { SqliteWorldRepo } from "./storage/world_repo.ts";
import { type RunningServer, startServer } from "./transport/server.ts";
import { WorkerPool } from "./workers/worker_pool.ts";

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

export interface App {
  readonly port: number;
  readonly db: Database;
  /** Resolves when no build is queued or running. */
  buildsIdle(): Promise<void>;
  /** Runs the storage collector now (it also runs every GC_INTERVAL_SEC). */
  collect(): Promise<CollectionReport>;
  /** Graceful stop: let running builds finish, close sockets (1001), checkpoint and close the database. */
  close(): Promise<void>;
}

/** The composition root: builds every real object from the config and starts listening. */
export async function startApp(
  config: Config,
  options: { log: Logger; clock?: Clock; workerUrls?: WorkerUrls },
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
  const blobs = new FsBlobStore(join(config.dataDir, "blobs"));
  const storageLog = log.child("storage");
  const health = new StorageHealth({ log: storageLog, probe: () => probeStorage(db, blobs.root) });
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
  const leases = new BlobLeases(db);
  const budget = new DataBudget({
    max: config.limits.maxDataBytes,
    measure: () => measureDataBytes(db),
    clock,
  });
  const collection = new CollectorSchedule({
    collector: new Collector({
      db,
      blobs,
      draftRetentionHours: config.draftRetentionHours,
      failedJobRetentionHours: config.failedJobRetentionHours,
      blobGraceSec: config.blobGraceSec,
      now: () => clock.now(),
      pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
    }),
    intervalMs: config.gcIntervalSec * 1000,
    log: storageLog,
    // What it freed no longer counts against anyone's quota or the data budget.
    onCollected: () => {
      quota.invalidate();
      budget.remeasure();
    },
  });
  const quota = new QuotaService({
    repo: new SqliteQuotaRepo(db),
    transaction: (body) => transaction(db, body),
    budget,
    limits: config.limits,
    clock,
    draftRetentionHours: config.draftRetentionHours,
    nextCollection: () => collection.nextRunAt,
  });

  const metrics = new Metrics();
  const hub = new Hub({
    onDeliver: (event, bytes, recipients) => metrics.sent(event, bytes, recipients),
  });
  const worldRepo = new SqliteWorldRepo(db);
  const spellRepo = new SqliteSpellRepo(db);
  const jobRepo = new SqliteJobRepo(db);
  const spells = new SpellService({ spells: spellRepo, hub, clock, limits: config.limits, quota });
  const content = new ContentService({ spells: spellRepo, blobs, hub });
  const builds = new BuildService({
    spells: spellRepo,
    jobs: jobRepo,
    transaction: (body) => transaction(db, body),
    runner: new WorkerPool({
      size: config.buildWorkers,
      blobRoot: blobs.root,
      timeoutMs: BUILD_TIMEOUT_MS,
      log: log.child("build"),
      lease: (jobId, hashes) => leases.lease(jobId, hashes, clock.now()),
      isStorageFull,
      ...(options.workerUrls?.build ? { workerUrl: options.workerUrls.build } : {}),
    }),
    hub,
    clock,
    concurrency: config.buildWorkers,
    limits: config.limits,
    capabilities: config.spellCapabilities,
    log: log.child("build"),
    onFinished: (seconds, ok) => metrics.buildFinished(seconds, ok),
    quota,
    storage: health,
  });
  const worlds = new WorldService({
    repo: worldRepo,
    hub,
    clock,
    limits: config.limits,
    afterJoin: (session, worldId) => spells.announceOnJoin(session, worldId),
    quota,
  });
  const dispatcher = new Dispatcher({
    hub,
    worlds,
    handlers: {
      [ClientEvent.SPELL_CREATE_DRAFT]: (session, payload) => spells.createDraft(session, payload),
      [ClientEvent.SPELL_START_BUILD]: (session, payload) => builds.startBuild(session, payload),
      [ClientEvent.SPELL_PUBLISH]: (session, payload) => spells.publish(session, payload),
      [ClientEvent.SPELL_LIST]: (session) => spells.list(session),
      [ClientEvent.SPELL_GET_REVISIONS]: (session, payload) =>
        spells.getRevisions(session, payload),
      [ClientEvent.SPELL_CAST_REQUEST]: (session, payload) => spells.castRequest(session, payload),
      [ClientEvent.CONTENT_GET_MANIFEST]: (session, payload) =>
        content.getManifest(session, payload),
      [ClientEvent.CONTENT_GET_FILE]: (session, payload) => content.getFile(session, payload),
      [ClientEvent.CONTENT_LIST_FILES]: (session, payload) => content.listFiles(session, payload),
    },
    clock,
    rate: { perSecond: config.limits.rateLimitPerSecond, burst: config.limits.rateLimitBurst },
    reads: {
      queueMax: config.limits.readQueueMax,
      highWater: highWaterFor(config.limits.maxBufferedBytes),
    },
    log: log.child("core"),
    observer: metrics,
    mapError: (error) => health.refusal(error),
  });
  const router = new Router();
  coreRoutes(router, { hub, worlds: worlds.lists, version: VERSION, startedAt: clock.now() });
  spellRoutes(router, { spells, content, builds });
  metricsRoute(router, metrics, {
    connections: () => hub.countByTransport(),
    worlds: () => worldRepo.count(),
    buildQueueDepth: () => builds.depth,
  });
  const http = createHttpApp({
    router,
    middleware: [securityHeaders(), cors(config.corsOrigins)],
    onError: (error) => {
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
      hub,
      http,
      log: log.child("transport"),
      onRawFrameBytes: (bytes) => metrics.receivedRawBytes(bytes),
    });
  } catch (error) {
    await collection.close();
    await builds.close(0);
    health.close();
    worlds.close();
    checkpointer.close();
    db.close();
    lock.release();
    throw error;
  }
  const requeued = builds.recover();
  if (requeued > 0 || sweptTemp > 0) {
    log.info("recovered after restart", {
      requeued_builds: requeued,
      temp_files_removed: sweptTemp,
    });
  }

  let closed: Promise<void> | undefined;
  return {
    port: server.port,
    db,
    buildsIdle: () => builds.idle(),
    collect: () => collection.runNow(),
    close: () =>
      closed ??= (async () => {
        // Contract §9: stop accepting, let running builds finish (queued ones stay pending and
        // resume on restart), close sockets with 1001, then checkpoint SQLite.
        server.stopAccepting();
        await collection.close();
        await builds.close(BUILD_SHUTDOWN_GRACE_MS);
        health.close();
        await server.close();
        try {
          quota.close();
        } catch (error) {
          log.warn("could not record the last second of quota charges", { error });
        }
        worlds.close();
        checkpointer.close();
        closeDatabase(db);
        lock.release();
      })(),
  };
}
