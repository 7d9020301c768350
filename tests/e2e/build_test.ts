import assert from "node:assert/strict";
import { findControlCharacter } from "../../src/core/build/code_text.ts";
import { describeViolations, validateSpellScript } from "../../src/workers/gdscript/mod.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture, FIXTURES } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

Deno.test("every bad fixture fails its build with the validator's line, and leaves nothing reachable", async (t) => {
  // One connection tries a cast of every fixture's orphan revision: more than CAST_BURST.
  const server = await startTestServer({ CAST_BURST: "1000" });
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const world = (await client.request({ type: "world.create", name: "W" }, "world.created"))
      .world as {
        world_id: string;
      };
    await client.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    const names = (await Array.fromAsync(Deno.readDir(new URL("bad/", FIXTURES)))).map((entry) =>
      entry.name
    )
      .sort();
    assert.ok(names.length >= 20, `only ${names.length} bad fixtures`);
    for (const name of names) {
      await t.step(name, async () => {
        const code = fixture(`bad/${name}`);
        if (findControlCharacter(code)) {
          // Refused before it is queued (quota_test.ts has the cases): no job, no spell row.
          client.send({ type: "spell.start_build", spell_id: "bad_spell", code });
          assert.equal((await client.next("error")).code, "invalid_payload");
          return;
        }
        const expected = validateSpellScript(code);
        assert.equal(expected.ok, false);
        const { jobId, events, last } = await build(client, "bad_spell", { code });
        assert.equal(last.stage, "error");
        assert.equal(last.pct, 0);
        // The job row keeps the last step reached, as the original's did (original-system §7.2).
        const reached = events.at(-2)!;
        const job = await (await fetch(`${server.httpUrl}/api/jobs/${jobId}`)).json();
        assert.deepEqual(
          [job.status, job.stage, job.progress_pct, job.error_message, job.result_revision_id],
          ["failed", reached.stage, reached.pct, last.message, ""],
        );
        if (!expected.ok) {
          assert.equal(last.message, `Build failed: ${describeViolations(expected.violations)}`);
          assert.match(last.message as string, /^Build failed: line \d+:\d+: /);
        }
        // No path, no exception name, no stack frame ("at file:…"); "at the top" is prose.
        assert.doesNotMatch(
          last.message as string,
          /\/work|\/tmp|Error:|\bat (file|async|ext|new|Object)\b|\n\s+at /,
          "no internals",
        );

        // The revision id the build announced must not be reachable in any way (original-system §10 #16).
        const created = events.find((e) => String(e.message).startsWith("Created revision "));
        const orphan = String(created?.message ?? "").slice("Created revision ".length);
        assert.match(orphan, /^rev_\d{6}_[0-9a-f]{8}$/);
        const ids = { spell_id: "bad_spell", revision_id: orphan };
        client.send({ type: "spell.publish", ...ids, channel: "beta" });
        assert.equal((await client.next("error")).code, "revision_not_found");
        client.send({ type: "spell.cast_request", ...ids });
        assert.equal((await client.next("spell.cast_rejected")).code, "revision_not_found");
        client.send({ type: "content.get_file", ...ids, path: "code/spell.gd" });
        assert.equal((await client.next("error")).code, "file_not_found");
        client.send({ type: "content.get_manifest", ...ids });
        assert.equal((await client.next("error")).code, "revision_not_found");
        const http = await fetch(
          `${server.httpUrl}/api/spells/bad_spell/revisions/${orphan}/files/code/spell.gd`,
        );
        assert.equal(http.status, 404);
        await http.body?.cancel();
      });
    }
    const revisions = await client.request(
      { type: "spell.get_revisions", spell_id: "bad_spell" },
      "spell.revisions_result",
    );
    assert.deepEqual(revisions.revisions, []);
    // A failed build writes no blob at all.
    const blobs = await Array.fromAsync(Deno.readDir(`${server.dataDir}/blobs`)).catch(() => []);
    assert.ok(
      !blobs.some((entry) => entry.name === "sha256"),
      "no blob directory after failed builds only",
    );
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("20 concurrent builds from 10 clients all finish; each requester sees only its own progress", async () => {
  const server = await startTestServer();
  const clients = await Promise.all(
    Array.from({ length: 10 }, () => GodotClient.connect(server.wsUrl)),
  );
  try {
    const jobsByClient = await Promise.all(clients.map(async (client, i) => {
      const ids: string[] = [];
      for (const n of [0, 1]) {
        client.send({
          type: "spell.start_build",
          spell_id: `spell_${i}_${n}`,
          code: fixture("demo_spark.gd"),
        });
        ids.push((await client.next("spell.build_started")).job_id as string);
      }
      return ids;
    }));
    await Promise.all(clients.map(async (client, i) => {
      for (const jobId of jobsByClient[i]!) {
        const done = await client.next("job.progress", {
          where: (m) => m.job_id === jobId && m.stage === "done",
          timeoutMs: 30_000,
        });
        assert.match(done.revision_id as string, /^rev_000001_/);
      }
    }));
    for (const [i, client] of clients.entries()) {
      const foreign = client.queue.all.filter((m) =>
        m.type === "job.progress" && !jobsByClient[i]!.includes(m.job_id as string)
      );
      assert.deepEqual(foreign, [], `client ${i} saw another client's progress`);
      assert.equal(client.queue.all.filter((m) => m.type === "job.progress").length, 26);
    }
    const spells = await (await fetch(`${server.httpUrl}/api/spells`)).json();
    assert.equal(spells.spells.length, 20);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  }
});

Deno.test("build quotas: 2 in flight per connection, a bounded queue, oversize code refused up front", async () => {
  const server = await startTestServer({ BUILD_QUEUE_MAX: "3", BUILD_WORKERS: "1" });
  const first = await GodotClient.connect(server.wsUrl);
  const second = await GodotClient.connect(server.wsUrl);
  try {
    const code = fixture("demo_spawn.gd");
    for (const n of [1, 2]) first.send({ type: "spell.start_build", spell_id: `q${n}`, code });
    first.send({ type: "spell.start_build", spell_id: "q3", code });
    await first.next("spell.build_started");
    await first.next("spell.build_started");
    const quota = await first.next("error");
    assert.equal(quota.code, "quota_exceeded");

    second.send({ type: "spell.start_build", spell_id: "q4", code });
    second.send({ type: "spell.start_build", spell_id: "q5", code });
    const replies = [
      await second.next("spell.build_started"),
      await second.next("error", { timeoutMs: 3000 }).catch(() => undefined),
    ];
    // With 3 slots in the whole queue, the fourth build is refused unless one already finished.
    if (replies[1]) assert.equal(replies[1].code, "unavailable");

    const tooBig = "extends SpellModule\n" + "#".repeat(48_001);
    second.send({ type: "spell.start_build", spell_id: "huge", code: tooBig });
    const refused = await second.next("error", { where: (m) => m.code === "too_large" });
    assert.match(refused.message as string, /limit is 48000/);
    for (
      const bad of [{ code: 5 }, { options: "x" }, { options: { metadata: [] } }, { prompt: {} }, {
        options: { metadata: { tags: "a" } },
      }, { options: { parent_revision_id: "rev_000009_deadbeef" } }]
    ) {
      second.send({ type: "spell.start_build", spell_id: "typed", ...bad });
      const reply = await second.next("error", {
        where: (m) => m.code !== "unavailable" && m.code !== "quota_exceeded",
      });
      assert.ok(
        ["invalid_payload", "revision_not_found"].includes(reply.code as string),
        JSON.stringify(bad),
      );
    }
    await server.app.buildsIdle();
  } finally {
    await first.close();
    await second.close();
    await server.close();
  }
});
