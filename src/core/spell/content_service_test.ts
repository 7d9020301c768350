import assert from "node:assert/strict";
import { decodeBase64 } from "../../protocol/base64.ts";
import { ErrorCode } from "../../protocol/mod.ts";
import { startCore } from "../../testing/core_harness.ts";
import { buildSpell } from "../../testing/spells.ts";

Deno.test("ContentService: a revision's manifest, its files and their bytes; nothing outside the manifest", async () => {
  const core = startCore();
  const client = core.connect();
  const code = "extends SpellModule\n# ✨\n";
  const manifest = await buildSpell(core, client, "glow", code);
  const ids = { spell_id: "glow", revision_id: manifest.revision_id };
  await core.send(client, "content.get_manifest", ids);
  assert.deepEqual(client.sent.at(-1)!.payload.manifest, manifest);
  await core.send(client, "content.list_files", ids);
  assert.deepEqual(client.sent.at(-1)!.payload.files, ["code/spell.gd"]);
  await core.send(client, "content.get_file", { ...ids, path: "code/spell.gd" });
  const file = client.sent.at(-1)!.payload;
  assert.equal(new TextDecoder().decode(decodeBase64(file.content as string)), code);
  assert.equal(file.size, new TextEncoder().encode(code).length);
  for (const path of ["code/other.gd", "../ugc.db", "/etc/passwd", "code/../code/spell.gd"]) {
    await core.send(client, "content.get_file", { ...ids, path });
    assert.equal(client.sent.at(-1)!.payload.code, ErrorCode.FILE_NOT_FOUND, path);
  }
  await core.send(client, "content.get_manifest", { ...ids, revision_id: "rev_1" });
  assert.equal(client.sent.at(-1)!.payload.code, ErrorCode.REVISION_NOT_FOUND);
  await core.send(client, "content.list_files", {
    spell_id: "glow",
    revision_id: "rev_000009_00000000",
  });
  assert.deepEqual(client.sent.at(-1)!.payload.files, []);
  const stored = await core.content.file("glow", manifest.revision_id, "code/spell.gd");
  const opened = (await stored!.open())!;
  assert.equal(await new Response(opened.body).text(), code);
  await core.close();
});
