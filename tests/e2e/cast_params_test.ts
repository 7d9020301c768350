import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { build, fixture } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{"leaf":1}' + "}".repeat(depth - 1);
}

/** cast_params as raw JSON text (so NaN-like literals and escapes reach the server as written). */
const BAD_PARAMS: [name: string, json: string, code: string, reason: RegExp][] = [
  [
    "coordinate as a string",
    '{"target_position":{"x":"1","y":0,"z":0}}',
    "invalid_payload",
    /target_position must be \{x, y, z\} of finite numbers/,
  ],
  ["missing coordinate", '{"target_position":{"x":1,"y":2}}', "invalid_payload", /target_position/],
  ["position as an array", '{"target_position":[1,2,3]}', "invalid_payload", /target_position/],
  [
    "infinite coordinate",
    '{"target_position":{"x":1e999,"y":0,"z":0}}',
    "invalid_payload",
    /finite/,
  ],
  ["entity id as a number", '{"target_entity_id":42}', "invalid_payload", /target_entity_id/],
  ["entity id too long", `{"target_entity_id":"${"e".repeat(300)}"}`, "invalid_payload", /256/],
  ["mana as a string", '{"mana_budget":"lots"}', "invalid_payload", /mana_budget/],
  ["NUL in a value", '{"note":{"deep":["a\\u0000b"]}}', "invalid_payload", /NUL/],
  ["lone surrogate", '{"note":"\\ud800"}', "invalid_payload", /valid text/],
  [
    "__proto__ key",
    '{"__proto__":{"polluted":true}}',
    "invalid_payload",
    /key that is not allowed/,
  ],
  ["constructor key", '{"x":[{"constructor":{"prototype":1}}]}', "invalid_payload", /key/],
  ["NUL in a key", '{"k\\u0000":1}', "invalid_payload", /key/],
  ["too deep", `{"x":${nested(9)}}`, "too_large", /nested deeper than 8/],
];

Deno.test("cast_params that would break the Godot cast handler are rejected with a reason, on both transports, and reach no one", async () => {
  // Dozens of casts back to back: the cast rate is not what this test is about.
  const server = await startTestServer({ CAST_BURST: "1000" });
  const caster = await GodotClient.connect(server.wsUrl);
  const watcher = await GodotClient.connect(server.wsUrl); // fails on close if a cast broke it
  const web = await SioClient.connect(server.httpUrl);
  try {
    const { last } = await build(caster, "demo_spark", { code: fixture("demo_spark.gd") });
    caster.send({
      type: "spell.publish",
      spell_id: "demo_spark",
      revision_id: last.revision_id,
      channel: "beta",
    });
    await caster.next("spell.revision_ready");
    const world = (await caster.request({ type: "world.create", name: "Casts" }, "world.created"))
      .world as { world_id: string };
    for (const client of [caster, watcher]) {
      await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    }
    await web.request("world.join", { world_id: world.world_id }, "world.joined");

    for (const [name, json, code, reason] of BAD_PARAMS) {
      caster.sendRaw(`{"type":"spell.cast_request","spell_id":"demo_spark","cast_params":${json}}`);
      const rejected = await caster.next("spell.cast_rejected");
      assert.equal(rejected.code, code, name);
      assert.match(rejected.error as string, reason, name);
      assert.equal(rejected.spell_id, "demo_spark");
      // What Socket.IO can carry of the same (JSON cannot carry 1e999 as a number, or NUL keys safely).
      const parsed = JSON.parse(json);
      web.emit("spell.cast_request", { spell_id: "demo_spark", cast_params: parsed });
      const viaSio = await web.next("spell.cast_rejected");
      assert.equal(viaSio.code, code, `${name} (Socket.IO)`);
    }
    // A good cast after all of them: the only cast_event anyone gets.
    const good = { target_position: { x: 1, y: 2, z: 3 }, target_entity_id: "e1", mana_budget: 50 };
    caster.send({ type: "spell.cast_request", spell_id: "demo_spark", cast_params: good });
    for (const client of [caster, watcher, web]) {
      const event = await client.next("spell.cast_event");
      assert.deepEqual(event.cast_params, good);
      await client.roundTrip();
      assert.equal(client.queue.has("spell.cast_event"), false, "no rejected cast was relayed");
    }
  } finally {
    await caster.close();
    await watcher.close();
    await web.close();
    await server.close();
  }
});
