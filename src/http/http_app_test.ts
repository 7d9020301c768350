import assert from "node:assert/strict";
import { createHttpApp, HttpError, json, Router } from "./http_app.ts";
import {
  authenticate,
  bearerToken,
  cors,
  PRINCIPAL,
  readJsonBody,
  securityHeaders,
} from "./middleware.ts";

const INFO = { address: "203.0.113.5" };

function appWith(router: Router, errors: unknown[] = []) {
  return createHttpApp({
    router,
    middleware: [securityHeaders(), cors(["https://ok.example"])],
    onError: (error) => {
      errors.push(error);
      return "err-1";
    },
  });
}

const request = (path: string, init?: RequestInit) => new Request(`http://localhost${path}`, init);

Deno.test("Router: params are decoded, `*` takes the rest, empty or malformed segments match nothing", async () => {
  const router = new Router()
    .get("/a/:id/files/*", ({ params }) => json(params))
    .get("/a/:id", ({ params, address }) => json({ ...params, address }));
  const app = appWith(router);
  assert.deepEqual(await (await app(request("/a/x%20y/files/code/spell.gd"), INFO)).json(), {
    id: "x y",
    "*": "code/spell.gd",
  });
  assert.deepEqual(await (await app(request("/a/7"), INFO)).json(), {
    id: "7",
    address: "203.0.113.5",
  });
  for (const path of ["/a/", "/a/7/files/", "/a/7/files/a//b", "/a/%E0%A4%A/files/x", "/a/7/x"]) {
    const response = await app(request(path), INFO);
    assert.equal(response.status, 404, path);
    assert.deepEqual(await response.json(), { error: "not found" });
  }
});

Deno.test("Router: another method on a known path is 405 with Allow; HEAD uses GET; OPTIONS lists", async () => {
  const router = new Router().get("/r", () => json({ ok: true })).delete("/r", () => json({}));
  const app = appWith(router);
  for (const method of ["POST", "PUT", "PATCH", "PROPFIND"]) {
    const response = await app(request("/r", { method }), INFO);
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, DELETE, HEAD, OPTIONS");
    assert.deepEqual(await response.json(), { error: "method not allowed" });
  }
  assert.equal((await app(request("/r", { method: "HEAD" }), INFO)).status, 200);
  const options = await app(request("/r", { method: "OPTIONS" }), INFO);
  assert.equal(options.status, 204);
  assert.equal(options.headers.get("allow"), "GET, DELETE, HEAD, OPTIONS");
  assert.equal((await app(request("/elsewhere", { method: "POST" }), INFO)).status, 404);
});

Deno.test("the error boundary: HttpError keeps its status, anything else is a 500 with an id only", async () => {
  const errors: unknown[] = [];
  const router = new Router()
    .get("/teapot", () => {
      throw new HttpError(418, "short and stout", { "x-extra": "1" });
    })
    .get("/bug", () => {
      throw new Error("secret internals at /srv/db");
    });
  const app = appWith(router, errors);
  const teapot = await app(request("/teapot"), INFO);
  assert.equal(teapot.status, 418);
  assert.equal(teapot.headers.get("x-extra"), "1");
  assert.deepEqual(await teapot.json(), { error: "short and stout" });
  const bug = await app(request("/bug"), INFO);
  assert.equal(bug.status, 500);
  assert.deepEqual(await bug.json(), { error: "internal error", id: "err-1" });
  assert.equal(errors.length, 1);
  // Middleware still wraps error responses.
  assert.equal(bug.headers.get("x-content-type-options"), "nosniff");
});

Deno.test("securityHeaders: every response, a route's own CSP is kept", async () => {
  const router = new Router()
    .get("/data", () => json({}))
    .get(
      "/page",
      () => new Response("<p>", { headers: { "content-security-policy": "default-src 'self'" } }),
    );
  const app = appWith(router);
  const data = await app(request("/data"), INFO);
  assert.equal(data.headers.get("x-content-type-options"), "nosniff");
  assert.equal(data.headers.get("x-frame-options"), "DENY");
  assert.equal(data.headers.get("referrer-policy"), "no-referrer");
  assert.equal(
    data.headers.get("content-security-policy"),
    "default-src 'none'; frame-ancestors 'none'",
  );
  const page = await app(request("/page"), INFO);
  assert.equal(page.headers.get("content-security-policy"), "default-src 'self'");
});

Deno.test("cors: /api answers allowed origins (echoed, never *), preflights, and nothing else", async () => {
  const router = new Router().get("/api/x", () => json({})).get("/metrics", () => json({}));
  const app = appWith(router);
  const allowed = await app(request("/api/x", { headers: { origin: "https://ok.example" } }), INFO);
  assert.equal(allowed.headers.get("access-control-allow-origin"), "https://ok.example");
  assert.match(allowed.headers.get("vary")!, /origin/);
  const other = await app(request("/api/x", { headers: { origin: "https://evil.example" } }), INFO);
  assert.equal(other.status, 200);
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  const outside = await app(
    request("/metrics", { headers: { origin: "https://ok.example" } }),
    INFO,
  );
  assert.equal(outside.headers.get("access-control-allow-origin"), null);

  const preflight = (origin: string) =>
    app(
      request("/api/x", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      }),
      INFO,
    );
  const ok = await preflight("https://ok.example");
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://ok.example");
  assert.match(ok.headers.get("access-control-allow-headers")!, /authorization/);
  const refused = await preflight("https://evil.example");
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
});

Deno.test("authenticate: the principal reaches the route; a malformed Authorization is a 401", async () => {
  const router = new Router().get("/api/me", ({ state }) => json({ who: state.get(PRINCIPAL) }));
  const app = createHttpApp({
    router,
    middleware: [
      authenticate((token) => {
        if (token === null) return "guest";
        if (token === "good") return "player";
        throw new HttpError(401, "Unknown or revoked token");
      }),
    ],
    onError: () => "x",
  });
  const who = async (headers: HeadersInit) => {
    const response = await app(request("/api/me", { headers }), INFO);
    return [response.status, await response.json()];
  };
  assert.deepEqual(await who({}), [200, { who: "guest" }]);
  assert.deepEqual(await who({ authorization: "Bearer good" }), [200, { who: "player" }]);
  assert.deepEqual(await who({ authorization: "Bearer bad" }), [401, {
    error: "Unknown or revoked token",
  }]);
  assert.deepEqual(await who({ authorization: "Basic Zm9vOmJhcg==" }), [401, {
    error: "Authorization must be 'Bearer <token>'",
  }]);
  assert.equal(bearerToken(request("/", { headers: { authorization: "bearer  t0k " } })), "t0k");
});

Deno.test("readJsonBody: bounded by declared and by counted bytes; type and shape checked", async () => {
  const router = new Router().post("/in", async (ctx) => json(await readJsonBody(ctx, 16)));
  const app = appWith(router);
  const post = async (body: BodyInit, headers: Record<string, string> = {}) => {
    const response = await app(
      request("/in", {
        method: "POST",
        body,
        headers: { "content-type": "application/json", ...headers },
      }),
      INFO,
    );
    return [response.status, await response.json()];
  };
  assert.deepEqual(await post('{"a":1}'), [200, { a: 1 }]);
  assert.deepEqual((await post('{"a":"0123456789abcdef"}'))[0], 413);
  // A chunked body with no Content-Length is counted as it arrives.
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('{"a":1}'));
      controller.close();
    },
  });
  assert.deepEqual((await post(chunks))[0], 413);
  assert.deepEqual((await post("[1]"))[0], 400);
  assert.deepEqual((await post("{nope"))[0], 400);
  assert.deepEqual((await post(new Uint8Array([0x7b, 0xff, 0x7d])))[0], 400);
  assert.deepEqual((await post('{"a":1}', { "content-type": "text/plain" }))[0], 415);
});
