import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { build, fixture, publish } from "../helpers/spells.ts";
import { startTestServer, type TestServer } from "../helpers/test_server.ts";

/**
 * A spell's `ctx.world.set_voxel` runs on every client that runs the cast, and each client sends
 * the op: the verifier allows up to 256 a run. These tests play a world of Godot clients that do
 * exactly that, while one member casts as fast as the server lets it.
 */
const OPS_PER_CAST = 256;

function opOf(seed: number, i: number): Record<string, unknown> {
  return {
    type: i % 2 === 0 ? "create_land" : "dig",
    center: { x: (seed % 1000) + i * 0.5, y: 10.5, z: -i },
    radius: 2.0,
    material_id: i % 2 === 0 ? 3 : 0,
  };
}

async function castableWorld(server: TestServer, owner: GodotClient) {
  const { last } = await build(owner, "demo_spark", { code: fixture("demo_spark.gd") });
  await publish(owner, "demo_spark", last.revision_id as string, "beta");
  const world = (await owner.request({ type: "world.create", name: "Digging" }, "world.created"))
    .world as { world_id: string };
  void server;
  return world.world_id;
}

/** Makes a raw client act like Godot running the cast: every `spell.cast` sends its ops. */
function relayCasts(client: GodotClient): void {
  client.socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data as string);
    if (message.type !== "spell.cast_event") return;
    for (let i = 0; i < OPS_PER_CAST; i++) {
      client.send({ type: "request_spell", spell: opOf(message.seed, i) });
    }
  });
}

function relayCastsSio(client: SioClient): void {
  client.socket.on("spell.cast_event", (message: { seed: number }) => {
    for (let i = 0; i < OPS_PER_CAST; i++) {
      client.emit("request_spell", { spell: opOf(message.seed, i) });
    }
  });
}

Deno.test("casts beyond CASTS_PER_SEC are refused with spell.cast_rejected (rate_limited) and reach no one, on both protocols", async () => {
  const server = await startTestServer({ CASTS_PER_SEC: "2", CAST_BURST: "4" });
  const caster = await GodotClient.connect(server.wsUrl);
  const watcher = await GodotClient.connect(server.wsUrl);
  const web = await SioClient.connect(server.httpUrl);
  try {
    const worldId = await castableWorld(server, caster);
    for (const client of [caster, watcher]) {
      await client.request({ type: "world.join", world_id: worldId }, "world.joined");
    }
    await web.request("world.join", { world_id: worldId }, "world.joined");
    for (let i = 0; i < 20; i++) {
      caster.send({ type: "spell.cast_request", spell_id: "demo_spark", cast_params: { i } });
    }
    const sioAnswers = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) =>
          web.emitWithAck("spell.cast_request", { spell_id: "demo_spark", cast_params: { i } }),
      ),
    );
    await caster.roundTrip();
    await web.request("ping", {}, "pong");
    await watcher.roundTrip();
    const rejected = caster.queue.all.filter((m) => m.type === "spell.cast_rejected");
    assert.ok(
      rejected.length >= 15,
      `${rejected.length} of 20 casts refused (burst 4, 2 a second)`,
    );
    assert.ok(
      rejected.every((m) => m.code === "rate_limited" && /CASTS_PER_SEC/.test(String(m.error))),
    );
    const sioRefused = sioAnswers.filter((a) => a.code === "rate_limited").length;
    assert.ok(sioRefused >= 5, `${sioRefused} of 10 Socket.IO casts refused`);
    // The watcher saw only the casts that were let through: nothing refused reached the world.
    const casts = watcher.queue.all.filter((m) => m.type === "spell.cast_event").length;
    assert.equal(casts, 20 - rejected.length + 10 - sioRefused);
    assert.equal(watcher.queue.all.filter((m) => m.type === "error").length, 0);
  } finally {
    await caster.close();
    await watcher.close();
    await web.close();
    await server.close();
  }
});

Deno.test("every client relaying a fast caster's voxel ops keeps its connection; each op is stored and delivered once", async () => {
  // Default limits: 200 messages a second per connection, casts 5 a second (burst 10).
  const server = await startTestServer();
  const caster = await GodotClient.connect(server.wsUrl);
  const raw = [caster];
  for (let i = 0; i < 3; i++) raw.push(await GodotClient.connect(server.wsUrl));
  const web = await SioClient.connect(server.httpUrl);
  try {
    const worldId = await castableWorld(server, caster);
    for (const client of raw) {
      await client.request({ type: "world.join", world_id: worldId }, "world.joined");
    }
    await web.request("world.join", { world_id: worldId }, "world.joined");
    for (const client of raw) relayCasts(client);
    relayCastsSio(web);

    // Three seconds of casting as fast as the cast rate allows: ~25 casts, 6,400 distinct ops,
    // sent by each of the 5 clients (~2,100 messages a second each, ten times the message rate).
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 3000) {
      caster.send({ type: "spell.cast_request", spell_id: "demo_spark", cast_params: {} });
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const casts = await eventually(() => {
      const n = raw[1]!.queue.all.filter((m) => m.type === "spell.cast_event").length;
      return n > 0 && n;
    }, { what: "casts to arrive" });
    // Wait for the relays to drain, then check each connection still works.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const client of raw) await client.roundTrip();
    const pong = await web.request("ping", {}, "pong");
    const stored = pong.ops as number;

    const unique = raw[1]!.queue.all.filter((m) => m.type === "spell.cast_event").length *
      OPS_PER_CAST;
    // deno-lint-ignore no-console -- the figures the closing note quotes
    console.log(
      `cast amplification | ${sent} casts sent, ${casts}+ let through | ${unique} distinct ops ` +
        `relayed by 5 clients | ${stored} stored`,
    );
    assert.ok(sent > unique / OPS_PER_CAST, "the cast rate held casts back");
    assert.ok(stored <= unique, "no op stored twice");
    assert.ok(stored > 0);
    for (const client of [...raw, web]) {
      const applied = client.queue.all.filter((m) => m.type === "apply_op").length;
      assert.equal(applied, stored, "every member got every stored op once");
      if (client === caster) continue; // its casts over the rate are answered, one by one
      const limited = client.queue.all.filter((m) => m.code === "rate_limited").length;
      // Ops over the rate are dropped with one answer a second, not one per op.
      assert.ok(limited <= 10, `${limited} rate_limited answers`);
    }
    for (const client of raw) {
      assert.equal(client.socket.readyState, WebSocket.OPEN, "no relaying client was cut");
    }
    assert.ok(web.socket.connected);
    assert.ok(!server.logs.some((entry) => entry.msg === "closing flooding client"));
  } finally {
    for (const client of raw) await client.close();
    await web.close();
    await server.close();
  }
});

Deno.test("a client flooding request_spell is still closed, later than for other messages", async () => {
  const server = await startTestServer();
  const flooder = await GodotClient.connect(server.wsUrl);
  try {
    const world = (await flooder.request({ type: "world.create", name: "F" }, "world.created"))
      .world as { world_id: string };
    await flooder.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    const frame = JSON.stringify({ type: "request_spell", spell: opOf(1, 1) });
    for (let i = 0; i < 40_000; i++) flooder.sendRaw(frame);
    const closed = await flooder.closed;
    assert.equal(closed.code, 1008);
    const limited = flooder.queue.all.filter((m) => m.code === "rate_limited").length;
    assert.ok(limited <= 20, `${limited} rate_limited answers (one a second)`);
    assert.ok(server.logs.some((entry) => entry.msg === "closing flooding client"));
  } finally {
    await flooder.close().catch(() => {});
    await server.close();
  }
});
