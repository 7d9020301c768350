import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { OPTIONS } from "../../src/config.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { build, fixture } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = join(ROOT, "main.ts");

async function run(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd ?? ROOT,
    stdin: "null",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("the bundle runs from an unrelated directory with least privilege: build, publish, cast", async () => {
  const dist = await Deno.makeTempDir({ prefix: "ugc-dist-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "ugc-cwd-" });
  const dataDir = join(elsewhere, "data");
  await Deno.mkdir(dataDir);
  const bundled = await run(["task", "bundle"]);
  assert.equal(bundled.code, 0, bundled.stderr);
  await Deno.copyFile(join(ROOT, "dist", "server.js"), join(dist, "server.js"));
  // What the compiled binary gets: net, env, read/write of its data dir only, and one sys call
  // (lowering the build threads' priority).
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      `--allow-read=${dataDir}`,
      `--allow-write=${dataDir}`,
      "--allow-sys=setPriority",
      join(dist, "server.js"),
    ],
    env: { HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, NO_COLOR: "1" },
    cwd: elsewhere,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let logs = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const port = await (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`bundle exited:\n${logs}`);
      logs += value;
      const match = logs.match(/"msg":"listening".*?"port":(\d+)/);
      if (match) return Number(match[1]);
    }
  })();
  const drain = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      logs += value;
    }
  })();
  const godot = await GodotClient.connect(`ws://127.0.0.1:${port}/`);
  const web = await SioClient.connect(`http://127.0.0.1:${port}`);
  try {
    const world = (await godot.request({ type: "world.create", name: "Shipped" }, "world.created"))
      .world as {
        world_id: string;
      };
    await godot.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    await web.request("world.join", { world_id: world.world_id }, "world.joined");
    const { last } = await build(godot, "demo_spawn", { code: fixture("demo_spawn.gd") });
    assert.equal(last.stage, "done", String(last.message));
    // The build ran on a thread at nice 10 (so it yields the CPU to the sockets); the rest at 0.
    const niceness = await threadNiceness(child.pid);
    assert.ok(niceness.includes(10), `thread nice values: ${niceness}`);
    assert.ok(niceness.includes(0));
    godot.send({
      type: "spell.publish",
      spell_id: "demo_spawn",
      revision_id: last.revision_id,
      channel: "stable",
    });
    await web.next("spell.active_update");
    godot.send({
      type: "spell.cast_request",
      spell_id: "demo_spawn",
      cast_params: { target_position: { x: 0, y: 0, z: 0 } },
    });
    const [a, b] = await Promise.all([
      godot.next("spell.cast_event"),
      web.next("spell.cast_event"),
    ]);
    assert.equal(a.seed, b.seed);
    assert.equal(a.revision_id, last.revision_id);
    const files = await Array.fromAsync(Deno.readDir(elsewhere));
    assert.deepEqual(files.map((f) => f.name), ["data"], "nothing written outside the data dir");
  } finally {
    await godot.close();
    await web.close();
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0, logs);
    await drain;
    await Deno.remove(dist, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("healthcheck exits 0 while the server is up and 1 when it is down", async () => {
  const server = await startTestServer();
  const port = String(server.app.port);
  try {
    const up = await run(["run", "--allow-net", "--allow-env", MAIN, "healthcheck"], {
      env: { PORT: port },
    });
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^ok/);
  } finally {
    await server.close();
  }
  const down = await run([
    "run",
    "--allow-net",
    "--allow-env",
    MAIN,
    "healthcheck",
    "--port",
    port,
  ]);
  assert.equal(down.code, 1);
  assert.match(down.stdout, /unreachable/);
});

Deno.test("backup makes a consistent copy while the server is under write load", async () => {
  const server = await startTestServer({
    RATE_LIMIT_PER_SEC: "1000000",
    RATE_LIMIT_BURST: "1000000",
  });
  const writer = await GodotClient.connect(server.wsUrl);
  const target = join(await Deno.makeTempDir({ prefix: "ugc-backup-" }), "backup.db");
  try {
    await build(writer, "backed_up");
    const world = (await writer.request({ type: "world.create", name: "Busy" }, "world.created"))
      .world as {
        world_id: string;
      };
    await writer.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    let writing = true;
    const load = (async () => {
      while (writing) {
        for (let i = 0; i < 200; i++) {
          writer.send({ type: "request_spell", spell: { type: "dig" } });
        }
        await writer.roundTrip();
      }
    })();
    const result = await run(
      ["run", "--allow-read", "--allow-write", "--allow-env", MAIN, "backup", target],
      { env: { DATA_DIR: server.dataDir } },
    );
    writing = false;
    await load;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).blobs, 2);
    const copy = new DatabaseSync(target, { readOnly: true });
    try {
      assert.equal(
        (copy.prepare("PRAGMA integrity_check").get() as { integrity_check: string })
          .integrity_check,
        "ok",
      );
      assert.equal(
        Number((copy.prepare("SELECT COUNT(*) AS n FROM worlds").get() as { n: number }).n),
        1,
      );
      assert.equal(
        Number((copy.prepare("SELECT COUNT(*) AS n FROM revisions").get() as { n: number }).n),
        1,
      );
    } finally {
      copy.close();
    }
    const listing = (await Deno.readTextFile(`${target}.blobs`)).trim().split("\n");
    assert.equal(listing.length, 2);
    for (const path of listing) await Deno.stat(join(server.dataDir, path));
    const again = await run([
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      MAIN,
      "backup",
      target,
    ], {
      env: { DATA_DIR: server.dataDir },
    });
    assert.equal(again.code, 1, "never overwrites an existing file");
  } finally {
    await writer.close();
    await server.close();
  }
});

Deno.test("bad options fail fast naming the option; --help lists every option; --version", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--port", "abc"], {}, /--port must be a whole number/],
    [[], { PORT: "70000" }, /PORT must be at most 65535/],
    [[], { LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of/],
    [["--max-outbound-bytes=100000"], {}, /--max-outbound-bytes must be at most 65535/],
    [["--bogus", "1"], {}, /Unknown option --bogus/],
    [["--port"], {}, /Option --port needs a value/],
  ];
  for (const [args, env, message] of cases) {
    const result = await run(["run", "--allow-all", MAIN, ...args], {
      env: { DATA_DIR: "/nonexistent/never", ...env },
    });
    assert.equal(result.code, 2, `${args.join(" ")} ${JSON.stringify(env)}`);
    assert.match(result.stderr, message);
  }
  const help = await run(["run", "--allow-all", MAIN, "--help"]);
  assert.equal(help.code, 0);
  for (const option of OPTIONS) assert.ok(help.stdout.includes(option.env), option.env);
  for (const command of ["healthcheck", "backup"]) {
    assert.ok(help.stdout.includes(command), command);
  }
  const version = await run(["run", "--allow-all", MAIN, "--version"]);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

/** The nice value of every thread of a process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
async function threadNiceness(pid: number): Promise<number[]> {
  const values: number[] = [];
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    const stat = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/stat`).catch(() => "");
    // Fields after the parenthesised command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields.length > 16) values.push(Number(fields[16]));
  }
  return values;
}
