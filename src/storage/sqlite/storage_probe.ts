import { join } from "node:path";
import type { Database } from "./db.ts";
import { type Run, runNow } from "./run.ts";

const PROBE_FILE_BYTES = 64 * 1024;

/**
 * Proves storage takes writes again: one small database write and one 64 KiB file written, synced
 * and removed in the blob folder. Throws what the disk says if either fails.
 */
export async function probeStorage(
  db: Database,
  blobRoot: string,
  run: Run = runNow,
): Promise<void> {
  await run(() =>
    db.prepare(
      "INSERT INTO storage_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
    ).run(new Date().toISOString())
  );
  const dir = join(blobRoot, "tmp");
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `probe.${crypto.randomUUID()}`);
  try {
    const file = await Deno.open(path, { write: true, createNew: true });
    try {
      let left = new Uint8Array(PROBE_FILE_BYTES);
      while (left.length > 0) left = left.subarray(await file.write(left));
      await file.sync();
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}
