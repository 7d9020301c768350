import assert from "node:assert/strict";
import { join } from "node:path";
import {
  expectedOptionsCells,
  optionsTableCells,
  SPELLSCRIPT_DOC,
  spellscriptDoc,
} from "../scripts/docs.ts";
import { describeViolations, validateSpellScript } from "../src/workers/gdscript/mod.ts";
import { ClientEvent, ErrorCode, ServerEvent } from "../src/protocol/mod.ts";
import { GodotClient } from "./helpers/godot_client.ts";
import { startTestServer } from "./helpers/test_server.ts";

const ROOT = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", ROOT));

Deno.test("README: the options table is generated from the code (run `deno task docs`)", () => {
  assert.deepEqual(optionsTableCells(readme), expectedOptionsCells());
});

Deno.test("docs/SPELLSCRIPT.md is generated from the API data (run `deno task docs`)", async () => {
  assert.equal(await Deno.readTextFile(SPELLSCRIPT_DOC), await spellscriptDoc());
});

Deno.test("docs/SPELLSCRIPT.md: its example spells build", async () => {
  const doc = await Deno.readTextFile(SPELLSCRIPT_DOC);
  const blocks = [...doc.matchAll(/```gdscript\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length > 0);
  for (const block of blocks) {
    const report = validateSpellScript(block);
    assert.ok(report.ok, report.ok ? "" : describeViolations(report.violations));
  }
});

Deno.test("README: the spell section points spell authors to docs/SPELLSCRIPT.md", () => {
  const start = readme.indexOf("### Spell packages");
  const section = readme.slice(start, readme.indexOf("### Creating a spell programmatically"));
  assert.match(section, /\]\(docs\/SPELLSCRIPT\.md\)/);
});

Deno.test("README: every event name and error code of the protocol module is documented", () => {
  for (
    const name of [
      ...Object.values(ClientEvent),
      ...Object.values(ServerEvent),
      ...Object.values(ErrorCode),
    ]
  ) {
    assert.ok(readme.includes(`\`${name}`), `README does not mention \`${name}\``);
  }
});

Deno.test("README: the 'create a spell programmatically' example runs and the server serves its spell", async () => {
  const block = readme.match(/### Creating a spell programmatically[\s\S]*?```ts\n([\s\S]*?)```/);
  assert.ok(block, "example block");
  const script = new URL(`.readme_example_${crypto.randomUUID()}.ts`, ROOT);
  const cwd = await Deno.makeTempDir({ prefix: "ugc-readme-" });
  await Deno.mkdir(join(cwd, "data"));
  await Deno.writeTextFile(script, block[1]!);
  try {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script.pathname],
      cwd,
    }).output();
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
  } finally {
    await Deno.remove(script);
  }
  const server = await startTestServer({}, join(cwd, "data"));
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const world = (await client.request({ type: "world.create", name: "Docs" }, "world.created"))
      .world as {
        world_id: string;
      };
    await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    const active = await client.next("spell.active_update");
    assert.equal(active.spell_id, "my_fireball");
    client.send({
      type: "content.get_file",
      spell_id: "my_fireball",
      revision_id: active.revision_id,
      path: "code/spell.gd",
    });
    assert.match(atob((await client.next("content.file")).content as string), /Fireball!/);
    client.send({ type: "spell.cast_request", spell_id: "my_fireball" });
    assert.equal((await client.next("spell.cast_event")).revision_id, active.revision_id);
  } finally {
    await client.close();
    await server.close();
    await Deno.remove(cwd, { recursive: true });
  }
});
