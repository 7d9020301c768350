import assert from "node:assert/strict";
import type { BuildRequest } from "../../core/build/job.ts";
import { revision } from "./spell_store_contract.ts";
import { at, contractTest, type StoreFactory } from "./fixture.ts";

const REQUEST: BuildRequest = {
  prompt: "a spark",
  code: "extends SpellModule\n",
  metadata: { name: "Spark" },
  parentRevisionId: "",
};

/** The JobStore contract: every implementation passes these. */
export function jobStoreContract(factory: StoreFactory): void {
  contractTest(
    factory,
    "JobStore: a job goes pending → running → completed or failed",
    async (f) => {
      const { spells, jobs } = f.stores;
      await spells.ensure("fire", "Fire", at(0), "owner");
      await jobs.create({
        jobId: "job_000000000001",
        spellId: "fire",
        request: REQUEST,
        requestedBy: "c_a",
        now: at(1),
      });
      await jobs.create({
        jobId: "job_000000000002",
        spellId: "fire",
        request: REQUEST,
        requestedBy: "c_a",
        now: at(1),
      });
      assert.deepEqual(await jobs.get("job_000000000001"), {
        job_id: "job_000000000001",
        spell_id: "fire",
        status: "pending",
        stage: "waiting",
        progress_pct: 0,
        error_message: "",
        result_revision_id: "",
        created_at: at(1),
        updated_at: at(1),
      });
      await jobs.start("job_000000000001", at(2));
      assert.deepEqual(
        (({ status, stage, progress_pct }) => ({ status, stage, progress_pct }))(
          (await jobs.get("job_000000000001"))!,
        ),
        { status: "running", stage: "prepare", progress_pct: 0 },
      );
      await spells.addRevision(revision("fire", 1), at(3));
      await jobs.complete("job_000000000001", revision("fire", 1).manifest.revision_id, at(3));
      const done = (await jobs.get("job_000000000001"))!;
      assert.deepEqual([
        done.status,
        done.stage,
        done.progress_pct,
        done.result_revision_id,
        done.updated_at,
      ], [
        "completed",
        "done",
        100,
        revision("fire", 1).manifest.revision_id,
        at(3),
      ]);
      await jobs.start("job_000000000002", at(2));
      await jobs.fail(
        "job_000000000002",
        "Build failed: nope",
        { stage: "validate", pct: 20 },
        at(4),
      );
      const failed = (await jobs.get("job_000000000002"))!;
      assert.deepEqual([failed.status, failed.stage, failed.progress_pct, failed.error_message], [
        "failed",
        "validate",
        20,
        "Build failed: nope",
      ]);
      assert.equal(await jobs.get("job_000000000009"), undefined);
    },
  );

  contractTest(
    factory,
    "JobStore: recover returns unfinished jobs oldest first with their requests, back to pending",
    async (f) => {
      const { spells, jobs } = f.stores;
      await spells.ensure("fire", "Fire", at(0), "owner");
      for (
        const [id, s] of [["job_000000000003", 3], ["job_000000000001", 1], [
          "job_000000000002",
          2,
        ]] as const
      ) {
        await jobs.create({
          jobId: id,
          spellId: "fire",
          request: { ...REQUEST, prompt: id },
          requestedBy: "c_a",
          now: at(s),
        });
      }
      await jobs.start("job_000000000002", at(4));
      await jobs.start("job_000000000003", at(4));
      await jobs.fail("job_000000000003", "x", { stage: "prepare", pct: 0 }, at(5));
      const recovered = await jobs.recover(at(6));
      assert.deepEqual(recovered.map((job) => job.jobId), ["job_000000000001", "job_000000000002"]);
      assert.deepEqual(recovered[0]!.request, { ...REQUEST, prompt: "job_000000000001" });
      assert.equal((await jobs.get("job_000000000002"))!.status, "pending");
      await jobs.start("job_000000000001", at(7));
      await jobs.requeue("job_000000000001", at(8));
      assert.deepEqual(
        (({ status, stage }) => ({ status, stage }))((await jobs.get("job_000000000001"))!),
        { status: "pending", stage: "waiting" },
      );
    },
  );

  contractTest(
    factory,
    "JobStore: a completed build charges its revision to whoever queued it; the job's own bytes are settled",
    async (f) => {
      const { spells, jobs, quota } = f.stores;
      await spells.ensure("fire", "Fire", at(0), "owner");
      await jobs.create({
        jobId: "job_000000000001",
        spellId: "fire",
        request: REQUEST,
        requestedBy: "c_a",
        now: at(1),
      });
      await quota.charge("addr:a", { kind: "job", ref: "job_000000000001", bytes: 1000 }, at(1));
      const built = revision("fire", 1);
      await spells.addRevision(built, at(2));
      await jobs.complete("job_000000000001", built.manifest.revision_id, at(2));
      const usage = await quota.usage("addr:a", at(0));
      // Its two files (100 + 50 bytes, 64 each for their rows) and its manifest.
      const manifestBytes = JSON.stringify(built.manifest).length;
      assert.equal(usage.bytes, 150 + 2 * 64 + manifestBytes);
      assert.equal(usage.buildTimes.length, 1, "the build still counts in its hour");
    },
  );
}
