import { join } from "node:path";
import type { Config } from "./config.ts";
import { BuildService } from "./core/build/build_service.ts";
import { Dispatcher } from "./core/dispatcher.ts";
import { Hub } from "./core/hub.ts";
import { Metrics } from "./core/metrics.ts";
import { highWaterFor } from "./core/pacing.ts";
import { type Clock, systemClock } from "./core/rate_limiter.ts";
import { ContentService } from "./core/spell/content_service.ts";
import { SpellService } from "./core/spell/spell_service.ts";
import { WorldService } from "./core/world/world_service.ts";
import { coreRoutes, createHttpHandler } from "./http/routes.ts";
import { metricsRoute } from "./http/metrics_route.ts";
import { spellRoutes } from "./http/spell_routes.ts";
import type { Logger } from "./log.ts";
import { ClientEvent } from "./protocol/mod.ts";
import { closeDatabase, type Database, openDatabase, transaction } from "./storage/db.ts";
import { Checkpointer } from "./storage/checkpointer.ts";
import { FsBlobStore } from "./storage/fs_blob_store.ts";
import { SqliteJobRepo } from "./storage/job_repo.ts";
import { SqliteSpellRepo } from "./storage/spell_repo.ts";
import { SqliteWorldRepo } from "./storage/world_repo.ts";
import { type RunningServer, startServer } from "./transport/server.ts";
import { WorkerPool } from "./workers/worker_pool.ts";

export const VERSION = "0.1.0";

const BUILD_TIMEOUT_MS = 30_000;
const BUILD_SHUTDOWN_GRACE_MS = 5_000;
const CHECKPOINT_INTERVAL_MS = 1_000;

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
  await Deno.mkdir(config.dataDir, { recursive: true });
  const dbPath = join(config.dataDir, "ugc.db");
  const db = openDatabase(dbPath);
  const checkpointer = new Checkpointer({
    db,
    path: dbPath,
    intervalMs: CHECKPOINT_INTERVAL_MS,
    log: log.child("storage"),
    ...(options.workerUrls?.checkpoint ? { workerUrl: options.workerUrls.checkpoint } : {}),
  });
  const blobs = new FsBlobStore(join(config.dataDir, "blobs"));
  const sweptTemp = await blobs.sweepTemp();

  const metrics = new Metrics();
  const hub = new Hub({
    onDeliver: (event, bytes, recipients) => metrics.sent(event, bytes, recipients),
  });
  const worldRepo = new SqliteWorldRepo(db);
  const spellRepo = new SqliteSpellRepo(db);
  const jobRepo = new SqliteJobRepo(db);
  const spells = new SpellService({ spells: spellRepo, hub, clock, limits: config.limits });
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
      ...(options.workerUrls?.build ? { workerUrl: options.workerUrls.build } : {}),
    }),
    hub,
    clock,
    concurrency: config.buildWorkers,
    limits: config.limits,
    log: log.child("build"),
    onFinished: (seconds, ok) => metrics.buildFinished(seconds, ok),
  });
  const worlds = new WorldService({
    repo: worldRepo,
    hub,
    clock,
    limits: config.limits,
    afterJoin: (session, worldId) => spells.announceOnJoin(session, worldId),
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
  });
  const http = createHttpHandler(
    [
      coreRoutes({ hub, worlds: worlds.lists, version: VERSION, startedAt: clock.now() }),
      spellRoutes({ spells: spellRepo, jobView: (jobId) => builds.view(jobId), content }),
      metricsRoute(metrics, {
        connections: () => hub.countByTransport(),
        worlds: () => worldRepo.count(),
        buildQueueDepth: () => builds.depth,
      }),
    ],
    (error) => {
      const id = crypto.randomUUID();
      log.error("http route failed", { error_id: id, error });
      return id;
    },
  );

  let server: RunningServer;
  try {
    server = await startServer({
      host: config.host,
      port: config.port,
      corsOrigins: config.corsOrigins,
      trustedProxies: config.trustedProxies,
      limits: config.limits,
      dispatcher,
      hub,
      http,
      log: log.child("transport"),
      onRawFrameBytes: (bytes) => metrics.receivedRawBytes(bytes),
    });
  } catch (error) {
    await builds.close(0);
    worlds.close();
    checkpointer.close();
    db.close();
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
    close: () =>
      closed ??= (async () => {
        // Contract §9: stop accepting, let running builds finish (queued ones stay pending and
        // resume on restart), close sockets with 1001, then checkpoint SQLite.
        server.stopAccepting();
        await builds.close(BUILD_SHUTDOWN_GRACE_MS);
        await server.close();
        worlds.close();
        checkpointer.close();
        closeDatabase(db);
      })(),
  };
}
