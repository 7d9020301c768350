import type { Clock } from "../core/ports/clock.ts";
import type { Presence } from "../core/ports/presence.ts";
import type { WorldList } from "../core/world/world_list.ts";
import { ProtocolError } from "../protocol/mod.ts";
import { HttpError, json, type Router } from "./http_app.ts";

const HEALTH_PATHS = ["/health", "/healthz", "/api/health"];

/** Health checks (fly.io and docker probe these) and the world list, a page at a time. */
export function coreRoutes(
  router: Router,
  options: {
    presence: Presence;
    worlds: WorldList;
    version: string;
    startedAt: number;
    clock: Clock;
    /**
     * Readiness: each dependency's state ("ok" or why not). `/readyz` answers 503 naming those
     * that are not ok (a load balancer stops sending new players here); `/healthz` stays liveness.
     */
    readiness?: () => Promise<Record<string, string>>;
  },
): void {
  const health = () =>
    json({
      status: "ok",
      clients: options.presence.connections(),
      server: "ugc-world-backend",
      version: options.version,
      uptime_s: Math.round((options.clock.now() - options.startedAt) / 1000),
    });
  for (const path of HEALTH_PATHS) router.get(path, health);
  router.get("/readyz", async () => {
    const checks = options.readiness ? await options.readiness() : {};
    const ready = Object.values(checks).every((state) => state === "ok");
    return json({ status: ready ? "ready" : "unavailable", checks }, ready ? 200 : 503);
  });
  router.get("/api/worlds", async ({ url }) => {
    try {
      return json(
        await options.worlds.page(url.searchParams.get("limit"), url.searchParams.get("cursor")),
      );
    } catch (error) {
      if (error instanceof ProtocolError) throw new HttpError(400, error.message);
      throw error;
    }
  });
}
