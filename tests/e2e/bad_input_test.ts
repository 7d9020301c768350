import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import type { Message } from "../helpers/message_queue.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { loggedErrors, startTestServer, type TestServer } from "../helpers/test_server.ts";

/** One malformed message and the reply it must get: `[event, code]`, plus a message fragment. */
interface BadCase {
  name: string;
  event: string;
  payload: unknown;
  reply: "error" | "spell_rejected";
  code: string;
  says?: string;
}

const long = (n: number) => "x".repeat(n);

const WORLD_CASES: BadCase[] = [
  {
    name: "create without name",
    event: "world.create",
    payload: {},
    reply: "error",
    code: "invalid_payload",
    says: "World name is required",
  },
  {
    name: "create with blank name",
    event: "world.create",
    payload: { name: "   " },
    reply: "error",
    code: "invalid_payload",
    says: "World name is required",
  },
  {
    name: "create with numeric name",
    event: "world.create",
    payload: { name: 42 },
    reply: "error",
    code: "invalid_payload",
    says: "name must be a string",
  },
  {
    name: "create with object name",
    event: "world.create",
    payload: { name: { a: 1 } },
    reply: "error",
    code: "invalid_payload",
  },
  {
    name: "create with 51-char name",
    event: "world.create",
    payload: { name: long(51) },
    reply: "error",
    code: "too_large",
    says: "World name must be 50 characters or less",
  },
  {
    name: "create with 51 emoji",
    event: "world.create",
    payload: { name: "🪄".repeat(51) },
    reply: "error",
    code: "too_large",
  },
  {
    name: "create with newline in name",
    event: "world.create",
    payload: { name: "a\nb" },
    reply: "error",
    code: "invalid_payload",
  },
  {
    name: "create with 501-char description",
    event: "world.create",
    payload: { name: "ok", description: long(501) },
    reply: "error",
    code: "too_large",
  },
  {
    name: "create with numeric description",
    event: "world.create",
    payload: { name: "ok", description: 7 },
    reply: "error",
    code: "invalid_payload",
  },
  {
    name: "create with array payload",
    event: "world.create",
    payload: ["name"],
    reply: "error",
    code: "invalid_payload",
  },
  {
    name: "join without world_id",
    event: "world.join",
    payload: {},
    reply: "error",
    code: "invalid_payload",
    says: "world_id is required",
  },
  {
    name: "join with numeric world_id",
    event: "world.join",
    payload: { world_id: 5 },
    reply: "error",
    code: "invalid_payload",
  },
  {
    name: "join an unknown world",
    event: "world.join",
    payload: { world_id: "world_00000000" },
    reply: "error",
    code: "world_not_found",
    says: "World world_00000000 not found",
  },
  {
    name: "join with a huge world_id",
    event: "world.join",
    payload: { world_id: long(100_000) },
    reply: "error",
    code: "world_not_found",
  },
  {
    name: "get without world_id",
    event: "world.get",
    payload: {},
    reply: "error",
    code: "invalid_payload",
    says: "world_id is required",
  },
  {
    name: "get an unknown world",
    event: "world.get",
    payload: { world_id: "../../etc/passwd" },
    reply: "error",
    code: "world_not_found",
  },
  {
    name: "request_spell outside a world",
    event: "request_spell",
    payload: { spell: { type: "dig" } },
    reply: "spell_rejected",
    code: "not_in_world",
    says: "Must join a world first",
  },
  {
    name: "clear_world outside a world",
    event: "clear_world",
    payload: {},
    reply: "error",
    code: "not_in_world",
    says: "Must join a world first",
  },
  {
    name: "unknown event",
    event: "world.destroy",
    payload: {},
    reply: "error",
    code: "unknown_type",
    says: "Unknown message type: world.destroy",
  },
  {
    name: "ping with array payload",
    event: "ping",
    payload: [1, 2],
    reply: "error",
    code: "invalid_payload",
  },
];

const op = (spell: unknown): Pick<BadCase, "event" | "payload" | "reply"> => ({
  event: "request_spell",
  payload: { spell },
  reply: "spell_rejected",
});

/** Legacy ops that must never reach the log (contract §4.10). Sent from inside a world. */
const OP_CASES: BadCase[] = [
  { name: "spell not an object", ...op("dig"), code: "invalid_payload" },
  { name: "spell an array", ...op([1]), code: "invalid_payload" },
  { name: "numeric type", ...op({ type: 5 }), code: "invalid_payload" },
  {
    name: "unknown type",
    ...op({ type: "fireball" }),
    code: "invalid_payload",
    says: "Unknown spell type: fireball",
  },
  {
    name: "string radius",
    ...op({ type: "dig", radius: "8" }),
    code: "invalid_payload",
    says: "radius",
  },
  { name: "negative radius", ...op({ type: "dig", radius: -1 }), code: "invalid_payload" },
  { name: "zero radius", ...op({ type: "create_land", radius: 0 }), code: "invalid_payload" },
  { name: "huge radius", ...op({ type: "create_land", radius: 65 }), code: "invalid_payload" },
  { name: "1e308 radius", ...op({ type: "create_land", radius: 1e308 }), code: "invalid_payload" },
  {
    name: "center an array",
    ...op({ type: "dig", center: [1, 2, 3] }),
    code: "invalid_payload",
    says: "center",
  },
  { name: "center a string", ...op({ type: "dig", center: "0,0,0" }), code: "invalid_payload" },
  {
    name: "center missing z",
    ...op({ type: "dig", center: { x: 1, y: 2 } }),
    code: "invalid_payload",
  },
  {
    name: "center string coordinate",
    ...op({ type: "dig", center: { x: "1", y: 2, z: 3 } }),
    code: "invalid_payload",
  },
  {
    name: "center out of range",
    ...op({ type: "dig", center: { x: 2e6, y: 0, z: 0 } }),
    code: "invalid_payload",
  },
  {
    name: "fractional material",
    ...op({ type: "create_land", material_id: 1.5 }),
    code: "invalid_payload",
    says: "material_id",
  },
  {
    name: "material 256",
    ...op({ type: "create_land", material_id: 256 }),
    code: "invalid_payload",
  },
  {
    name: "negative material",
    ...op({ type: "create_land", material_id: -1 }),
    code: "invalid_payload",
  },
  {
    name: "string material",
    ...op({ type: "create_land", material_id: "1" }),
    code: "invalid_payload",
  },
];

/** Raw frames no JSON encoder would produce; each gets an error and changes nothing. */
const RAW_FRAMES: { name: string; frame: string; code: string }[] = [
  { name: "not JSON", frame: "hello", code: "invalid_json" },
  { name: "truncated JSON", frame: '{"type":"world.list"', code: "invalid_json" },
  {
    name: "NaN literal",
    frame: '{"type":"request_spell","spell":{"type":"dig","radius":NaN}}',
    code: "invalid_json",
  },
  {
    name: "Infinity literal",
    frame: '{"type":"request_spell","spell":{"type":"dig","radius":Infinity}}',
    code: "invalid_json",
  },
  { name: "a JSON array", frame: "[1,2,3]", code: "invalid_payload" },
  { name: "a JSON string", frame: '"world.list"', code: "invalid_payload" },
  { name: "JSON null", frame: "null", code: "invalid_payload" },
  { name: "a number", frame: "42", code: "invalid_payload" },
  { name: "no type", frame: '{"name":"x"}', code: "invalid_payload" },
  { name: "numeric type", frame: '{"type":7}', code: "invalid_payload" },
  { name: "empty type", frame: '{"type":""}', code: "invalid_payload" },
  {
    name: "deep nesting",
    frame: '{"type":"world.create","name":' + "[".repeat(5000) + "]".repeat(5000) + "}",
    code: "invalid_payload",
  },
];

/** Numbers JSON.parse turns into ±Infinity: sent from inside a world, rejected as ops. */
const OVERFLOW_FRAMES = [
  '{"type":"request_spell","spell":{"type":"dig","radius":1e999}}',
  '{"type":"request_spell","spell":{"type":"dig","center":{"x":-1e999,"y":0,"z":0}}}',
];

async function worldWithMember(
  server: TestServer,
  send: (event: string, payload: unknown) => Promise<Message>,
) {
  void server;
  const created = await send("world.create", { name: "Target" });
  const world = created.world as { world_id: string };
  await send("world.join", { world_id: world.world_id });
  return world;
}

function assertReply(reply: Message, bad: BadCase): void {
  assert.equal(reply.type, bad.reply, bad.name);
  assert.equal(reply.code, bad.code, bad.name);
  const text = (reply.message ?? reply.error) as string;
  assert.equal(typeof text, "string", bad.name);
  assert.ok(text.length < 200, `${bad.name}: reply text is bounded`);
  if (bad.says) {
    assert.ok(text.includes(bad.says), `${bad.name}: "${text}" should say "${bad.says}"`);
  }
}

Deno.test("raw protocol: every malformed message gets an error and changes nothing", async (t) => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "100000",
    RATE_LIMIT_BURST: "100000",
  });
  const client = await GodotClient.connect(server.wsUrl);
  try {
    // A raw message is itself the payload object, so array payloads are covered by RAW_FRAMES.
    for (const bad of WORLD_CASES.filter((c) => !Array.isArray(c.payload))) {
      await t.step(bad.name, async () => {
        client.send({ type: bad.event, ...bad.payload as object });
        assertReply(await client.next(bad.reply), bad);
      });
    }
    for (const raw of RAW_FRAMES) {
      await t.step(`frame: ${raw.name}`, async () => {
        client.sendRaw(raw.frame);
        const reply = await client.next("error");
        assert.equal(reply.code, raw.code, raw.name);
      });
    }
    await t.step("binary frame with a valid message is handled like text", async () => {
      client.sendRaw(new TextEncoder().encode('{"type":"ping"}'));
      await client.next("pong");
    });

    const world = await worldWithMember(server, (event, payload) => {
      client.send({ type: event, ...(payload as object) });
      return client.next(event === "world.create" ? "world.created" : "world.joined");
    });
    await client.next("sync_complete");
    for (const bad of OP_CASES) {
      await t.step(`op: ${bad.name}`, async () => {
        client.send({ type: bad.event, ...(bad.payload as object) });
        assertReply(await client.next(bad.reply), bad);
      });
    }

    for (const frame of OVERFLOW_FRAMES) {
      await t.step(`op frame: ${frame}`, async () => {
        client.sendRaw(frame);
        assert.equal((await client.next("spell_rejected")).code, "invalid_payload");
      });
    }

    const pong = await client.roundTrip();
    assert.deepEqual([pong.world_id, pong.ops], [world.world_id, 0]);
    const worlds = (await client.request({ type: "world.list" }, "world.list_result"))
      .worlds as unknown[];
    assert.equal(worlds.length, 1);
    assert.equal(client.queue.has("apply_op"), false);
    assert.deepEqual(loggedErrors(server), []);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("Socket.IO: every malformed message gets an error and changes nothing", async (t) => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "100000",
    RATE_LIMIT_BURST: "100000",
  });
  const client = await SioClient.connect(server.httpUrl);
  try {
    for (const bad of WORLD_CASES) {
      await t.step(bad.name, async () => {
        client.emit(bad.event, bad.payload);
        assertReply(await client.next(bad.reply), bad);
      });
    }
    await t.step("a bare string payload", async () => {
      client.emit("world.join", "world_1234abcd");
      assert.equal((await client.next("error")).code, "invalid_payload");
    });
    await t.step("a numeric event name (wire 42[5,{}]) is an error, not a crash", async () => {
      (client.socket.emit as (...args: unknown[]) => unknown)(5, {});
      assert.equal((await client.next("error")).code, "invalid_payload");
      await client.roundTrip();
    });
    await t.step(
      "a binary payload closes its connection (JSON only) and stores nothing",
      async () => {
        const binary = await SioClient.connect(server.httpUrl);
        const gone = new Promise((resolve) => binary.socket.once("disconnect", resolve));
        binary.emit("spell.create_draft", new Uint8Array([1, 2, 3]));
        await gone;
        const spells = await client.emitWithAck("spell.list", {});
        assert.deepEqual(spells.spells, []);
        await client.next("spell.list_result");
      },
    );
    await t.step("NUL and lone surrogates are refused, not stored differently", async () => {
      for (
        const payload of [{ name: "ok", description: "before\u0000after" }, { name: "a\ud800" }]
      ) {
        client.emit("world.create", payload);
        assert.equal((await client.next("error")).code, "invalid_payload");
      }
    });
    await t.step("an ack gets the error too", async () => {
      const reply = await client.emitWithAck("world.get", { world_id: "world_ffffffff" });
      assert.equal(reply.code, "world_not_found");
      await client.next("error");
    });

    await worldWithMember(
      server,
      (event, payload) =>
        client.request(event, payload, event === "world.create" ? "world.created" : "world.joined"),
    );
    for (const bad of OP_CASES) {
      await t.step(`op: ${bad.name}`, async () => {
        client.emit(bad.event, bad.payload);
        assertReply(await client.next(bad.reply), bad);
      });
    }
    assert.equal((await client.roundTrip()).ops, 0);
    assert.deepEqual(loggedErrors(server), []);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("an inbound frame over the limit closes only that connection, with 1009", async () => {
  const server = await startTestServer({ MAX_INBOUND_BYTES: "65536" });
  const bystander = await GodotClient.connect(server.wsUrl);
  const offender = await GodotClient.connect(server.wsUrl);
  try {
    offender.send({ type: "world.create", name: "x", description: "y".repeat(70_000) });
    const closed = await offender.closed;
    assert.equal(closed.code, 1009);
    await bystander.roundTrip();
    // Just under the limit is an ordinary (rejected) message, not a close.
    bystander.send({ type: "world.create", name: "x", description: "y".repeat(60_000) });
    assert.equal((await bystander.next("error")).code, "too_large");
  } finally {
    await bystander.close();
    await offender.close();
    await server.close();
  }
});

Deno.test("the per-connection rate limit drops excess messages with rate_limited and keeps the connection", async () => {
  const server = await startTestServer({ RATE_LIMIT_PER_SEC: "20", RATE_LIMIT_BURST: "40" });
  const flooder = await GodotClient.connect(server.wsUrl);
  const neighbour = await GodotClient.connect(server.wsUrl);
  try {
    for (let i = 0; i < 100; i++) flooder.send({ type: "ping" });
    const limited = await flooder.next("error", { where: (m) => m.code === "rate_limited" });
    assert.equal(limited.message, "Rate limit exceeded; message dropped");
    await neighbour.roundTrip(); // other connections have their own budget
    await new Promise((resolve) => setTimeout(resolve, 300)); // refills ~6 tokens
    flooder.queue.drain("pong");
    flooder.queue.drain("error");
    await flooder.roundTrip();
    const pongs = flooder.queue.all.filter((m) => m.type === "pong").length;
    const refused = flooder.queue.all.filter((m) => m.code === "rate_limited").length;
    assert.ok(pongs >= 40 && pongs <= 50, `pongs: ${pongs}`);
    assert.ok(refused >= 50, `refused: ${refused}`);
  } finally {
    await flooder.close();
    await neighbour.close();
    await server.close();
  }
});

Deno.test("a client flooding pipelined messages does not hold up another's: messages are taken one per turn", async () => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "1000000",
    RATE_LIMIT_BURST: "1000000",
  });
  const flooder = await GodotClient.connect(server.wsUrl);
  const watcher = await GodotClient.connect(server.wsUrl);
  try {
    const world = (await flooder.request({ type: "world.create", name: "Flood" }, "world.created"))
      .world as { world_id: string };
    for (const client of [flooder, watcher]) {
      await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    }
    const flood = 5000;
    const frame = JSON.stringify({
      type: "request_spell",
      spell: { type: "dig", center: { x: 1, y: 2, z: 3 } },
    });
    for (let i = 0; i < flood; i++) flooder.sendRaw(frame);
    // Sent after the whole flood: answered while the flood is still being applied, not after it.
    const pong = await watcher.request({ type: "ping" }, "pong");
    assert.ok((pong.ops as number) < flood, `the watcher waited for all ${pong.ops} flood ops`);
    assert.equal((await flooder.roundTrip()).ops, flood);
  } finally {
    await flooder.close();
    await watcher.close();
    await server.close();
  }
});
