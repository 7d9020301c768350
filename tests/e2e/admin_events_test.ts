import assert from "node:assert/strict";
import { ADMIN_TOKEN, openEvents, startConsoleServer } from "../helpers/console_server.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture } from "../helpers/spells.ts";

Deno.test("admin events: refused without the admin token, with a wrong one, and in the URL", async () => {
  const server = await startConsoleServer();
  try {
    for (
      const headers of <Record<string, string>[]> [
        {},
        { authorization: `Bearer ${ADMIN_TOKEN}x` },
        { authorization: `Bearer ${ADMIN_TOKEN.slice(1)}` },
        { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` },
      ]
    ) {
      const response = await fetch(`${server.httpUrl}/api/admin/events`, { headers });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
      await response.body?.cancel();
    }
    const inUrl = await fetch(`${server.httpUrl}/api/admin/events?token=${ADMIN_TOKEN}`);
    assert.equal(inUrl.status, 401, "a token in the URL is not accepted");
    await inUrl.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("admin events: hello with the numbers now, then a Godot client's join and a build, live", async () => {
  const server = await startConsoleServer();
  const events = await openEvents(server.httpUrl);
  let godot: GodotClient | undefined;
  try {
    assert.equal(events.status, 200);
    const hello = await events.next("hello");
    const stats = hello.stats as Record<string, unknown>;
    assert.deepEqual(stats.connections, { websocket: 0, "socket.io": 0 });
    assert.equal(stats.players, 0);
    assert.equal((hello.history as unknown[]).length, 1, "the first sample is taken at start");

    godot = await GodotClient.connect(server.wsUrl);
    const world = (await godot.request({ type: "world.create", name: "Live" }, "world.created"))
      .world as { world_id: string };
    await godot.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    const joined = await events.next("world", (data) => data.world_id === world.world_id);
    assert.equal(joined.player_count, 1);
    const after = await events.next("stats", (data) => data.players === 1);
    assert.deepEqual(after.connections, { websocket: 1, "socket.io": 0 });
    assert.ok((await events.next("changed")).lists, "the world list changed");

    const { jobId } = await build(godot, "live_spark", { code: fixture("demo_spark.gd") });
    const queued = await events.next("job", (data) => data.job_id === jobId);
    assert.deepEqual([queued.status, queued.stage, queued.spell_id], [
      "pending",
      "queued",
      "live_spark",
    ]);
    const steps = [];
    while (true) {
      const step = await events.next("job", (data) => data.job_id === jobId);
      steps.push(step);
      if (step.status !== "running") break;
    }
    assert.ok(steps.length >= 10, `every step of the build is pushed (${steps.length})`);
    assert.equal(steps.at(-1)!.status, "completed");
    assert.equal(steps.at(-1)!.progress_pct, 100);
    assert.match(String(steps.at(-1)!.revision_id), /^rev_000001_/);

    await godot.close();
    godot = undefined;
    const left = await events.next("world", (data) => data.world_id === world.world_id);
    assert.equal(left.player_count, 0);
  } finally {
    await godot?.close();
    await events.close();
    await server.close();
  }
});

Deno.test("admin events: a console that stops reading does not hold the server, and shutdown ends the stream", async () => {
  const server = await startConsoleServer();
  const response = await fetch(`${server.httpUrl}/api/admin/events`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  assert.equal(response.headers.get("cache-control"), "no-store");
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.match(first, /^: ugc-world admin events\n/);
  // Never read again; the server still closes promptly.
  const started = Date.now();
  await server.close();
  assert.ok(Date.now() - started < 10_000);
  await reader.cancel().catch(() => {});
});
