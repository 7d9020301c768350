import { AdminError, type AdminService, type Page } from "../core/identity/admin_service.ts";
import { ProtocolError } from "../protocol/mod.ts";
import { principalOf } from "./identity_routes.ts";
import { readJsonBody } from "./middleware.ts";
import { type HttpContext, HttpError, json, type Router } from "./http_app.ts";

type AdminHandler = (ctx: HttpContext) => Promise<Response> | Response;

/**
 * The operator API (docs/ADMIN_API.md): `/api/admin/…`, JSON in and out, for the bearer of
 * ADMIN_TOKEN only (401 for anyone else, before any route is matched to a body). Listings that
 * page put the next page's cursor in `X-Next-Cursor`.
 */
export function adminRoutes(
  router: Router,
  options: { admin: AdminService; maxBodyBytes: number },
): void {
  const { admin } = options;
  const body = (ctx: HttpContext) => readJsonBody(ctx, options.maxBodyBytes);
  /** A body is optional where every field is: none (or an empty one) is `{}`. */
  const optionalBody = async (ctx: HttpContext) => {
    const length = ctx.request.headers.get("content-length");
    // An unread body is left to the transport (cancelling node's stream here throws later).
    if (length === "0" || (!ctx.request.headers.has("content-type") && length === null)) return {};
    return await body(ctx);
  };
  const q = (ctx: HttpContext, name: string) => ctx.url.searchParams.get(name);
  const route = (method: "GET" | "POST" | "DELETE", path: string, handler: AdminHandler) =>
    router.on(method, path, (ctx) => guarded(ctx, handler));

  route("GET", "/api/admin/overview", async () => json(await admin.overview()));
  route("GET", "/api/admin/connections", async () => json(await admin.connections()));
  route("POST", "/api/admin/connections/:session_id/kick", async (ctx) => {
    await admin.kick(ctx.params.session_id!, await optionalBody(ctx), ctx.address);
    return json({ kicked: ctx.params.session_id });
  });
  route(
    "GET",
    "/api/admin/players",
    async (ctx) => paged(await admin.players(q(ctx, "limit"), q(ctx, "cursor"))),
  );
  route("POST", "/api/admin/players/:player_id/revoke", async (ctx) => {
    await admin.revokePlayer(ctx.params.player_id!, ctx.address);
    return json({ revoked: ctx.params.player_id });
  });
  route(
    "GET",
    "/api/admin/worlds",
    async (ctx) => paged(await admin.worlds(q(ctx, "limit"), q(ctx, "cursor"))),
  );
  route(
    "POST",
    "/api/admin/worlds/:world_id/clear",
    async (ctx) => json(await admin.clearWorld(ctx.params.world_id!, ctx.address)),
  );
  route("DELETE", "/api/admin/worlds/:world_id", async (ctx) => {
    await admin.deleteWorld(ctx.params.world_id!, ctx.address);
    return json({ deleted: ctx.params.world_id });
  });
  route(
    "GET",
    "/api/admin/spells",
    async (ctx) => paged(await admin.spells(q(ctx, "limit"), q(ctx, "cursor"))),
  );
  route(
    "GET",
    "/api/admin/spells/:spell_id",
    async (ctx) => json(await admin.spell(ctx.params.spell_id!)),
  );
  route(
    "GET",
    "/api/admin/spells/:spell_id/revisions/:revision_id/code",
    async (ctx) => json(await admin.code(ctx.params.spell_id!, ctx.params.revision_id!)),
  );
  route(
    "POST",
    "/api/admin/spells/:spell_id/publish",
    async (ctx) => json(await admin.publish(ctx.params.spell_id!, await body(ctx), ctx.address)),
  );
  route(
    "POST",
    "/api/admin/spells/:spell_id/revisions/:revision_id/quarantine",
    async (ctx) =>
      json(
        await admin.quarantine(
          ctx.params.spell_id!,
          ctx.params.revision_id!,
          await body(ctx),
          ctx.address,
        ),
      ),
  );
  route(
    "GET",
    "/api/admin/reports",
    async (ctx) => json(await admin.reports(q(ctx, "status"), q(ctx, "limit"))),
  );
  route(
    "POST",
    "/api/admin/reports/:report_id/resolve",
    async (ctx) =>
      json(await admin.resolveReport(ctx.params.report_id!, await optionalBody(ctx), ctx.address)),
  );
  route("GET", "/api/admin/bans", async () => json(await admin.bans()));
  route(
    "POST",
    "/api/admin/bans",
    async (ctx) => json(await admin.ban(await body(ctx), ctx.address), 201),
  );
  route("DELETE", "/api/admin/bans/:ban_id", async (ctx) => {
    await admin.unban(ctx.params.ban_id!, ctx.address);
    return json({ deleted: ctx.params.ban_id });
  });
  route(
    "GET",
    "/api/admin/jobs",
    async (ctx) => json(await admin.jobs(q(ctx, "status"), q(ctx, "limit"))),
  );
  route("GET", "/api/admin/audit", async (ctx) =>
    paged(
      await admin.audit({
        actor: q(ctx, "actor"),
        action: q(ctx, "action"),
        since: q(ctx, "since"),
        cursor: q(ctx, "cursor"),
        limit: q(ctx, "limit"),
      }),
    ));
  // Anything else under /api/admin/ is a 401 for strangers (no map of routes) and a 404 for operators.
  for (const method of ["GET", "POST", "DELETE", "PUT", "PATCH"] as const) {
    router.on(
      method,
      "/api/admin/*",
      (ctx) => guarded(ctx, () => json({ error: "not found" }, 404)),
    );
  }
}

/** Only the operator; an AdminError becomes its status, a ProtocolError (a core refusal) a 409. */
async function guarded(ctx: HttpContext, handler: AdminHandler): Promise<Response> {
  if (principalOf(ctx).kind !== "operator") {
    throw new HttpError(401, "The operator API needs 'Authorization: Bearer <ADMIN_TOKEN>'", {
      "www-authenticate": 'Bearer realm="ugc-world-admin"',
    });
  }
  try {
    return await handler(ctx);
  } catch (error) {
    if (error instanceof AdminError) throw new HttpError(error.status, error.message);
    if (error instanceof ProtocolError) throw new HttpError(409, error.message);
    throw error;
  }
}

function paged<T>(page: Page<T>): Response {
  return json(page.items, 200, page.nextCursor ? { "x-next-cursor": page.nextCursor } : {});
}
