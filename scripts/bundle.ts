// deno-lint-ignore-file no-console -- a build script reports to its terminal
/**
 * `deno task bundle`: one self-contained `dist/server.js`. The Workers (build, WAL checkpoint) are
 * bundled first and embedded in the server bundle as text, so the server starts them from `data:`
 * URLs and never reads a file outside its data directory (a Worker loaded from a file needs
 * --allow-read on that file).
 * @module
 */
import { encodeBase64 } from "../src/protocol/base64.ts";

const root = new URL("../", import.meta.url);
const dist = new URL("dist/", root);
await Deno.mkdir(dist, { recursive: true });

async function bundle(entry: string, output: string): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--platform=deno",
      "-o",
      new URL(output, dist).pathname,
      new URL(entry, root).pathname,
    ],
    cwd: root.pathname,
  }).output();
  if (!result.success) {
    console.error(new TextDecoder().decode(result.stderr));
    Deno.exit(1);
  }
}

const WORKERS = {
  build: "src/workers/build_worker.ts",
  checkpoint: "src/storage/sqlite/checkpoint_worker.ts",
};
const urls: Record<string, string> = {};
for (const [name, entry] of Object.entries(WORKERS)) {
  const file = `${name}_worker.js`;
  await bundle(entry, file);
  const source = await Deno.readTextFile(new URL(file, dist));
  urls[name] = "data:application/javascript;base64," +
    encodeBase64(new TextEncoder().encode(source));
  await Deno.remove(new URL(file, dist));
}
// Evaluated before main.ts (imports run in order), so main.ts finds the embedded workers.
await Deno.writeTextFile(
  new URL("embedded_workers.js", dist),
  `globalThis.__UGC_WORKER_URLS__ = ${JSON.stringify(urls)};\n`,
);
await Deno.writeTextFile(
  new URL("entry.js", dist),
  `import "./embedded_workers.js";\nimport "../main.ts";\n`,
);
await bundle("dist/entry.js", "server.js");
for (const temporary of ["entry.js", "embedded_workers.js"]) {
  await Deno.remove(new URL(temporary, dist));
}
const size = (await Deno.stat(new URL("server.js", dist))).size;
console.log(`dist/server.js (${size} bytes, workers embedded)`);
