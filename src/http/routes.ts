import type { Hub } from "../core/hub.ts";
import type { WorldList } from "../core/world/world_list.ts";
import { ProtocolError } from "../protocol/mod.ts";

/** A fetch-style route handler; `null` means "not mine". */
export type Route = (request: Request, url: URL) => Response | null | Promise<Response | null>;

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

export const notFound = (): Response => json({ error: "not found" }, 404);

const HEALTH_PATHS = new Set(["/health", "/healthz", "/api/health"]);

/** Health checks (fly.io and docker probe these) and the world list, a page at a time. */
export function coreRoutes(
  options: { hub: Hub; worlds: WorldList; version: string; startedAt: number },
): Route {
  return (_request, url) => {
    if (HEALTH_PATHS.has(url.pathname)) {
      return json({
        status: "ok",
        clients: options.hub.connectionCount,
        server: "ugc-world-backend",
        version: options.version,
        uptime_s: Math.round((Date.now() - options.startedAt) / 1000),
      });
    }
    if (url.pathname === "/api/worlds") {
      try {
        const params = url.searchParams;
        return json(options.worlds.page(params.get("limit"), params.get("cursor")));
      } catch (error) {
        if (error instanceof ProtocolError) return json({ error: error.message }, 400);
        throw error;
      }
    }
    return null;
  };
}

/**
 * One handler for every HTTP route: GET/HEAD only, JSON 404 for anything unknown, and no internal
 * error text ever reaches the client.
 */
export function createHttpHandler(routes: readonly Route[], onError: (error: unknown) => string) {
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return json({ error: "method not allowed" }, 405, { allow: "GET, HEAD" });
    }
    try {
      for (const route of routes) {
        const response = await route(request, url);
        if (response) return response;
      }
      return notFound();
    } catch (error) {
      return json({ error: "internal error", id: onError(error) }, 500);
    }
  };
}
