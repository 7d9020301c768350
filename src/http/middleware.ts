import { type HttpContext, HttpError, type Middleware } from "./http_app.ts";

/**
 * Headers every response carries. API answers are data, never documents: a browser must not sniff
 * them into HTML, frame them or run anything in them. A route that serves a page (the operator
 * console) sets its own Content-Security-Policy, which is kept.
 */
export function securityHeaders(): Middleware {
  return async (_ctx, next) => {
    const response = await next();
    const headers = response.headers;
    headers.set("x-content-type-options", "nosniff");
    headers.set("referrer-policy", "no-referrer");
    headers.set("x-frame-options", "DENY");
    headers.set("cross-origin-resource-policy", "same-site");
    if (!headers.has("content-security-policy")) {
      headers.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
    }
    return response;
  };
}

const CORS_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
const CORS_HEADERS = "authorization, content-type";

/**
 * CORS for `/api/…` from the `CORS_ORIGINS` option (the same list Socket.IO polling uses): an
 * allowed origin gets its own origin echoed (never `*`, since requests may carry a token), a
 * preflight is answered here, and any other origin gets no CORS headers, so browsers refuse it.
 */
export function cors(origins: readonly string[]): Middleware {
  const allowed = new Set(origins);
  return async (ctx, next) => {
    if (!ctx.url.pathname.startsWith("/api/")) return await next();
    const origin = ctx.request.headers.get("origin");
    const allowOrigin = origin !== null && allowed.has(origin);
    if (
      ctx.request.method === "OPTIONS" && ctx.request.headers.has("access-control-request-method")
    ) {
      if (!allowOrigin) return new Response(null, { status: 403, headers: { vary: "origin" } });
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": CORS_METHODS,
          "access-control-allow-headers": CORS_HEADERS,
          "access-control-max-age": "600",
          vary: "origin",
        },
      });
    }
    const response = await next();
    response.headers.append("vary", "origin");
    if (allowOrigin) {
      response.headers.set("access-control-allow-origin", origin);
      // The operator API's listings page with it (docs/ADMIN_API.md).
      response.headers.set("access-control-expose-headers", "x-next-cursor");
    }
    return response;
  };
}

/**
 * Resolves who is asking before any route runs and leaves it in `ctx.state` under `PRINCIPAL`.
 * `resolve` gets the bearer token (or null) and returns the principal, or throws an HttpError
 * (401 for a token that is wrong, expired or revoked: never a silent downgrade to a guest).
 */
export function authenticate<P>(
  resolve: (token: string | null, ctx: HttpContext) => P | Promise<P>,
): Middleware {
  return async (ctx, next) => {
    ctx.state.set(PRINCIPAL, await resolve(bearerToken(ctx.request), ctx));
    return await next();
  };
}

/** The `ctx.state` key of the authenticated principal. */
export const PRINCIPAL = "principal";

/** The token of `Authorization: Bearer <token>`, or null; any other scheme is refused. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer +([\x21-\x7e]+)$/i.exec(header.trim());
  if (!match) {
    throw new HttpError(401, "Authorization must be 'Bearer <token>'", {
      "www-authenticate": 'Bearer realm="ugc-world"',
    });
  }
  return match[1]!;
}

/**
 * Reads a JSON object body of at most `maxBytes`, counting the bytes as they arrive (a missing or
 * lying Content-Length cannot stretch it). 413 over the bound, 415 for another content type, 400
 * for anything that is not a JSON object.
 */
export async function readJsonBody(
  ctx: HttpContext,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const type = ctx.request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, "Body must be application/json");
  }
  const declared = Number(ctx.request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new HttpError(413, `Body is over ${maxBytes} bytes`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (ctx.request.body) {
    const reader = ctx.request.body.getReader();
    while (true) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        // The transport's own bound (MAX_HTTP_BODY_BYTES) or a client that went away.
        if (error instanceof HttpError) throw error;
        throw new HttpError(400, "Request body could not be read");
      }
      const { done, value } = next;
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new HttpError(413, `Body is over ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(concat(chunks, total)));
  } catch {
    throw new HttpError(400, "Body must be valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "Body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
