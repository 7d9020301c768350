import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { fixture } from "../helpers/spells.ts";
import { spawnServer } from "../helpers/subprocess_server.ts";

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} during builds: exit 0 within 10 s, clients get 1001, queued builds survive`, async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "ugc-shutdown-" });
    let server = await spawnServer(dataDir, { BUILD_WORKERS: "1", BUILDS_PER_CONNECTION: "10" });
    const client = await GodotClient.connect(server.wsUrl);
    try {
      const jobIds: string[] = [];
      for (let i = 0; i < 8; i++) {
        client.send({
          type: "spell.start_build",
          spell_id: `shut_${i}`,
          code: fixture("demo_spawn.gd"),
        });
        jobIds.push((await client.next("spell.build_started")).job_id as string);
      }
      const started = Date.now();
      server.child.kill(signal);
      const status = await server.exited();
      const elapsed = Date.now() - started;
      assert.equal(status.code, 0, server.stderr());
      assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
      assert.equal((await client.closed).code, 1001);
      assert.match(server.stderr(), /"msg":"stopped"/);

      server = await spawnServer(dataDir, { BUILD_WORKERS: "2" });
      const jobs = await eventually(async () => {
        const all = await Promise.all(
          jobIds.map(async (id) => (await fetch(`${server.httpUrl}/api/jobs/${id}`)).json()),
        );
        return all.every((job) => job.status === "completed") ? all : undefined;
      }, { timeoutMs: 30_000, what: "every queued build to complete after the restart" });
      assert.equal(jobs.length, 8);
    } finally {
      client.socket.close();
      try {
        server.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await server.exited();
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}
