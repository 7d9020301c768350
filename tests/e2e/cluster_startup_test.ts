/**
 * Cluster mode's start-up and its one-node form: REDIS_URL alone is refused (exit 2), an
 * unreachable Postgres or Redis stops start-up with the host named and the password never shown
 * (exit 5), and DATABASE_URL alone runs one node on Postgres whose worlds outlive a restart.
 */
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { spawnServer } from "../helpers/subprocess_server.ts";
import { freePort, startPostgres } from "../helpers/throwaway_services.ts";

const SECRET = "hunter2-do-not-log";

Deno.test("cluster start-up: REDIS_URL without DATABASE_URL exits 2 and says why", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const result = await runCli([], {
      DATA_DIR: dataDir,
      REDIS_URL: `redis://:${SECRET}@127.0.0.1:1`,
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /REDIS_URL needs DATABASE_URL/);
    assert.ok(!result.stderr.includes(SECRET));
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("cluster start-up: an unreachable Postgres or Redis exits 5 naming the host, never the password", async () => {
  const dataDir = await Deno.makeTempDir();
  const pg = await startPostgres();
  try {
    const closed = freePort();
    const permissions = [
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net",
      "--allow-sys",
    ];
    const noPostgres = await runCli([], {
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: `postgres://ugc:${SECRET}@127.0.0.1:${closed}/ugc`,
    }, permissions);
    assert.equal(noPostgres.code, 5, noPostgres.stderr);
    assert.match(
      noPostgres.stderr,
      new RegExp(`cannot reach Postgres at postgres://127\\.0\\.0\\.1:${closed}/ugc`),
    );
    assert.ok(!noPostgres.stderr.includes(SECRET));
    const noRedis = await runCli([], {
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: pg.url,
      REDIS_URL: `redis://:${SECRET}@127.0.0.1:${closed}`,
      ADMIN_TOKEN: "cluster-startup-admin-token-0123456789",
    }, permissions);
    assert.equal(noRedis.code, 5, noRedis.stderr);
    assert.match(noRedis.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    assert.ok(!noRedis.stderr.includes(SECRET));
  } finally {
    await pg.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("DATABASE_URL alone: one node on Postgres; its worlds and ops outlive a restart; /readyz names Postgres", async () => {
  const pg = await startPostgres();
  const dataDir = await Deno.makeTempDir();
  let server = await spawnServer(dataDir, { DATABASE_URL: pg.url });
  try {
    const ready = await (await fetch(`${server.httpUrl}/readyz`)).json();
    assert.deepEqual(ready, { status: "ready", checks: { postgres: "ok", storage: "ok" } });
    const a = await GodotClient.connect(server.wsUrl);
    const created = await a.request({ type: "world.create", name: "Kept" }, "world.created");
    const worldId = (created.world as { world_id: string }).world_id;
    await a.request({ type: "world.join", world_id: worldId }, "world.joined");
    for (let x = 0; x < 5; x++) {
      a.send({
        type: "request_spell",
        spell: { type: "create_land", center: { x, y: 0, z: 0 }, radius: 2 },
      });
    }
    for (let i = 0; i < 5; i++) assert.equal((await a.next("apply_op")).seq, i + 1);
    await a.close();
    server.child.kill("SIGTERM");
    assert.equal((await server.exited()).code, 0);
    server = await spawnServer(dataDir, { DATABASE_URL: pg.url });
    const b = await GodotClient.connect(server.wsUrl);
    const joined = await b.request({ type: "world.join", world_id: worldId }, "world.joined");
    assert.equal(joined.seq, 5);
    const sync = await b.next("sync_ops");
    assert.deepEqual((sync.ops as { center: { x: number } }[]).map((o) => o.center.x), [
      0,
      1,
      2,
      3,
      4,
    ]);
    await b.close();
  } finally {
    server.child.kill("SIGTERM");
    await server.exited();
    await pg.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
