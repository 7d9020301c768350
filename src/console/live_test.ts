import assert from "node:assert/strict";
import { Live } from "./live.ts";

Deno.test("live: hello sets the numbers, the history and each world's players; world events move them", () => {
  const live = new Live();
  const heard: string[] = [];
  live.listen((event) => heard.push(event.event));
  live.receive({
    event: "hello",
    data: { stats: { players: 2 }, history: [{ t: 1 }], players: { w1: 2 } },
  });
  assert.equal(live.stats?.players, 2);
  assert.equal(live.history.length, 1);
  assert.equal(live.players.get("w1"), 2);
  live.receive({ event: "world", data: { world_id: "w1", player_count: 0 } });
  live.receive({ event: "world", data: { world_id: "w2", player_count: 1 } });
  assert.deepEqual([...live.players], [["w2", 1]]);
  live.receive({ event: "sample", data: { t: 2 } });
  assert.equal(live.history.length, 2);
  assert.deepEqual(heard, ["hello", "world", "world", "sample"]);
});

Deno.test("live: a job's steps are counted; a failure keeps the step it reached; a listing merges under live steps", () => {
  const live = new Live();
  const step = (data: Record<string, unknown>) =>
    live.receive({ event: "job", data: { job_id: "j1", spell_id: "s", ...data } });
  step({ status: "pending", stage: "queued", progress_pct: 0 });
  step({ status: "running", stage: "validate", progress_pct: 60 });
  step({ status: "failed", stage: "error", progress_pct: 0, error_message: "Build failed: x" });
  const job = live.jobs.get("j1")!;
  assert.deepEqual([job.status, job.stage, job.progress_pct, job.updates], [
    "failed",
    "validate",
    60,
    3,
  ]);
  assert.equal(job.error_message, "Build failed: x");
  live.mergeJobs([
    {
      job_id: "j1",
      spell_id: "s",
      status: "running",
      stage: "prepare",
      progress_pct: 5,
      created_at: "2026-01-01T00:00:00.000Z",
    },
    { job_id: "j0", spell_id: "s", status: "completed", stage: "done", progress_pct: 100 },
  ]);
  assert.equal(live.jobs.get("j1")!.status, "failed", "the live step is newer than the listing");
  assert.equal(live.jobs.get("j1")!.created_at, "2026-01-01T00:00:00.000Z");
  assert.equal(live.jobs.get("j0")!.status, "completed");
});
