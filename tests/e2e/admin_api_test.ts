/**
 * The operator API's refusals, as hard as its answers (docs/ADMIN_API.md): no or a wrong token is
 * 401 on every route, unknown ids 404, bad bodies and queries 400 — and the audit log can only grow.
 */
import assert from "node:assert/strict";
import { admin, buildAs, connect, createPlayer } from "../helpers/identity.ts";
import { fixture } from "../helpers/spells.ts";
import { loggedErrors, startTestServer } from "../helpers/test_server.ts";

const ROUTES: [string, string][] = [
  ["GET", "/api/admin/overview"],
  ["GET", "/api/admin/connections"],
  ["POST", "/api/admin/connections/c_000000000000000000000000/kick"],
  ["GET", "/api/admin/players"],
  ["POST", "/api/admin/players/p_0000000000000000/revoke"],
  ["GET", "/api/admin/worlds"],
  ["POST", "/api/admin/worlds/world_00000000/clear"],
  ["DELETE", "/api/admin/worlds/world_00000000"],
  ["GET", "/api/admin/spells"],
  ["GET", "/api/admin/spells/fire"],
  ["GET", "/api/admin/spells/fire/revisions/rev_000001_00000000/code"],
  ["POST", "/api/admin/spells/fire/publish"],
  ["POST", "/api/admin/spells/fire/revisions/rev_000001_00000000/quarantine"],
  ["GET", "/api/admin/reports"],
  ["POST", "/api/admin/reports/rep_0000000000000000/resolve"],
  ["GET", "/api/admin/bans"],
  ["POST", "/api/admin/bans"],
  ["DELETE", "/api/admin/bans/ban_0000000000000000"],
  ["GET", "/api/admin/jobs"],
  ["GET", "/api/admin/audit"],
  ["GET", "/api/admin/no/such/route"],
];

Deno.test("operator API: 401 without a token, with a wrong one, a player's, or another scheme — on every route", async () => {
  const server = await startTestServer();
  try {
    const player = await createPlayer(server);
    const attempts: (Record<string, string>)[] = [
      {},
      { authorization: "Bearer wrong-token-wrong-token-wrong-token-wrong" },
      { authorization: `Bearer ${player.token}` },
      { authorization: "Basic YWRtaW46YWRtaW4=" },
      { authorization: "Bearer" },
      { authorization: `Bearer ${"x".repeat(5000)}` },
    ];
    for (const [method, path] of ROUTES) {
      for (const headers of attempts) {
        const response = await fetch(`${server.httpUrl}${path}`, {
          method,
          headers: { ...headers, "content-type": "application/json" },
          ...(method === "POST" ? { body: '{"reason":"x"}' } : {}),
        });
        assert.equal(response.status, 401, `${method} ${path} ${Object.keys(headers)}`);
        assert.ok(typeof (await response.json()).error === "string");
      }
    }
    // Nothing was done.
    assert.deepEqual((await admin(server, "GET", "/api/admin/audit")).body, []);
  } finally {
    await server.close();
  }
});

Deno.test("operator API: unknown or malformed ids are 404", async () => {
  const server = await startTestServer();
  try {
    for (const [method, path] of ROUTES) {
      if (!/_0000|\/fire|no\/such/.test(path)) continue;
      const body = method === "POST"
        ? { reason: "x", revision_id: "rev_000001_00000000", note: "" }
        : undefined;
      const { status } = await admin(server, method, path, body);
      assert.equal(status, 404, `${method} ${path}`);
    }
    for (
      const path of [
        "/api/admin/spells/..%2F..%2Fetc",
        "/api/admin/spells/FIRE",
        "/api/admin/spells/fire/revisions/not-a-revision/code",
        "/api/admin/spells/%00/revisions/rev_000001_00000000/code",
      ]
    ) {
      assert.equal((await admin(server, "GET", path)).status, 404, path);
    }
    for (const id of ["x", "p_zz", "../x", "p_0000000000000000%00"]) {
      assert.equal(
        (await admin(server, "POST", `/api/admin/players/${id}/revoke`)).status,
        404,
        id,
      );
    }
  } finally {
    await server.close();
  }
});

Deno.test("operator API: wrong types and shapes in bodies and queries are 400, with a message; nothing changes", async () => {
  const server = await startTestServer();
  const author = await connect(server, "websocket");
  try {
    const { revisionId } = await buildAs(author, "fire", fixture("demo_spark.gd"));
    const player = await createPlayer(server);
    const bad: [string, string, unknown][] = [
      ["POST", "/api/admin/bans", {}],
      ["POST", "/api/admin/bans", { reason: "x" }],
      ["POST", "/api/admin/bans", { player_id: 5, reason: "x" }],
      ["POST", "/api/admin/bans", { player_id: "p_zz", reason: "x" }],
      ["POST", "/api/admin/bans", { address: "not-an-ip", reason: "x" }],
      ["POST", "/api/admin/bans", { address: "10.0.0.0/33", reason: "x" }],
      ["POST", "/api/admin/bans", { address: ["10.0.0.1"], reason: "x" }],
      ["POST", "/api/admin/bans", {
        address: "10.0.0.1",
        player_id: player.player_id,
        reason: "x",
      }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1" }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1", reason: 5 }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1", reason: "   " }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1", reason: "x".repeat(501) }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1", reason: "x", duration_s: "60" }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1", reason: "x", duration_s: -1 }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1", reason: "x", duration_s: 1.5 }],
      ["POST", "/api/admin/bans", { address: "10.0.0.1", reason: "x", duration_s: 1e300 }],
      ["POST", "/api/admin/bans", "[1,2]"],
      ["POST", "/api/admin/bans", "{not json"],
      ["POST", "/api/admin/bans", '"string"'],
      ["POST", "/api/admin/spells/fire/publish", {}],
      ["POST", "/api/admin/spells/fire/publish", { revision_id: 1 }],
      ["POST", "/api/admin/spells/fire/publish", { revision_id: revisionId, channel: "gold" }],
      ["POST", "/api/admin/spells/fire/publish", { revision_id: revisionId, channel: 1 }],
      ["POST", `/api/admin/spells/fire/revisions/${revisionId}/quarantine`, {}],
      ["POST", `/api/admin/spells/fire/revisions/${revisionId}/quarantine`, { reason: null }],
      ["POST", `/api/admin/connections/${author.clientId}/kick`, { reason: 5 }],
      ["GET", "/api/admin/players?limit=0", undefined],
      ["GET", "/api/admin/players?limit=501", undefined],
      ["GET", "/api/admin/players?limit=ten", undefined],
      ["GET", "/api/admin/players?cursor=%%%", undefined],
      ["GET", "/api/admin/worlds?cursor=bm9wZQ", undefined],
      ["GET", "/api/admin/spells?cursor=WyJ4IiwiIl0", undefined],
      ["GET", "/api/admin/reports?status=closed", undefined],
      ["GET", "/api/admin/jobs?status=done", undefined],
      ["GET", "/api/admin/audit?since=yesterday", undefined],
      ["GET", "/api/admin/audit?cursor=-1", undefined],
    ];
    for (const [method, path, body] of bad) {
      const response = await admin(server, method, path, body);
      assert.equal(response.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.ok(typeof (response.body as { error: unknown }).error === "string");
    }
    const wrongType = await fetch(`${server.httpUrl}/api/admin/bans`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${
          (await Deno.readTextFile(`${server.dataDir}/admin_token`)).trim()
        }`,
        "content-type": "text/plain",
      },
      body: '{"address":"10.0.0.1","reason":"x"}',
    });
    assert.equal(wrongType.status, 415);
    assert.deepEqual((await admin(server, "GET", "/api/admin/bans")).body, []);
    assert.deepEqual((await admin(server, "GET", "/api/admin/audit")).body, []);
    assert.equal(
      (await author.request("ping", {}, "pong")).type,
      "pong",
      "the kick target is still on",
    );
    assert.deepEqual(loggedErrors(server), []);
  } finally {
    await author.close();
    await server.close();
  }
});

Deno.test("operator API: listings page with X-Next-Cursor; the audit log records who, what, when and from where, and has no way to change it", async () => {
  const server = await startTestServer();
  try {
    const players = [];
    for (let i = 0; i < 5; i++) players.push(await createPlayer(server, `P${i}`));
    const seen: string[] = [];
    let cursor = "";
    for (let page = 0; page < 10; page++) {
      const response = await admin(
        server,
        "GET",
        `/api/admin/players?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...(response.body as { player_id: string }[]).map((p) => p.player_id));
      cursor = response.headers.get("x-next-cursor") ?? "";
      if (!cursor) break;
    }
    assert.deepEqual(seen, players.map((p) => p.player_id));
    for (const player of players.slice(0, 3)) {
      await admin(server, "POST", `/api/admin/players/${player.player_id}/revoke`);
    }
    const first = await admin(server, "GET", "/api/admin/audit?limit=2");
    const entries = first.body as {
      id: number;
      at: string;
      actor: string;
      address: string;
      action: string;
      target: string;
    }[];
    assert.deepEqual(entries.map((e) => [e.id, e.actor, e.address, e.action, e.target]), [
      [3, "operator", "127.0.0.1", "player.revoke", `player:${players[2]!.player_id}`],
      [2, "operator", "127.0.0.1", "player.revoke", `player:${players[1]!.player_id}`],
    ]);
    assert.ok(!Number.isNaN(Date.parse(entries[0]!.at)));
    const next = await admin(
      server,
      "GET",
      `/api/admin/audit?limit=2&cursor=${first.headers.get("x-next-cursor")}`,
    );
    assert.deepEqual((next.body as { id: number }[]).map((e) => e.id), [1]);
    assert.equal(
      ((await admin(server, "GET", "/api/admin/audit?actor=nobody")).body as unknown[]).length,
      0,
    );
    // No route changes or removes an entry.
    for (const method of ["PUT", "PATCH", "DELETE", "POST"]) {
      for (const path of ["/api/admin/audit", "/api/admin/audit/1"]) {
        const { status } = await admin(
          server,
          method,
          path,
          method === "DELETE" ? undefined : { actor: "x" },
        );
        assert.ok(status === 404 || status === 405, `${method} ${path}: ${status}`);
      }
    }
    assert.equal(((await admin(server, "GET", "/api/admin/audit")).body as unknown[]).length, 3);
  } finally {
    await server.close();
  }
});
