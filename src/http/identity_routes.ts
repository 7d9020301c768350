import { IdentityRefusal, type IdentityService } from "../core/identity/identity_service.ts";
import { guest, type Principal } from "../core/identity/principal.ts";
import { authenticate, bearerToken, PRINCIPAL, readJsonBody } from "./middleware.ts";
import { type HttpContext, HttpError, json, type Middleware, type Router } from "./http_app.ts";

/** The principal of a request without a token: a guest that owns nothing. */
export const HTTP_GUEST: Principal = guest("http");

/**
 * Who every request is, before any route runs: no `Authorization` is a guest; a player's token or
 * ADMIN_TOKEN is that principal; anything else is 401 (never a silent guest), a ban 403.
 */
export function identityMiddleware(identity: IdentityService): Middleware {
  return authenticate(async (token, ctx) => {
    try {
      return await identity.authenticate(token, ctx.address) ?? HTTP_GUEST;
    } catch (error) {
      throw httpError(error);
    }
  });
}

/** The request's principal (set by `identityMiddleware`). */
export function principalOf(ctx: HttpContext): Principal {
  return (ctx.state.get(PRINCIPAL) as Principal | undefined) ?? HTTP_GUEST;
}

/** `POST /api/players` and `DELETE /api/players/me/token`. */
export function identityRoutes(
  router: Router,
  options: {
    identity: IdentityService;
    maxBodyBytes: number;
    /** Closes the player's open connections (its token no longer names it). */
    disconnect: (playerId: string) => Promise<void>;
  },
): void {
  const { identity } = options;
  router.post("/api/players", async (ctx) => {
    const hasBody = ctx.request.headers.get("content-length") !== "0" &&
      ctx.request.headers.has("content-type");
    const body = hasBody ? await readJsonBody(ctx, Math.min(options.maxBodyBytes, 4096)) : {};
    try {
      return json(await identity.createPlayer(ctx.address, body.display_name), 201);
    } catch (error) {
      throw httpError(error);
    }
  });
  router.delete("/api/players/me/token", async (ctx) => {
    const principal = principalOf(ctx);
    if (principal.kind !== "player" || bearerToken(ctx.request) === null) {
      throw new HttpError(401, "Present the player's token as 'Authorization: Bearer <token>'");
    }
    await identity.revoke(principal.id);
    await options.disconnect(principal.id);
    return new Response(null, { status: 204 });
  });
}

function httpError(error: unknown): unknown {
  if (!(error instanceof IdentityRefusal)) return error;
  const headers: Record<string, string> = error.status === 401
    ? { "www-authenticate": 'Bearer realm="ugc-world"' }
    : {};
  return new HttpError(error.status, error.message, headers);
}
