import assert from "node:assert/strict";
import { join } from "node:path";
import { eventually } from "../helpers/eventually.ts";
import { startOpWriters, walBytes } from "../helpers/op_writers.ts";
import { spawnServer } from "../helpers/subprocess_server.ts";

const WAL_BOUND = 64 * 1024 * 1024;

Deno.test("30 writers at the default rate limit: the WAL stays under 64 MB, and is truncated to zero once writes pause", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ugc-wal-" });
  // The writers all come from 127.0.0.1: only the world-creation rate would stop them starting.
  const server = await spawnServer(dataDir, { WORLD_CREATES_PER_MINUTE: "1000" });
  const db = join(dataDir, "ugc.db");
  let peak = 0;
  const sampler = setInterval(() => peak = Math.max(peak, walBytes(db)), 20);
  try {
    const writers = await startOpWriters(server.wsUrl, { writers: 30, opsPerSecond: 180 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await writers.stop();
    // ~80 MB/s of WAL before the fix: three seconds of this grew it past 200 MB.
    assert.ok(writers.applied > 3_000, `only ${writers.applied} ops were applied`);
    assert.ok(peak < WAL_BOUND, `WAL peaked at ${(peak / 1048576).toFixed(1)} MiB`);
    await eventually(() => walBytes(db) === 0, {
      what: "the WAL to be truncated once writes pause",
      timeoutMs: 5_000,
    });
  } finally {
    clearInterval(sampler);
    server.child.kill("SIGTERM");
    await server.exited();
    await Deno.remove(dataDir, { recursive: true });
  }
});
