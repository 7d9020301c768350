/**
 * Identities over real sockets: players and their tokens on HTTP (Bearer), the raw WebSocket URL
 * (`?token=`, the Godot client's custom-URL field) and the Socket.IO handshake (`auth: {token}`);
 * bad tokens refused on every door, never a silent guest; tokens never in the log; quotas per
 * player.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  admin,
  adminToken,
  connect,
  createPlayer,
  PROTOCOLS,
  refusal,
} from "../helpers/identity.ts";
import { startTestServer, type TestServer } from "../helpers/test_server.ts";

/** Every secret the test handed out must be absent from everything the server logged. */
function assertNoSecretsLogged(server: TestServer, secrets: string[]): void {
  const logged = JSON.stringify(server.logs);
  for (const secret of secrets) {
    assert.ok(!logged.includes(secret), "a token reached the log");
    // Nor its random part alone (a URL-encoded or truncated copy).
    const tail = secret.split(".").at(-1)!;
    assert.ok(!logged.includes(tail.slice(0, 16)), "part of a token reached the log");
  }
}

Deno.test("players: POST /api/players → {player_id, token} once; the token names the player on HTTP, raw WebSocket and Socket.IO", async () => {
  const server = await startTestServer();
  try {
    const response = await fetch(`${server.httpUrl}/api/players`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ display_name: "Alice" }),
    });
    assert.equal(response.status, 201);
    const { player_id, token } = await response.json();
    assert.match(player_id, /^p_[0-9a-f]{16}$/);
    assert.match(token, new RegExp(`^ugc1\\.${player_id}\\.[A-Za-z0-9_-]{43}$`));
    // No body at all is fine too (no display name).
    const bare = await fetch(`${server.httpUrl}/api/players`, { method: "POST" });
    assert.equal(bare.status, 201);
    const anonymous = await bare.json();

    for (const protocol of PROTOCOLS) {
      const peer = await connect(server, protocol, token);
      const world =
        (await peer.request("world.create", { name: `by ${protocol}` }, "world.created"))
          .world as { world_id: string };
      await peer.close();
      const worlds = (await admin(server, "GET", "/api/admin/worlds")).body as {
        world_id: string;
        owner_id: string;
      }[];
      assert.equal(worlds.find((w) => w.world_id === world.world_id)!.owner_id, player_id);
    }
    const connections = await connect(server, "socket.io", token);
    const listed = (await admin(server, "GET", "/api/admin/connections")).body as {
      principal: { kind: string; id: string; name?: string };
    }[];
    assert.deepEqual(listed.map((c) => c.principal), [{
      kind: "player",
      id: player_id,
      name: "Alice",
    }]);
    await connections.close();

    const players = (await admin(server, "GET", "/api/admin/players")).body as {
      player_id: string;
      display_name: string;
    }[];
    assert.deepEqual(players.map((p) => [p.player_id, p.display_name]), [
      [player_id, "Alice"],
      [anonymous.player_id, ""],
    ]);
    // The player revokes its own token: it stops working everywhere, open connections included.
    const open = await connect(server, "websocket", token);
    const revoked = await fetch(`${server.httpUrl}/api/players/me/token`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(revoked.status, 204);
    assert.equal(await open.gone, "1008 Token revoked");
    assert.equal((await refusal(server, "websocket", token)).status, 401);
    const again = await fetch(`${server.httpUrl}/api/players/me/token`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.deepEqual([again.status, await again.json()], [401, { error: "Token revoked" }]);
    const guest = await fetch(`${server.httpUrl}/api/players/me/token`, { method: "DELETE" });
    assert.equal(guest.status, 401);
    assertNoSecretsLogged(server, [token, anonymous.token, await adminToken(server)]);
  } finally {
    await server.close();
  }
});

Deno.test("bad tokens are refused on every door, never a silent guest: wrong, malformed, huge, revoked, expired", async () => {
  const server = await startTestServer();
  try {
    const good = await createPlayer(server, "Good");
    const revoked = await createPlayer(server, "Revoked");
    const expired = await createPlayer(server, "Expired");
    assert.equal(
      (await admin(server, "POST", `/api/admin/players/${revoked.player_id}/revoke`)).status,
      200,
    );
    // Expiry is TOKEN_TTL_DAYS away: move this one's into the past, as time would.
    const db = new DatabaseSync(`${server.dataDir}/ugc.db`);
    db.prepare("UPDATE players SET token_expires_at = ? WHERE player_id = ?")
      .run("2020-01-01T00:00:00.000Z", expired.player_id);
    db.close();
    const secret = good.token.split(".")[2]!;
    const cases: [string, unknown, RegExp][] = [
      ["wrong secret", `ugc1.${good.player_id}.${secret.slice(0, -2)}AA`, /^Invalid token$/],
      [
        "another player's secret",
        `ugc1.${revoked.player_id}.${secret}`,
        /^(Invalid token|Token revoked)$/,
      ],
      [
        "unknown player",
        "ugc1.p_0000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        /^Invalid token$/,
      ],
      ["malformed", "not-a-token", /^Invalid token$/],
      ["huge", "x".repeat(6000), /^Invalid token$/],
      ["revoked", revoked.token, /^Token revoked$/],
      ["expired", expired.token, /expired/],
    ];
    for (const [what, token, message] of cases) {
      const raw = await refusal(server, "websocket", token);
      assert.equal(raw.status, 401, `raw: ${what}`);
      assert.match(raw.message, message, `raw: ${what}`);
      const sio = await refusal(server, "socket.io", token);
      assert.match(sio.message, message, `socket.io: ${what}`);
      const http = await fetch(`${server.httpUrl}/api/spells`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(http.status, 401, `http: ${what}`);
      assert.match((await http.json()).error, message, `http: ${what}`);
    }
    // Wrong types in the Socket.IO auth object, a non-Bearer scheme on HTTP.
    for (const token of [42, { token: "x" }, ["a"], true]) {
      assert.equal(
        (await refusal(server, "socket.io", token)).message,
        "auth.token must be a string",
      );
    }
    const basic = await fetch(`${server.httpUrl}/api/spells`, {
      headers: { authorization: "Basic dXNlcjpwYXNz" },
    });
    assert.equal(basic.status, 401);
    // No token at all is a guest, and the good token still works.
    assert.equal((await refusal(server, "websocket")).status, 101);
    assert.equal((await refusal(server, "socket.io")).message, "accepted");
    assert.equal((await refusal(server, "websocket", good.token)).status, 101);
    assert.equal((await refusal(server, "socket.io", good.token)).message, "accepted");
    assert.equal(
      (await fetch(`${server.httpUrl}/api/spells`, {
        headers: { authorization: `Bearer ${good.token}` },
      })).status,
      200,
    );
    assertNoSecretsLogged(server, [
      good.token,
      revoked.token,
      expired.token,
      await adminToken(server),
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/players: bad input is a 400, too many from one address a 429, an oversized body a 413", async () => {
  const server = await startTestServer({ PLAYER_CREATES_PER_HOUR: "3" });
  try {
    const post = (body: string, type = "application/json") =>
      fetch(`${server.httpUrl}/api/players`, {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
    for (
      const body of [
        '{"display_name": 5}',
        '{"display_name": ["a"]}',
        "[]",
        "nope",
        '"x"',
        `{"display_name": "${"x".repeat(33)}"}`,
        '{"display_name": "a\\u0000b"}',
      ]
    ) {
      const response = await post(body);
      assert.equal(response.status, 400, body.slice(0, 40));
      assert.ok(typeof (await response.json()).error === "string");
    }
    assert.equal((await post("{}", "text/plain")).status, 415);
    assert.equal((await post(JSON.stringify({ display_name: "x".repeat(10_000) }))).status, 413);
    for (let i = 0; i < 3; i++) assert.equal((await post("{}")).status, 201);
    const limited = await post("{}");
    assert.equal(limited.status, 429);
    assert.match(
      (await limited.json()).error,
      /Too many players created from your address \(3 an hour\)/,
    );
    assert.equal((await fetch(`${server.httpUrl}/api/players`)).status, 405);
  } finally {
    await server.close();
  }
});

Deno.test("quotas count per player for players, per address for guests", async () => {
  const server = await startTestServer({ MAX_WORLDS_PER_ADDRESS: "1" });
  try {
    const alice = await createPlayer(server, "Alice");
    const bob = await createPlayer(server, "Bob");
    const create = async (token: string | undefined, name: string) => {
      const peer = await connect(server, "websocket", token);
      try {
        return await peer.request("world.create", { name }, ["world.created", "error"]);
      } finally {
        await peer.close();
      }
    };
    assert.equal((await create(alice.token, "a1")).type, "world.created");
    const second = await create(alice.token, "a2");
    assert.deepEqual([second.type, second.code], ["error", "quota_exceeded"]);
    // Bob, from the same address, has his own quota; so has the address for its guests.
    assert.equal((await create(bob.token, "b1")).type, "world.created");
    assert.equal((await create(undefined, "g1")).type, "world.created");
    const guest = await create(undefined, "g2");
    assert.deepEqual(
      [guest.type, guest.code],
      ["error", "quota_exceeded"],
      "a reconnect is no escape",
    );
  } finally {
    await server.close();
  }
});

Deno.test("ADMIN_TOKEN: generated once into DATA_DIR/admin_token with mode 0600 and kept across restarts; a set one wins; a short one is refused", async () => {
  let server = await startTestServer();
  try {
    const path = `${server.dataDir}/admin_token`;
    const token = await adminToken(server);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    server = await server.restart();
    assert.equal(await adminToken(server), token, "read back, not regenerated");
    assert.equal((await admin(server, "GET", "/api/admin/overview", undefined, token)).status, 200);
    assertNoSecretsLogged(server, [token]);
  } finally {
    await server.close();
  }
  const chosen = "a-chosen-operator-token-0123456789abcdef";
  const set = await startTestServer({ ADMIN_TOKEN: chosen });
  try {
    assert.equal((await admin(set, "GET", "/api/admin/overview", undefined, chosen)).status, 200);
    const operator = await connect(set, "websocket", chosen);
    const listed = (await admin(set, "GET", "/api/admin/connections", undefined, chosen)).body as {
      principal: { kind: string };
    }[];
    assert.deepEqual(listed.map((c) => c.principal.kind), ["operator"]);
    await operator.close();
    assertNoSecretsLogged(set, [chosen]);
  } finally {
    await set.close();
  }
  await assert.rejects(
    startTestServer({ ADMIN_TOKEN: "short" }),
    /ADMIN_TOKEN must be at least 32/,
  );
});
