import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture, publish, sha256 } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

/** Sends raw bytes over TCP and returns the response head (status line + headers). */
async function rawRequest(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(4096);
    let text = "";
    while (!text.includes("\r\n\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return text.split("\r\n\r\n")[0]!;
  } finally {
    conn.close();
  }
}

Deno.test("HTTP: health endpoints, world list, JSON 404 and 405", async () => {
  const server = await startTestServer();
  try {
    for (const path of ["/health", "/healthz", "/api/health"]) {
      const response = await fetch(server.httpUrl + path);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type")!, /^application\/json/);
      const body = await response.json();
      assert.equal(body.status, "ok");
      assert.equal(body.server, "ugc-world-backend");
      assert.equal(body.clients, 0);
    }
    const worlds = await fetch(server.httpUrl + "/api/worlds");
    assert.deepEqual(await worlds.json(), { worlds: [], next_cursor: "" });
    for (const path of ["/", "/nope", "/api", "/api/worlds/extra", "/healthz/x"]) {
      const response = await fetch(server.httpUrl + path);
      assert.equal(response.status, 404, path);
      assert.deepEqual(await response.json(), { error: "not found" });
    }
    const post = await fetch(server.httpUrl + "/api/worlds", { method: "POST", body: "{}" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("raw WebSocket upgrade on any path answers 101 without a subprotocol header", async () => {
  const server = await startTestServer();
  try {
    for (const path of ["/", "/game", "/healthz"]) {
      const head = await rawRequest(
        server.app.port,
        `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n",
      );
      assert.match(head, /^HTTP\/1\.1 101/, path);
      assert.match(head, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
      assert.doesNotMatch(head, /sec-websocket-protocol/i, path);
    }
  } finally {
    await server.close();
  }
});

Deno.test("Socket.IO paths are answered once, by Socket.IO", async () => {
  const server = await startTestServer();
  try {
    const head = await rawRequest(
      server.app.port,
      "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert.match(head, /^HTTP\/1\.1 200/);
    const bad = await fetch(server.httpUrl + "/socket.io/?EIO=3&transport=polling");
    assert.equal(bad.status, 400); // engine.io's own answer, not our JSON 404
    await bad.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("shutdown does not wait for HTTP responses a client abandoned or connections it keeps idle", async () => {
  const server = await startTestServer();
  const player = await GodotClient.connect(server.wsUrl);
  const idle = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(server.httpUrl).port),
  });
  try {
    const { last } = await build(player, "demo_spark", { code: fixture("demo_spark.gd") });
    await publish(player, "demo_spark", last.revision_id as string);
    const base = `${server.httpUrl}/api/spells/demo_spark/revisions/${last.revision_id}`;
    // Downloads the client gives up on (one cancelled, one never read): in flight on the server.
    const abandoned = await fetch(`${base}/files/code/spell.gd`);
    await abandoned.body?.cancel();
    assert.equal((await fetch(`${base}/files/assets/icon.png`)).status, 200);
    // A keep-alive connection that was answered once and then sits idle, as in a fetch pool.
    await idle.write(
      new TextEncoder().encode(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n",
      ),
    );
    const buffer = new Uint8Array(4096);
    let response = "";
    while (!response.includes('"status":"ok"')) {
      const n = await idle.read(buffer);
      assert.notEqual(n, null, "the server closed a keep-alive connection early");
      response += new TextDecoder().decode(buffer.subarray(0, n!));
    }
    await player.close();
    // Before the fix, close() waited on the abandoned response for minutes: bound the wait.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      server.close().then(() => "closed"),
      new Promise((resolve) =>
        timer = setTimeout(() => resolve("still closing after 10 s"), 10_000)
      ),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, "closed");
    assert.equal(await idle.read(buffer), null, "the idle connection was ended by the server");
    assert.deepEqual(server.logs.filter((line) => String(line.msg).includes("still open")), []);
  } finally {
    idle.close();
  }
});

Deno.test("HTTP files stream with Content-Length; HEAD has the length and no body; a corrupt blob is cut short", async () => {
  const server = await startTestServer();
  const player = await GodotClient.connect(server.wsUrl);
  try {
    const code = fixture("demo_spark.gd");
    const { last } = await build(player, "demo_spark", { code });
    await publish(player, "demo_spark", last.revision_id as string);
    const base = `${server.httpUrl}/api/spells/demo_spark/revisions/${last.revision_id}`;
    const file = await fetch(`${base}/files/code/spell.gd`);
    assert.equal(file.status, 200);
    const bytes = new Uint8Array(await file.arrayBuffer());
    assert.equal(file.headers.get("content-length"), String(bytes.length));
    assert.equal(new TextDecoder().decode(bytes), code);
    assert.equal(file.headers.get("x-content-type-options"), "nosniff");

    const head = await fetch(`${base}/files/code/spell.gd`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(bytes.length));
    assert.equal((await head.arrayBuffer()).byteLength, 0);

    // Flip one byte of the stored blob: the download must not complete as if it were the file.
    const hash = sha256(bytes);
    const path = `${server.dataDir}/blobs/sha256/${hash.slice(0, 2)}/${hash}`;
    const stored = await Deno.readFile(path);
    stored[0] = stored[0]! ^ 1;
    await Deno.writeFile(path, stored);
    const corrupt = await fetch(`${base}/files/code/spell.gd`);
    assert.equal(corrupt.status, 500);
    assert.deepEqual(await corrupt.json(), { error: "internal error" });
    const failures = server.logs.filter((line) => line.msg === "http handler failed");
    assert.match(JSON.stringify(failures), /is corrupt/);
  } finally {
    await player.close();
    await server.close();
  }
});

Deno.test("HTTP: unknown methods are 405 with Allow, bodies over MAX_HTTP_BODY_BYTES are 413", async () => {
  const server = await startTestServer({ MAX_HTTP_BODY_BYTES: "2048" });
  try {
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const response = await fetch(`${server.httpUrl}/api/worlds`, { method, body: "{}" });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get("allow"), "GET, HEAD, OPTIONS");
      await response.body?.cancel();
    }
    const big = await fetch(`${server.httpUrl}/api/worlds`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(4096) }),
    });
    assert.equal(big.status, 413);
    assert.match((await big.json()).error, /over 2048 bytes/);
  } finally {
    await server.close();
  }
});

Deno.test("HTTP: /api answers CORS for CORS_ORIGINS only; security headers everywhere", async () => {
  const server = await startTestServer({ CORS_ORIGINS: "https://game.example" });
  try {
    const allowed = await fetch(`${server.httpUrl}/api/worlds`, {
      headers: { origin: "https://game.example" },
    });
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://game.example");
    await allowed.body?.cancel();
    const other = await fetch(`${server.httpUrl}/api/worlds`, {
      headers: { origin: "https://evil.example" },
    });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    await other.body?.cancel();
    const preflight = await fetch(`${server.httpUrl}/api/spells`, {
      method: "OPTIONS",
      headers: { origin: "https://game.example", "access-control-request-method": "GET" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://game.example");
    await preflight.body?.cancel();
    const health = await fetch(`${server.httpUrl}/healthz`);
    assert.equal(health.headers.get("x-frame-options"), "DENY");
    assert.equal(
      health.headers.get("content-security-policy"),
      "default-src 'none'; frame-ancestors 'none'",
    );
    await health.body?.cancel();
  } finally {
    await server.close();
  }
});
