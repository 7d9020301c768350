import { join } from "node:path";
import type { Config } from "./config.ts";
import { Dispatcher } from "./core/dispatcher.ts";
import { Hub } from "./core/hub.ts";
import { type Clock, systemClock } from "./core/rate_limiter.ts";
import { WorldService } from "./core/world/world_service.ts";
import { coreRoutes, createHttpHandler } from "./http/routes.ts";
import type { Logger } from "./log.ts";
import { closeDatabase, type Database, openDatabase } from "./storage/db.ts";
import { SqliteWorldRepo } from "./storage/world_repo.ts";
import { type RunningServer, startServer } from "./transport/server.ts";

export const VERSION = "0.1.0";

export interface App {
  readonly port: number;
  readonly db: Database;
  /** Graceful stop: close sockets (1001), then checkpoint and close the database. */
  close(): Promise<void>;
}

/** The composition root: builds every real object from the config and starts listening. */
export async function startApp(
  config: Config,
  options: { log: Logger; clock?: Clock },
): Promise<App> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  await Deno.mkdir(config.dataDir, { recursive: true });
  const db = openDatabase(join(config.dataDir, "ugc.db"));

  const hub = new Hub();
  const worlds = new WorldService({
    repo: new SqliteWorldRepo(db),
    hub,
    clock,
    limits: config.limits,
  });
  const dispatcher = new Dispatcher({
    hub,
    worlds,
    clock,
    rate: { perSecond: config.limits.rateLimitPerSecond, burst: config.limits.rateLimitBurst },
    log: log.child("core"),
  });
  const http = createHttpHandler(
    [coreRoutes({ hub, worlds, version: VERSION, startedAt: clock.now() })],
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
      limits: config.limits,
      dispatcher,
      hub,
      http,
      log: log.child("transport"),
    });
  } catch (error) {
    db.close();
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    port: server.port,
    db,
    close: () =>
      closed ??= (async () => {
        await server.close();
        closeDatabase(db);
      })(),
  };
}
