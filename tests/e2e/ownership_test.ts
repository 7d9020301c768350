/**
 * Issue 15's attacks on ownership and publishing, each over real sockets against a real server and
 * on both protocols (the attacker is a raw WebSocket guest like Godot, or a Socket.IO guest). On
 * the code before issue 15 every one of these succeeded: any connection could build under any
 * spell id, publish anything anywhere, and cast a never-published draft to a whole world.
 */
import assert from "node:assert/strict";
import {
  admin,
  buildAs,
  connect,
  createPlayer,
  type Peer,
  PROTOCOLS,
} from "../helpers/identity.ts";
import { fixture } from "../helpers/spells.ts";
import { loggedErrors, startTestServer } from "../helpers/test_server.ts";

for (const protocol of PROTOCOLS) {
  Deno.test(`ownership (${protocol} attacker): a foreign build, publish, stable publish and rollback are refused as forbidden; the owner's stay`, async () => {
    const server = await startTestServer({ BUILDS_PER_CONNECTION: "5" });
    const owner = await createPlayer(server, "Owner");
    const victim = await connect(server, "websocket", owner.token);
    const attacker = await connect(server, protocol);
    try {
      const v1 = await buildAs(victim, "fireball", fixture("demo_spark.gd"));
      victim.send("spell.publish", { spell_id: "fireball", revision_id: v1.revisionId });
      await victim.next("spell.active_update", { where: (m) => m.revision_id === v1.revisionId });
      const v2 = await buildAs(victim, "fireball", fixture("demo_spawn.gd"));
      victim.send("spell.publish", { spell_id: "fireball", revision_id: v2.revisionId });
      await attacker.next("spell.active_update", { where: (m) => m.revision_id === v2.revisionId });

      // 1. Building under someone else's spell id (it became that spell's active draft).
      attacker.send("spell.start_build", { spell_id: "fireball", code: fixture("demo_spark.gd") });
      const build = await attacker.next(["error", "spell.build_started"]);
      assert.equal(build.type, "error");
      assert.equal(build.code, "forbidden");
      assert.match(build.message as string, /Only the owner of spell fireball can build it/);

      // 2. Publishing it to stable for everyone, or to beta.
      for (const channel of ["stable", "beta", "draft"]) {
        const refused = await attacker.request(
          "spell.publish",
          { spell_id: "fireball", revision_id: v2.revisionId, channel },
          "error",
        );
        assert.deepEqual([refused.type, refused.code], ["error", "forbidden"], channel);
        assert.match(refused.message as string, /Only the owner of spell fireball can publish/);
      }
      // 3. Rolling the owner's channel back to an old revision.
      const rollback = await attacker.request(
        "spell.publish",
        { spell_id: "fireball", revision_id: v1.revisionId, channel: "beta" },
        "error",
      );
      assert.deepEqual([rollback.type, rollback.code], ["error", "forbidden"]);

      const spell = (await (await fetch(`${server.httpUrl}/api/spells`)).json()).spells[0];
      assert.deepEqual(
        [spell.active_draft_rev, spell.active_beta_rev, spell.active_stable_rev],
        [v2.revisionId, v2.revisionId, ""],
        "nothing the attacker sent changed the spell",
      );

      // The owner may roll back; stable waits for an operator (STABLE_PUBLISH=operator).
      victim.send("spell.publish", { spell_id: "fireball", revision_id: v1.revisionId });
      await attacker.next("spell.active_update", { where: (m) => m.revision_id === v1.revisionId });
      victim.send("spell.publish", {
        spell_id: "fireball",
        revision_id: v2.revisionId,
        channel: "stable",
      });
      const pending = await victim.next(["spell.publish_pending", "spell.active_update", "error"], {
        where: (m) => m.type !== "spell.active_update" || m.channel === "stable",
      });
      assert.deepEqual([pending.type, pending.channel, pending.revision_id], [
        "spell.publish_pending",
        "stable",
        v2.revisionId,
      ]);
      const listed = await admin(server, "GET", "/api/admin/spells");
      assert.equal((listed.body as { pending_stable: string }[])[0]!.pending_stable, v2.revisionId);
      const approved = await admin(server, "POST", "/api/admin/spells/fireball/publish", {
        revision_id: v2.revisionId,
        channel: "stable",
      });
      assert.equal(approved.status, 200);
      const stable = await attacker.next("spell.active_update", {
        where: (m) => m.channel === "stable",
      });
      assert.equal(stable.revision_id, v2.revisionId);
      const audit = (await admin(server, "GET", "/api/admin/audit?action=publish")).body as {
        actor: string;
        detail: { channel: string };
      }[];
      assert.deepEqual(audit.map((entry) => [entry.actor, entry.detail.channel]), [
        ["operator", "stable"],
        [owner.player_id, "beta"],
        [owner.player_id, "beta"],
        [owner.player_id, "beta"],
      ]);
      assert.deepEqual(loggedErrors(server), []);
    } finally {
      await attacker.close();
      await victim.close();
      await server.close();
    }
  });

  Deno.test(`never published (${protocol} stranger): a draft reaches its owner only — no cast event, no announcement, no download on socket or HTTP`, async () => {
    const server = await startTestServer();
    const owner = await createPlayer(server, "Owner");
    const author = await connect(server, "websocket", owner.token);
    const stranger = await connect(server, protocol);
    try {
      const world = (await author.request("world.create", { name: "Arena" }, "world.created"))
        .world as { world_id: string };
      await author.request("world.join", { world_id: world.world_id }, "world.joined");
      await stranger.request("world.join", { world_id: world.world_id }, "world.joined");
      const draft = await buildAs(author, "secret_spell", fixture("demo_spark.gd"));
      const ids = { spell_id: "secret_spell", revision_id: draft.revisionId };

      // The owner tests its build: the cast comes back to it alone.
      author.send("spell.cast_request", ids);
      const own = await author.next("spell.cast_event");
      assert.equal(own.revision_id, draft.revisionId);
      // Casting it to the whole world: the stranger is told nothing.
      const probe = await stranger.request("ping", {}, "pong");
      assert.ok(probe);
      for (const type of ["spell.cast_event", "spell.revision_ready", "spell.active_update"]) {
        assert.equal(stranger.has(type), false, `the stranger got ${type}`);
      }
      // The stranger cannot cast it, fetch it or see it.
      const cast = await stranger.request("spell.cast_request", ids, [
        "spell.cast_rejected",
        "spell.cast_event",
      ]);
      assert.deepEqual([cast.type, cast.code, cast.error], [
        "spell.cast_rejected",
        "forbidden",
        "This revision was never published",
      ]);
      for (
        const [event, extra] of [
          ["content.get_manifest", {}],
          ["content.list_files", {}],
          ["content.get_file", { path: "code/spell.gd" }],
        ] as const
      ) {
        const refused = await stranger.request(event, { ...ids, ...extra }, [
          "error",
          "content.file",
          "content.manifest",
          "content.files_list",
        ]);
        assert.deepEqual([refused.type, refused.code], ["error", "forbidden"], event);
      }
      const revisions = await stranger.request(
        "spell.get_revisions",
        { spell_id: "secret_spell" },
        "spell.revisions_result",
      );
      assert.deepEqual(revisions.revisions, []);
      const base = `${server.httpUrl}/api/spells/secret_spell/revisions/${draft.revisionId}`;
      for (const path of ["/manifest", "/files/code/spell.gd", "/files/assets/icon.png"]) {
        const response = await fetch(base + path);
        assert.equal(response.status, 403, path);
        assert.deepEqual(await response.json(), { error: "This revision was never published" });
      }
      const listed = await (await fetch(`${server.httpUrl}/api/spells/secret_spell/revisions`))
        .json();
      assert.deepEqual(listed.revisions, []);
      // Its owner can fetch it, over HTTP with its token too.
      const mine = await fetch(base + "/files/code/spell.gd", {
        headers: { authorization: `Bearer ${owner.token}` },
      });
      assert.equal(mine.status, 200);
      assert.equal(await mine.text(), fixture("demo_spark.gd"));

      // Once published it reaches everyone.
      author.send("spell.publish", { ...ids, channel: "beta" });
      await stranger.next("spell.active_update", { where: (m) => m.spell_id === "secret_spell" });
      author.send("spell.cast_request", ids);
      assert.equal((await stranger.next("spell.cast_event")).revision_id, draft.revisionId);
      assert.equal((await fetch(base + "/files/code/spell.gd")).status, 200);
    } finally {
      await stranger.close();
      await author.close();
      await server.close();
    }
  });

  Deno.test(`worlds (${protocol}): a stranger's clear_world is forbidden; a guest creator loses it on reconnect, a player keeps it`, async () => {
    const server = await startTestServer();
    const player = await createPlayer(server, "Builder");
    let creator: Peer = await connect(server, protocol, player.token);
    const stranger = await connect(server, protocol);
    let guest: Peer | undefined;
    try {
      const world = (await creator.request("world.create", { name: "Mine" }, "world.created"))
        .world as { world_id: string };
      const join = { world_id: world.world_id };
      await stranger.request("world.join", join, "world.joined");
      const refused = await stranger.request("clear_world", {}, ["error", "world_cleared"]);
      assert.deepEqual([refused.type, refused.code], ["error", "forbidden"]);
      assert.match(refused.message as string, /owner/);
      // The player reconnects (a new connection, the same token) and may still clear it.
      await creator.close();
      creator = await connect(server, protocol, player.token);
      await creator.request("world.join", join, "world.joined");
      const cleared = await creator.request("clear_world", {}, ["world_cleared", "error"]);
      assert.equal(cleared.type, "world_cleared");

      // A guest is one identity per connection: its world is not its own after a reconnect.
      guest = await connect(server, protocol);
      const guestWorld = (await guest.request("world.create", { name: "Guest's" }, "world.created"))
        .world as { world_id: string };
      await guest.request("world.join", { world_id: guestWorld.world_id }, "world.joined");
      assert.equal(
        (await guest.request("clear_world", {}, ["world_cleared", "error"])).type,
        "world_cleared",
      );
      await guest.close();
      guest = await connect(server, protocol);
      await guest.request("world.join", { world_id: guestWorld.world_id }, "world.joined");
      const lost = await guest.request("clear_world", {}, ["world_cleared", "error"]);
      assert.deepEqual([lost.type, lost.code], ["error", "forbidden"]);
      assert.equal(lost.message, "Only the connection that created this world can clear it");
    } finally {
      await guest?.close();
      await stranger.close();
      await creator.close();
      await server.close();
    }
  });
}

Deno.test("the unmodified Godot flow as a guest: build, publish beta, cast; a late joiner downloads and casts", async () => {
  const server = await startTestServer();
  const godot = await connect(server, "websocket");
  let late: Peer | undefined;
  try {
    const world = (await godot.request("world.create", { name: "Guests" }, "world.created"))
      .world as { world_id: string };
    await godot.request("world.join", { world_id: world.world_id }, "world.joined");
    const { revisionId, manifest } = await buildAs(godot, "demo_spark", fixture("demo_spark.gd"));
    godot.send("spell.publish", {
      spell_id: "demo_spark",
      revision_id: revisionId,
      channel: "beta",
    });
    await godot.next("spell.active_update");
    godot.send("spell.cast_request", { spell_id: "demo_spark" });
    assert.equal((await godot.next("spell.cast_event")).revision_id, revisionId);
    late = await connect(server, "websocket");
    await late.request("world.join", { world_id: world.world_id }, "world.joined");
    const told = await late.next("spell.active_update");
    assert.deepEqual([told.spell_id, told.revision_id], ["demo_spark", revisionId]);
    for (
      const file of [
        ...(manifest.code as { path: string }[]),
        ...(manifest.assets as { path: string }[]),
      ]
    ) {
      const got = await late.request(
        "content.get_file",
        { spell_id: "demo_spark", revision_id: revisionId, path: file.path },
        "content.file",
      );
      assert.equal(got.path, file.path);
    }
    late.send("spell.cast_request", { spell_id: "demo_spark" });
    assert.equal((await godot.next("spell.cast_event")).caster_id, late.clientId);
  } finally {
    await late?.close();
    await godot.close();
    await server.close();
  }
});
