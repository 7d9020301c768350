/**
 * Moderation over real sockets: reports on both protocols, quarantine reaching a Godot-like client
 * as a rollback (and `spell.revoked` where nothing is left), bans of an address or a player that
 * disconnect now and refuse later on both protocols and HTTP, kicks and world deletion.
 */
import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import {
  admin,
  buildAs,
  connect,
  createPlayer,
  type Peer,
  PROTOCOLS,
  refusal,
} from "../helpers/identity.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { fixture } from "../helpers/spells.ts";
import { loggedErrors, startTestServer } from "../helpers/test_server.ts";

for (const protocol of PROTOCOLS) {
  Deno.test(`spell.report (${protocol}): received with an id, rate-limited per address, bad input refused; operators list and resolve`, async () => {
    const server = await startTestServer({ REPORTS_PER_HOUR: "2" });
    const author = await connect(server, "websocket");
    const reporter = await connect(server, protocol);
    try {
      const { revisionId } = await buildAs(author, "prank", fixture("demo_spark.gd"));
      const ids = { spell_id: "prank", revision_id: revisionId };
      for (
        const [payload, code] of [
          [{ ...ids }, "invalid_payload"],
          [{ ...ids, reason: 5 }, "invalid_payload"],
          [{ ...ids, reason: "" }, "invalid_payload"],
          [{ ...ids, reason: "x".repeat(501) }, "invalid_payload"],
          [{ ...ids, reason: "bad\u0007bell" }, "invalid_payload"],
          [{ spell_id: "../etc", revision_id: revisionId, reason: "x" }, "invalid_payload"],
          [
            { spell_id: "prank", revision_id: "rev_000009_00000000", reason: "x" },
            "revision_not_found",
          ],
          [{ spell_id: "prank", revision_id: ["x"], reason: "x" }, "invalid_payload"],
        ] as const
      ) {
        const refused = await reporter.request("spell.report", payload, [
          "error",
          "spell.report_received",
        ]);
        assert.deepEqual(
          [refused.type, refused.code],
          ["error", code],
          JSON.stringify(payload).slice(0, 60),
        );
      }
      const first = await reporter.request("spell.report", {
        ...ids,
        reason: "It digs a hole under spawn",
      }, "spell.report_received");
      assert.match(first.report_id as string, /^rep_[0-9a-f]{16}$/);
      await reporter.request("spell.report", { ...ids, reason: "again" }, "spell.report_received");
      const limited = await reporter.request("spell.report", { ...ids, reason: "and again" }, [
        "error",
        "spell.report_received",
      ]);
      assert.deepEqual([limited.type, limited.code], ["error", "rate_limited"]);
      const open = (await admin(server, "GET", "/api/admin/reports?status=open")).body as {
        report_id: string;
        reason: string;
        reporter: string;
        address: string;
      }[];
      assert.deepEqual(open.map((r) => r.reason), ["again", "It digs a hole under spawn"]);
      assert.equal(open[1]!.reporter, `guest:${reporter.clientId}`);
      assert.equal(open[1]!.address, "127.0.0.1");
      const resolved = await admin(
        server,
        "POST",
        `/api/admin/reports/${first.report_id}/resolve`,
        { note: "warned" },
      );
      assert.deepEqual([resolved.status, (resolved.body as { status: string }).status], [
        200,
        "resolved",
      ]);
      assert.equal(
        ((await admin(server, "GET", "/api/admin/reports?status=open")).body as unknown[]).length,
        1,
      );
      assert.equal(
        ((await admin(server, "GET", "/api/admin/overview")).body as { open_reports: number })
          .open_reports,
        1,
      );
    } finally {
      await reporter.close();
      await author.close();
      await server.close();
    }
  });
}

Deno.test("quarantine reaches a connected Godot-like client and a Socket.IO client as the rollback; its casts and downloads are refused from then on; with nothing left, spell.revoked", async () => {
  const server = await startTestServer({ BUILDS_PER_CONNECTION: "5" });
  const author = await connect(server, "websocket");
  const godot = await GodotClient.connect(server.wsUrl);
  const web = await SioClient.connect(server.httpUrl);
  try {
    const world = (await author.request("world.create", { name: "Q" }, "world.created")).world as {
      world_id: string;
    };
    for (const client of [godot, web]) {
      if (client instanceof GodotClient) {
        await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
      } else await client.request("world.join", { world_id: world.world_id }, "world.joined");
    }
    await author.request("world.join", { world_id: world.world_id }, "world.joined");
    const good = await buildAs(author, "trick", fixture("demo_spark.gd"));
    author.send("spell.publish", { spell_id: "trick", revision_id: good.revisionId });
    await godot.next("spell.active_update", { where: (m) => m.revision_id === good.revisionId });
    const bad = await buildAs(author, "trick", fixture("demo_spawn.gd"));
    author.send("spell.publish", { spell_id: "trick", revision_id: bad.revisionId });
    await godot.next("spell.active_update", { where: (m) => m.revision_id === bad.revisionId });
    await web.next("spell.active_update", { where: (m) => m.revision_id === bad.revisionId });

    const quarantined = await admin(
      server,
      "POST",
      `/api/admin/spells/trick/revisions/${bad.revisionId}/quarantine`,
      { reason: "griefing" },
    );
    assert.equal(quarantined.status, 200);
    assert.deepEqual((quarantined.body as { channels: unknown }).channels, {
      draft: good.revisionId,
      beta: good.revisionId,
      stable: null,
    });
    // Every connected client is told the previous good revision is the active one again.
    for (const client of [godot, web]) {
      const rollback = await client.next("spell.active_update", {
        where: (m) => m.revision_id === good.revisionId && m.channel === "beta",
      });
      assert.deepEqual(rollback.manifest, good.manifest);
    }
    // Casts of it are refused; a cast without a revision gets the good one.
    for (const peer of [author]) {
      const refused = await peer.request(
        "spell.cast_request",
        { spell_id: "trick", revision_id: bad.revisionId },
        "spell.cast_rejected",
      );
      assert.deepEqual([refused.code, refused.error], [
        "forbidden",
        "This revision was quarantined by an operator",
      ]);
      peer.send("spell.cast_request", { spell_id: "trick" });
    }
    assert.equal((await godot.next("spell.cast_event")).revision_id, good.revisionId);
    const webCast = await web.request("spell.cast_request", {
      spell_id: "trick",
      revision_id: bad.revisionId,
    }, "spell.cast_rejected");
    assert.equal(webCast.code, "forbidden");
    // Downloads of it are refused on both protocols and HTTP, the author's included.
    const file = { spell_id: "trick", revision_id: bad.revisionId, path: "code/spell.gd" };
    godot.send({ type: "content.get_file", ...file });
    assert.equal((await godot.next("error")).code, "forbidden");
    assert.equal((await web.request("content.get_file", file, "error")).code, "forbidden");
    assert.equal((await author.request("content.get_file", file, "error")).code, "forbidden");
    const http = await fetch(
      `${server.httpUrl}/api/spells/trick/revisions/${bad.revisionId}/files/code/spell.gd`,
    );
    assert.deepEqual([http.status, await http.json()], [403, {
      error: "This revision was quarantined by an operator",
    }]);
    // The operator can still read it, and cannot publish it again.
    const code = await admin(
      server,
      "GET",
      `/api/admin/spells/trick/revisions/${bad.revisionId}/code`,
    );
    assert.equal((code.body as { code: string }).code, fixture("demo_spawn.gd"));
    assert.equal(
      (await admin(server, "POST", "/api/admin/spells/trick/publish", {
        revision_id: bad.revisionId,
        channel: "beta",
      })).status,
      409,
    );
    const republish = await author.request("spell.publish", {
      spell_id: "trick",
      revision_id: bad.revisionId,
    }, "error");
    assert.equal(republish.code, "forbidden");
    // A joiner is never told of it.
    const joiner = await GodotClient.connect(server.wsUrl);
    await joiner.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    await joiner.roundTrip();
    assert.ok(joiner.queue.all.every((m) => m.revision_id !== bad.revisionId));
    await joiner.close();

    // Quarantining the last good one leaves nothing: spell.revoked for everyone.
    await admin(server, "POST", `/api/admin/spells/trick/revisions/${good.revisionId}/quarantine`, {
      reason: "also bad",
    });
    for (const client of [godot, web]) {
      const revoked = await client.next("spell.revoked");
      assert.deepEqual([revoked.spell_id, revoked.revision_id], ["trick", good.revisionId]);
    }
    const none = await author.request(
      "spell.cast_request",
      { spell_id: "trick" },
      "spell.cast_rejected",
    );
    assert.equal(none.code, "revision_not_found");
    const detail = (await admin(server, "GET", "/api/admin/spells/trick")).body as {
      revisions: { quarantined: boolean }[];
    };
    assert.deepEqual(detail.revisions.map((r) => r.quarantined), [true, true]);
    const audit = (await admin(server, "GET", "/api/admin/audit?action=quarantine")).body as {
      detail: { reason: string };
    }[];
    assert.deepEqual(audit.map((entry) => entry.detail.reason), ["also bad", "griefing"]);
    godot.assertClean();
    assert.deepEqual(loggedErrors(server), []);
  } finally {
    await author.close();
    await godot.close();
    await web.close();
    await server.close();
  }
});

Deno.test("a banned address is disconnected now and refused later on both protocols and HTTP, until the ban expires or is lifted; the operator is never locked out", async () => {
  const server = await startTestServer();
  const peers: Peer[] = [];
  try {
    for (const protocol of PROTOCOLS) peers.push(await connect(server, protocol));
    const ban = await admin(server, "POST", "/api/admin/bans", {
      address: "127.0.0.0/8",
      reason: "bot farm",
      duration_s: 2,
    });
    assert.equal(ban.status, 201);
    const { ban_id } = ban.body as { ban_id: string };
    for (const peer of peers) {
      const gone = await peer.gone;
      if (peer.protocol === "websocket") assert.equal(gone, "1008 Banned: bot farm");
      else assert.equal(gone, "io server disconnect");
    }
    const raw = await refusal(server, "websocket");
    assert.equal(raw.status, 403);
    assert.match(raw.message, /^Banned until .*: bot farm$/);
    assert.match((await refusal(server, "socket.io")).message, /^Banned until .*: bot farm$/);
    const http = await fetch(`${server.httpUrl}/api/spells`);
    assert.equal(http.status, 403);
    assert.equal((await fetch(`${server.httpUrl}/api/players`, { method: "POST" })).status, 403);
    const player = await fetch(`${server.httpUrl}/api/worlds`);
    assert.equal(player.status, 403);
    // The operator still gets in, from the banned address, on the API and on a socket.
    assert.equal((await admin(server, "GET", "/api/admin/bans")).status, 200);
    // Lifting it lets them back; a new one with a short expiry ends by itself.
    assert.equal((await admin(server, "DELETE", `/api/admin/bans/${ban_id}`)).status, 200);
    assert.equal((await refusal(server, "websocket")).status, 101);
    await admin(server, "POST", "/api/admin/bans", {
      address: "127.0.0.1",
      reason: "cool off",
      duration_s: 1,
    });
    assert.equal((await refusal(server, "websocket")).status, 403);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await refusal(server, "websocket")).status, 101);
    assert.equal((await refusal(server, "socket.io")).message, "accepted");
    assert.deepEqual((await admin(server, "GET", "/api/admin/bans")).body, []);
  } finally {
    for (const peer of peers) await peer.close().catch(() => {});
    await server.close();
  }
});

Deno.test("a banned player is disconnected and its token refused (403) on both protocols and HTTP; others are not touched", async () => {
  const server = await startTestServer();
  const cheater = await createPlayer(server, "Cheater");
  const honest = await createPlayer(server, "Honest");
  const peers = [
    await connect(server, "websocket", cheater.token),
    await connect(server, "socket.io", cheater.token),
  ];
  const bystander = await connect(server, "websocket", honest.token);
  try {
    const ban = await admin(server, "POST", "/api/admin/bans", {
      player_id: cheater.player_id,
      reason: "aimbot",
    });
    assert.equal(ban.status, 201);
    for (const peer of peers) await peer.gone;
    for (const protocol of PROTOCOLS) {
      const refused = await refusal(server, protocol, cheater.token);
      assert.equal(refused.message, "Banned: aimbot");
      if (protocol === "websocket") assert.equal(refused.status, 403);
    }
    const http = await fetch(`${server.httpUrl}/api/spells`, {
      headers: { authorization: `Bearer ${cheater.token}` },
    });
    assert.equal(http.status, 403);
    assert.equal((await bystander.request("ping", {}, "pong")).type, "pong");
    const players = (await admin(server, "GET", "/api/admin/players")).body as {
      player_id: string;
      banned_until: string | null;
    }[];
    assert.deepEqual(players.map((p) => [p.player_id, p.banned_until]), [
      [cheater.player_id, "never"],
      [honest.player_id, null],
    ]);
  } finally {
    for (const peer of peers) await peer.close().catch(() => {});
    await bystander.close();
    await server.close();
  }
});

Deno.test("kick closes one connection (1008 with the reason) and it may come back; deleting a world tells its members they left", async () => {
  const server = await startTestServer();
  const target = await connect(server, "websocket");
  const member = await connect(server, "socket.io");
  try {
    const kicked = await admin(server, "POST", `/api/admin/connections/${target.clientId}/kick`, {
      reason: "spam",
    });
    assert.equal(kicked.status, 200);
    assert.equal(await target.gone, "1008 Kicked by an operator: spam");
    assert.equal((await refusal(server, "websocket")).status, 101, "a kick is not a ban");
    assert.equal(
      (await admin(server, "POST", `/api/admin/connections/${target.clientId}/kick`)).status,
      404,
    );

    const world = (await member.request("world.create", { name: "Doomed" }, "world.created"))
      .world as { world_id: string };
    await member.request("world.join", { world_id: world.world_id }, "world.joined");
    member.send("request_spell", { spell: { type: "dig", center: { x: 1, y: 2, z: 3 } } });
    await member.next("apply_op");
    assert.equal(
      (await admin(server, "DELETE", `/api/admin/worlds/${world.world_id}`)).status,
      200,
    );
    assert.equal((await member.next("world.left")).left_world_id, world.world_id);
    const pong = await member.request("ping", {}, "pong");
    assert.equal(pong.world_id, "");
    assert.equal(
      (await admin(server, "DELETE", `/api/admin/worlds/${world.world_id}`)).status,
      404,
    );
    const listed = await (await fetch(`${server.httpUrl}/api/worlds`)).json();
    assert.deepEqual(listed.worlds, []);
    const joined = await member.request("world.join", { world_id: world.world_id }, "error");
    assert.equal(joined.code, "world_not_found");
  } finally {
    await target.close().catch(() => {});
    await member.close();
    await server.close();
  }
});
