import type { Hub } from "../core/hub.ts";
import type { WorldService } from "../core/world/world_service.ts";
import { json, type Router } from "./http_app.ts";

const HEALTH_PATHS = ["/health", "/healthz", "/api/health"];

/** Health checks (fly.io and docker probe these) and the world list. */
export function coreRoutes(
  router: Router,
  options: { hub: Hub; worlds: WorldService; version: string; startedAt: number },
): void {
  const health = () =>
    json({
      status: "ok",
      clients: options.hub.connectionCount,
      server: "ugc-world-backend",
      version: options.version,
      uptime_s: Math.round((Date.now() - options.startedAt) / 1000),
    });
  for (const path of HEALTH_PATHS) router.get(path, health);
  router.get("/api/worlds", () => json({ worlds: options.worlds.allWorlds() }));
}
