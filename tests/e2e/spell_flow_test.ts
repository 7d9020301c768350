import assert from "node:assert/strict";
import { GodotClient } from "../helpers/godot_client.ts";
import { SioClient } from "../helpers/sio_client.ts";
import {
  assertValidPng,
  build,
  decodeBase64,
  fixture,
  sha256,
  SUCCESS_STEPS,
} from "../helpers/spells.ts";
import { loggedErrors, startTestServer } from "../helpers/test_server.ts";

interface Manifest {
  spell_id: string;
  revision_id: string;
  version: number;
  entrypoint: string;
  code: { path: string; hash: string; size: number }[];
  assets: { path: string; hash: string; size: number }[];
  metadata: Record<string, unknown>;
}

const DEMO_SPARK_BUILD = {
  code: fixture("demo_spark.gd"),
  options: { metadata: { name: "Demo Spark", description: "Demo spell: demo_spark" } },
};

Deno.test("the Godot flow: build demo_spark, publish to beta, download, cast; a late joiner can cast", async () => {
  const server = await startTestServer();
  const alice = await GodotClient.connect(server.wsUrl); // the Godot player pressing keys 5, 7, 3
  const bob = await SioClient.connect(server.httpUrl); // a Socket.IO member of the same world
  let carol: GodotClient | undefined;
  try {
    const world = (await alice.request({ type: "world.create", name: "Spells" }, "world.created"))
      .world as {
        world_id: string;
      };
    await alice.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    await bob.request("world.join", { world_id: world.world_id }, "world.joined");

    // Key 5: build. The requester gets the 13 steps; the 95 % step carries the manifest, done carries both.
    const { jobId, events, last } = await build(alice, "demo_spark", DEMO_SPARK_BUILD);
    assert.deepEqual(events.map((e) => [e.stage, e.pct]), SUCCESS_STEPS);
    assert.ok((events[11]!.manifest as Manifest).code.length === 1);
    const revisionId = last.revision_id as string;
    assert.match(revisionId, /^rev_000001_[0-9a-f]{8}$/);
    const manifest = last.manifest as Manifest;
    assert.equal(manifest.spell_id, "demo_spark");
    assert.equal(manifest.revision_id, revisionId);
    assert.equal(manifest.entrypoint, "code/spell.gd");
    assert.deepEqual(manifest.metadata, {
      name: "Demo Spark",
      description: "Demo spell: demo_spark",
      tags: [],
      preview_icon: "assets/icon.png",
    });
    assert.equal(events[4]!.message, `Created revision ${revisionId}`);
    assert.equal(bob.queue.has("job.progress"), false, "progress goes to the requester only");

    const job = await (await fetch(`${server.httpUrl}/api/jobs/${jobId}`)).json();
    assert.deepEqual([job.status, job.stage, job.progress_pct, job.result_revision_id], [
      "completed",
      "done",
      100,
      revisionId,
    ]);

    // Key 7: publish to beta. Everyone hears, with the manifest.
    alice.send({
      type: "spell.publish",
      spell_id: "demo_spark",
      revision_id: revisionId,
      channel: "beta",
    });
    for (const client of [alice, bob]) {
      const active = await client.next("spell.active_update");
      assert.deepEqual([active.spell_id, active.revision_id, active.channel], [
        "demo_spark",
        revisionId,
        "beta",
      ]);
      assert.deepEqual(active.manifest, manifest);
      const ready = await client.next("spell.revision_ready");
      assert.deepEqual(ready.manifest, manifest);
    }

    // Download every file as SpellCache does, and check it against the manifest.
    for (const file of [...manifest.code, ...manifest.assets]) {
      alice.send({
        type: "content.get_file",
        spell_id: "demo_spark",
        revision_id: revisionId,
        path: file.path,
      });
      const reply = await alice.next("content.file", { where: (m) => m.path === file.path });
      const bytes = decodeBase64(reply.content as string);
      assert.equal(sha256(bytes), file.hash, file.path);
      assert.equal(bytes.length, file.size);
      assert.equal(reply.size, file.size);
      const viaSio = await bob.request(
        "content.get_file",
        { spell_id: "demo_spark", revision_id: revisionId, path: file.path },
        "content.file",
      );
      assert.equal(viaSio.content, reply.content);
    }
    const script = manifest.code[0]!;
    alice.send({
      type: "content.get_file",
      spell_id: "demo_spark",
      revision_id: revisionId,
      path: script.path,
    });
    const code = new TextDecoder().decode(
      decodeBase64((await alice.next("content.file")).content as string),
    );
    assert.equal(code, fixture("demo_spark.gd"));

    // Key 3: cast. Caster and the Socket.IO member get the same event and seed.
    const castParams = { target_position: { x: 1, y: 2, z: 3 } };
    alice.send({
      type: "spell.cast_request",
      spell_id: "demo_spark",
      revision_id: revisionId,
      cast_params: castParams,
    });
    const mine = await alice.next("spell.cast_event");
    const theirs = await bob.next("spell.cast_event");
    assert.equal(mine.seed, theirs.seed);
    assert.ok(
      Number.isInteger(mine.seed) && (mine.seed as number) >= 0 && (mine.seed as number) < 2 ** 31,
    );
    assert.equal(mine.caster_id, alice.clientId);
    assert.deepEqual(mine.cast_params, castParams);
    assert.equal(mine.world_id, world.world_id);

    // A third player joins later: told what is castable, then casts with the fallback revision.
    carol = await GodotClient.connect(server.wsUrl);
    carol.send({ type: "world.join", world_id: world.world_id });
    await carol.next("world.joined");
    await carol.next("sync_complete");
    const known = await carol.next("spell.active_update");
    assert.deepEqual([known.spell_id, known.revision_id, known.channel], [
      "demo_spark",
      revisionId,
      "beta",
    ]);
    assert.deepEqual(known.manifest, manifest);
    carol.send({ type: "spell.cast_request", spell_id: "demo_spark", cast_params: castParams });
    const seen = await Promise.all([carol, alice, bob].map((c) => c.next("spell.cast_event")));
    assert.ok(
      seen.every((event) => event.seed === seen[0]!.seed && event.caster_id === carol!.clientId),
    );
    assert.ok(seen.every((event) => event.revision_id === revisionId));

    // The same revision over HTTP: manifest, immutable file with ETag, 304 on revalidation.
    const base = `${server.httpUrl}/api/spells/demo_spark/revisions/${revisionId}`;
    assert.deepEqual(await (await fetch(`${base}/manifest`)).json(), manifest);
    const file = await fetch(`${base}/files/code/spell.gd`);
    assert.equal(file.headers.get("etag"), `"${script.hash}"`);
    assert.equal(file.headers.get("cache-control"), "private, no-cache");
    assert.match(file.headers.get("content-type")!, /^text\/plain/);
    assert.equal(await file.text(), fixture("demo_spark.gd"));
    const revalidated = await fetch(`${base}/files/code/spell.gd`, {
      headers: { "if-none-match": `"${script.hash}"` },
    });
    assert.equal(revalidated.status, 304);
    await revalidated.body?.cancel();
    const icon = await fetch(`${base}/files/assets/icon.png`);
    assert.equal(icon.headers.get("content-type"), "image/png");
    await assertValidPng(new Uint8Array(await icon.arrayBuffer()));
    const listed = await (await fetch(`${server.httpUrl}/api/spells`)).json();
    assert.equal(listed.spells[0].active_beta_rev, revisionId);
    const revisions = await (await fetch(`${server.httpUrl}/api/spells/demo_spark/revisions`))
      .json();
    assert.equal(revisions.revisions[0].revision_id, revisionId);
    assert.deepEqual(loggedErrors(server), []);
  } finally {
    await alice.close();
    await bob.close();
    await carol?.close();
    await server.close();
  }
});

Deno.test("demo_spawn and the no-code stub build; identical icons share one blob", async () => {
  const server = await startTestServer();
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const spawn = await build(client, "demo_spawn", { code: fixture("demo_spawn.gd") });
    assert.equal(spawn.last.stage, "done", String(spawn.last.message));
    const stub = await build(client, "fire2ball");
    assert.equal(stub.last.stage, "done", String(stub.last.message));
    const stubManifest = stub.last.manifest as Manifest;
    assert.equal(stubManifest.metadata.name, "Fire2Ball"); // Python's str.title() quirk, kept
    assert.equal(stubManifest.metadata.description, "");
    const again = await build(client, "fire2ball", { prompt: "a second try" });
    assert.match(again.last.revision_id as string, /^rev_000002_/);
    assert.equal((again.last.manifest as Manifest).metadata.description, "a second try");

    const icons = [spawn, stub, again].map((b) => (b.last.manifest as Manifest).assets[0]!.hash);
    assert.equal(new Set(icons).size, 1);
    const blobs: string[] = [];
    for await (const dir of Deno.readDir(`${server.dataDir}/blobs/sha256`)) {
      for await (const file of Deno.readDir(`${server.dataDir}/blobs/sha256/${dir.name}`)) {
        blobs.push(file.name);
      }
    }
    // demo_spawn code + one stub code (same bytes both times) + one shared icon.
    assert.equal(blobs.length, 3);
    assert.ok(blobs.includes(icons[0]!));

    const stubCode = (stub.last.manifest as Manifest).code[0]!;
    client.send({
      type: "content.get_file",
      spell_id: "fire2ball",
      revision_id: stub.last.revision_id,
      path: stubCode.path,
    });
    const text = new TextDecoder().decode(
      decodeBase64((await client.next("content.file")).content as string),
    );
    assert.match(text, /^extends SpellModule\n/);
    assert.match(text, /func on_cast\(ctx: SpellContext\) -> void:/);

    const revisions = await client.request(
      { type: "spell.get_revisions", spell_id: "fire2ball" },
      "spell.revisions_result",
    );
    assert.deepEqual((revisions.revisions as { version: number }[]).map((r) => r.version), [2, 1]);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("drafts and spell lists: generated and validated ids, no duplicate on a second draft", async () => {
  const server = await startTestServer();
  const client = await SioClient.connect(server.httpUrl);
  try {
    const generated = await client.emitWithAck("spell.create_draft", {});
    assert.match(generated.spell_id as string, /^spell_[0-9a-f]{8}$/);
    assert.equal(generated.created, true);
    const first = await client.emitWithAck("spell.create_draft", { spell_id: "my_fireball" });
    assert.deepEqual([first.created, (first.spell as { display_name: string }).display_name], [
      true,
      "My Fireball",
    ]);
    const second = await client.emitWithAck("spell.create_draft", { spell_id: "my_fireball" });
    assert.equal(second.created, false);
    assert.equal((second.spell as { active_beta_rev: string }).active_beta_rev, "");
    for (const bad of ["My_Fireball", "a/b", "../x", "x".repeat(65), "sp ace"]) {
      const reply = await client.emitWithAck("spell.create_draft", { spell_id: bad });
      assert.equal(reply.code, "invalid_payload", bad);
    }
    const list = await client.emitWithAck("spell.list", {});
    assert.deepEqual(
      (list.spells as { spell_id: string }[]).map((s) => s.spell_id).sort(),
      [
        generated.spell_id,
        "my_fireball",
      ].sort(),
    );
    const revisions = await client.emitWithAck("spell.get_revisions", { spell_id: "nobody" });
    assert.deepEqual(revisions, { spell_id: "nobody", revisions: [] });
  } finally {
    await client.close();
    await server.close();
  }
});
