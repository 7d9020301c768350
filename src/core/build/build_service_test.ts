import assert from "node:assert/strict";
import { ErrorCode } from "../../protocol/mod.ts";
import { startCore } from "../../testing/core_harness.ts";
import { buildSpell } from "../../testing/spells.ts";

Deno.test("BuildService: a build is queued, reports progress to its requester only, and becomes the spell's draft", async () => {
  const core = startCore();
  const requester = core.connect();
  const other = core.connect();
  await core.send(requester, "spell.start_build", {
    spell_id: "spark",
    code: "extends SpellModule\n",
  });
  const started = requester.sent.at(-1)!;
  assert.equal(started.event, "spell.build_started");
  const jobId = started.payload.job_id as string;
  assert.equal((await core.builds.view(jobId))!.status, "running");
  const build = core.runner.started[0]!;
  assert.equal(build.task.spellId, "spark");
  assert.equal(build.task.version, 1);
  build.progress({ stage: "validate", pct: 20, message: "Checking" });
  await core.clock.advance(0);
  assert.deepEqual(requester.of("job.progress").map((m) => m.payload.stage), ["validate"]);
  assert.equal((await core.builds.view(jobId))!.stage, "validate", "the live step, not written");
  core.runner.started.length = 0;
  // Finishing it: one more build of the same spell, finished by the helper.
  const manifest = await buildSpell(core, requester, "spark");
  assert.equal(manifest.version, 2);
  assert.equal((await core.stores.spells.get("spark"))!.active_draft_rev, manifest.revision_id);
  const done = requester.of("job.progress").at(-1)!.payload;
  assert.deepEqual([done.stage, done.pct, done.revision_id], ["done", 100, manifest.revision_id]);
  assert.equal(other.sent.length, 0, "progress goes to the requester only");
  build.finish({ ok: false, reason: "code did not verify" });
  await core.clock.advance(0);
  const failed = (await core.builds.view(jobId))!;
  assert.deepEqual([failed.status, failed.stage, failed.progress_pct], ["failed", "validate", 20]);
  assert.equal(requester.of("job.progress").at(-1)!.payload.stage, "error");
  await core.builds.idle();
  await core.close();
});

Deno.test("BuildService: per-connection and queue limits; a bad parent revision is refused before anything is stored", async () => {
  const core = startCore({ limits: { buildsPerConnection: 2, buildQueueMax: 3 } });
  const a = core.connect();
  const b = core.connect();
  for (let i = 0; i < 3; i++) await core.send(a, "spell.start_build", { spell_id: "s" });
  assert.equal(a.sent.at(-1)!.payload.code, ErrorCode.QUOTA_EXCEEDED);
  await core.send(b, "spell.start_build", { spell_id: "s" });
  assert.equal(b.sent.at(-1)!.payload.code, ErrorCode.FORBIDDEN, "s is a's spell");
  await core.send(b, "spell.start_build", { spell_id: "u" });
  await core.send(b, "spell.start_build", { spell_id: "u" });
  assert.equal(b.sent.at(-1)!.payload.code, ErrorCode.UNAVAILABLE, "3 queued or running in all");
  assert.equal(core.builds.depth, 3);
  await core.send(b, "spell.start_build", {
    spell_id: "t",
    options: { parent_revision_id: "rev_000001_00000000" },
  });
  assert.equal(b.sent.at(-1)!.payload.code, ErrorCode.REVISION_NOT_FOUND);
  assert.equal(await core.stores.spells.get("t"), undefined);
  for (const build of core.runner.started) build.finish({ ok: false, reason: "stop" });
  await core.clock.advance(0);
  for (const build of core.runner.started.slice(2)) build.finish({ ok: false, reason: "stop" });
  await core.builds.idle();
  await core.close();
});

Deno.test("BuildService: jobs left unfinished are recovered and run again, reporting to no one", async () => {
  const core = startCore();
  await core.stores.spells.ensure("s", "S", "2026-01-01T00:00:00.000Z", "legacy");
  await core.stores.jobs.create({
    jobId: "job_00000000000a",
    spellId: "s",
    request: { prompt: "", metadata: {}, parentRevisionId: "" },
    requestedBy: "c_gone",
    now: "2026-01-01T00:00:00.000Z",
  });
  assert.equal(await core.builds.recover(), 1);
  await core.clock.advance(0);
  assert.equal(core.runner.started.length, 1);
  assert.equal(core.runner.started[0]!.task.jobId, "job_00000000000a");
  core.runner.started[0]!.finish({ ok: false, reason: "x" });
  await core.builds.idle();
  assert.equal((await core.stores.jobs.get("job_00000000000a"))!.status, "failed");
  await core.close();
});
