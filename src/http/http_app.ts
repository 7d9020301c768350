/**
 * A small fetch-style HTTP layer: a method-aware router with `:param` and `*` segments, middleware
 * around every request, and one error boundary. It knows `Request`/`Response` only; the transport
 * turns node:http into these and streams the response back.
 * @module
 */

/** What a handler sees of one request. */
export interface HttpContext {
  readonly request: Request;
  readonly url: URL;
  /** Named segments of the matched route (`/api/jobs/:job_id` → `{ job_id }`), decoded. */
  params: Record<string, string>;
  /** The client's address (the TCP peer, or what a trusted proxy saw). */
  readonly address: string;
  /** Values middleware hands to handlers (the authenticated principal, for one). */
  readonly state: Map<string, unknown>;
}

export type HttpHandler = (ctx: HttpContext) => Response | Promise<Response>;
export type Middleware = (ctx: HttpContext, next: () => Promise<Response>) => Promise<Response>;

/** Connection facts the transport knows and `Request` cannot carry. */
export interface RequestInfo {
  address: string;
}

/** A refusal with a status and a message for the client: `{"error": message}` on the wire. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }
}

/** A JSON response; API responses are never cached unless a route says so. */
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

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface Route {
  method: Method;
  segments: string[];
  handler: HttpHandler;
}

/**
 * Routes by method and path. A path that matches under another method answers 405 with `Allow`;
 * HEAD is answered by the GET route (the transport drops the body); OPTIONS is left to middleware
 * (CORS) and otherwise answers 204 with `Allow`.
 */
export class Router {
  #routes: Route[] = [];

  on(method: Method, pattern: string, handler: HttpHandler): this {
    this.#routes.push({ method, segments: pattern.split("/").slice(1), handler });
    return this;
  }

  get(pattern: string, handler: HttpHandler): this {
    return this.on("GET", pattern, handler);
  }

  post(pattern: string, handler: HttpHandler): this {
    return this.on("POST", pattern, handler);
  }

  put(pattern: string, handler: HttpHandler): this {
    return this.on("PUT", pattern, handler);
  }

  delete(pattern: string, handler: HttpHandler): this {
    return this.on("DELETE", pattern, handler);
  }

  /** Answers `ctx` from the first route that matches its path and method. */
  handle(ctx: HttpContext): Response | Promise<Response> {
    const method = ctx.request.method === "HEAD" ? "GET" : ctx.request.method;
    const path = ctx.url.pathname.split("/").slice(1);
    const allowed = new Set<string>();
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, path);
      if (!params) continue;
      if (route.method === method) {
        ctx.params = params;
        return route.handler(ctx);
      }
      allowed.add(route.method);
    }
    if (allowed.size === 0) return notFound();
    if (allowed.has("GET")) allowed.add("HEAD");
    const allow = [...allowed, "OPTIONS"].join(", ");
    if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow } });
    return json({ error: "method not allowed" }, 405, { allow });
  }
}

/**
 * `:name` matches one non-empty segment, a final `*` the rest of the path (as `params["*"]`).
 * Segments are percent-decoded; a malformed escape matches nothing.
 */
function matchSegments(pattern: string[], path: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i]!;
    if (part === "*" && i === pattern.length - 1) {
      const rest = path.slice(i);
      if (rest.length === 0 || rest.some((segment) => segment === "")) return undefined;
      const decoded = decodeAll(rest);
      if (!decoded) return undefined;
      params["*"] = decoded.join("/");
      return params;
    }
    const segment = path[i];
    if (segment === undefined) return undefined;
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      const decoded = decodeAll([segment]);
      if (!decoded) return undefined;
      params[part.slice(1)] = decoded[0]!;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return path.length === pattern.length ? params : undefined;
}

function decodeAll(segments: string[]): string[] | undefined {
  try {
    return segments.map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/**
 * The whole HTTP application: middleware in order around the router. An HttpError becomes its
 * status and message; anything else is a bug, logged by `onError` under an id the client sees
 * instead of the internals.
 */
export function createHttpApp(options: {
  router: Router;
  middleware?: readonly Middleware[];
  onError: (error: unknown) => string;
}): (request: Request, info: RequestInfo) => Promise<Response> {
  const { router, onError } = options;
  const middleware = options.middleware ?? [];
  return async (request, info) => {
    const ctx: HttpContext = {
      request,
      url: new URL(request.url),
      params: {},
      address: info.address,
      state: new Map(),
    };
    const run = async (index: number): Promise<Response> => {
      try {
        const layer = middleware[index];
        return layer ? await layer(ctx, () => run(index + 1)) : await router.handle(ctx);
      } catch (error) {
        if (error instanceof HttpError) {
          return json({ error: error.message }, error.status, error.headers);
        }
        return json({ error: "internal error", id: onError(error) }, 500);
      }
    };
    return await run(0);
  };
}
