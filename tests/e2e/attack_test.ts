import assert from "node:assert/strict";
import { join } from "node:path";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

/** Every file below `dir` with its size and mtime: a before/after picture of the disk. */
async function snapshot(dir: string, skip: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (at: string) => {
    for await (const entry of Deno.readDir(at)) {
      const path = join(at, entry.name);
      if (path === skip) continue;
      const info = await Deno.lstat(path);
      files.set(path, `${info.size}:${info.mtime?.getTime()}`);
      if (entry.isDirectory) await walk(path);
    }
  };
  await walk(dir);
  return files;
}

const TRAVERSAL_PATHS = [
  "../../ugc.db",
  "../../../secret.txt",
  "/etc/passwd",
  "code/../../../../secret.txt",
  "code/../../ugc.db",
  "code\\..\\..\\ugc.db",
  "code/spell.gd\u0000.png",
  "./code/spell.gd",
  "code//spell.gd",
  "code/./spell.gd",
  "manifest.json",
  "code",
  "assets/",
  "%2e%2e/%2e%2e/ugc.db",
  "C:\\Windows\\win.ini",
];

Deno.test("traversal and id attacks over WebSocket and HTTP read and write nothing outside the package", async () => {
  const sandbox = await Deno.makeTempDir({ prefix: "ugc-attack-" });
  const dataDir = join(sandbox, "data");
  const secret = "TOP-SECRET-CANARY-" + crypto.randomUUID();
  await Deno.writeTextFile(join(sandbox, "secret.txt"), secret);
  const server = await startTestServer(
    { RATE_LIMIT_PER_SEC: "100000", RATE_LIMIT_BURST: "100000" },
    dataDir,
  );
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const spark = await build(client, "demo_spark", { code: fixture("demo_spark.gd") });
    const other = await build(client, "other_spell");
    const revision = spark.last.revision_id as string;
    const otherRevision = other.last.revision_id as string;
    const before = await snapshot(sandbox, dataDir);

    for (const path of TRAVERSAL_PATHS) {
      client.send({
        type: "content.get_file",
        spell_id: "demo_spark",
        revision_id: revision,
        path,
      });
      const reply = await client.next("error");
      // A NUL never reaches a lookup: it is refused as malformed text first.
      assert.equal(
        reply.code,
        path.includes("\u0000") ? "invalid_payload" : "file_not_found",
        path,
      );
    }
    const badIds: [string, string][] = [
      ["../..", revision],
      ["/etc", revision],
      ["demo_spark", "../../.."],
      ["demo_spark", "/"],
      ["demo_spark", "rev_000001_zzzzzzzz"],
      ["demo_spark", otherRevision], // another spell's revision (original-system §10 #21, #22)
    ];
    for (const [spellId, revisionId] of badIds) {
      const ids = { spell_id: spellId, revision_id: revisionId };
      client.send({ type: "content.get_file", ...ids, path: "code/spell.gd" });
      assert.ok(
        ["invalid_payload", "revision_not_found", "file_not_found"].includes(
          (await client.next("error")).code as string,
        ),
      );
      client.send({ type: "content.list_files", ...ids });
      const listed = await client.next(["content.files_list", "error"]);
      if (listed.type === "content.files_list") assert.deepEqual(listed.files, []);
      client.send({ type: "spell.publish", ...ids, channel: "stable" });
      assert.ok(
        ["invalid_payload", "revision_not_found"].includes(
          (await client.next("error")).code as string,
        ),
      );
    }
    for (const spellId of ["../../tmp/evil", "/tmp/evil", "..", "evil/../../x", "A"]) {
      client.send({ type: "spell.start_build", spell_id: spellId, code: fixture("demo_spark.gd") });
      assert.equal((await client.next("error")).code, "invalid_payload", spellId);
      client.send({ type: "spell.create_draft", spell_id: spellId });
      assert.equal((await client.next("error")).code, "invalid_payload", spellId);
    }
    client.send({
      type: "spell.publish",
      spell_id: "demo_spark",
      revision_id: revision,
      channel: "../../beta",
    });
    assert.equal((await client.next("error")).message, "channel must be draft, beta, or stable");

    // Casts: the revision must exist and belong to the spell; params bounded (original-system §10 #22).
    const world = (await client.request({ type: "world.create", name: "A" }, "world.created"))
      .world as { world_id: string };
    await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    const castCases: [Record<string, unknown>, string][] = [
      [{ spell_id: "demo_spark", revision_id: otherRevision }, "revision_not_found"],
      [{ spell_id: "demo_spark", revision_id: "rev_000001_00000000" }, "revision_not_found"],
      [{ spell_id: "demo_spark", revision_id: "../x" }, "revision_not_found"],
      [{ spell_id: "demo_spark", revision_id: revision, cast_params: [1] }, "invalid_payload"],
      [{ spell_id: "demo_spark", revision_id: revision, cast_params: "x" }, "invalid_payload"],
      [
        { spell_id: "demo_spark", revision_id: revision, cast_params: { pad: "x".repeat(4100) } },
        "too_large",
      ],
      [{ spell_id: "demo_spark" }, "revision_not_found"], // nothing published yet
      [{ spell_id: "ghost" }, "spell_not_found"],
    ];
    for (const [payload, code] of castCases) {
      client.send({ type: "spell.cast_request", ...payload });
      const rejected = await client.next("spell.cast_rejected");
      assert.equal(rejected.code, code, JSON.stringify(payload).slice(0, 80));
      assert.equal(typeof rejected.spell_id, "string");
    }
    client.send({
      type: "spell.cast_request",
      spell_id: "demo_spark",
      revision_id: revision,
      cast_params: { pad: "x".repeat(4000) },
    });
    await client.next("spell.cast_event"); // just under 4 KiB is fine

    for (
      const path of [
        "..%2F..%2Fugc.db",
        "%2e%2e/%2e%2e/ugc.db",
        "code%2F..%2F..%2F..%2Fsecret.txt",
        "code/..%5C..%5Cugc.db",
        "code/spell.gd%00",
        "%2Fetc%2Fpasswd",
        "code/%E0%A4%A",
        "..%252F..%252Fugc.db",
      ]
    ) {
      const response = await fetch(
        `${server.httpUrl}/api/spells/demo_spark/revisions/${revision}/files/${path}`,
      );
      assert.equal(response.status, 404, path);
      assert.deepEqual(await response.json(), { error: "not found" });
    }
    for (
      const path of [
        `/api/spells/..%2F..%2Fetc/revisions`,
        `/api/spells/demo_spark/revisions/..%2F..`,
        "/api/jobs/../../ugc.db",
        "/api/jobs/job_%2e%2e",
      ]
    ) {
      const response = await fetch(server.httpUrl + path);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }

    const everything = JSON.stringify(client.queue.all);
    assert.ok(
      !everything.includes(secret) && !everything.includes(btoa(secret).slice(0, 20)),
      "the canary never leaked",
    );
    assert.ok(!everything.includes(sandbox), "no server path reached a client");
    assert.deepEqual(
      await snapshot(sandbox, dataDir),
      before,
      "nothing outside the data dir changed",
    );
  } finally {
    await client.close();
    await server.close();
    await Deno.remove(sandbox, { recursive: true });
  }
});
