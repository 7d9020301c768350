// deno-lint-ignore-file no-console -- a build script reports to its terminal
/**
 * `deno task bundle`: one self-contained `dist/server.js`. The build worker is bundled first and
 * embedded in the server bundle as text, so the server starts it from a `data:` URL and never reads
 * a file outside its data directory (a Worker loaded from a file needs --allow-read on that file).
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

await bundle("src/workers/build_worker.ts", "build_worker.js");
const workerSource = await Deno.readTextFile(new URL("build_worker.js", dist));
const dataUrl = "data:application/javascript;base64," +
  encodeBase64(new TextEncoder().encode(workerSource));
// Evaluated before main.ts (imports run in order), so main.ts finds the embedded worker.
await Deno.writeTextFile(
  new URL("embedded_worker.js", dist),
  `globalThis.__UGC_BUILD_WORKER_URL__ = ${JSON.stringify(dataUrl)};\n`,
);
await Deno.writeTextFile(
  new URL("entry.js", dist),
  `import "./embedded_worker.js";\nimport "../main.ts";\n`,
);
await bundle("dist/entry.js", "server.js");
for (const temporary of ["entry.js", "embedded_worker.js", "build_worker.js"]) {
  await Deno.remove(new URL(temporary, dist));
}
console.log(
  `dist/server.js (${
    (await Deno.stat(new URL("server.js", dist))).size
  } bytes, build worker embedded)`,
);
