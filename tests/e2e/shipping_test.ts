import assert from "node:assert/strict";
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

/**
 * The permissions `deno task compile` bakes into the binary (deno.json), which the README states
 * and this test runs the bundle with: paths relative to the working directory, as the binary
 * resolves them at run time.
 */
export const LEAST_PRIVILEGE = [
  "--allow-net",
  "--allow-env",
  "--allow-read=./data,./backups",
  "--allow-write=./data,./backups",
  "--allow-sys=setPriority",
];

Deno.test("deno task compile bakes exactly the permissions the README claims; the Dockerfile the same for /data and /backups", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).tasks;
  const compile = tasks.compile.split("deno compile ")[1].split(" ").filter((arg: string) =>
    arg.startsWith("--allow")
  );
  assert.deepEqual(compile, LEAST_PRIVILEGE);
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  assert.ok(readme.includes(`deno run ${LEAST_PRIVILEGE.join(" ")} dist/server.js`), "README");
  const dockerfile = await Deno.readTextFile(join(ROOT, "Dockerfile"));
  const docker = LEAST_PRIVILEGE.map((flag) => flag.replace("./data,./backups", "/data,/backups"))
    .join(" ");
  assert.ok(dockerfile.replace(/\\\n\s*/g, "").includes(docker), `Dockerfile bakes ${docker}`);
});

Deno.test("the bundle runs from an unrelated directory with least privilege: build, publish, cast, back up into ./backups and restore", async () => {
  const dist = await Deno.makeTempDir({ prefix: "ugc-dist-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "ugc-cwd-" });
  const dataDir = join(elsewhere, "data");
  await Deno.mkdir(dataDir);
  const bundled = await run(["task", "bundle"]);
  assert.equal(bundled.code, 0, bundled.stderr);
  await Deno.copyFile(join(ROOT, "dist", "server.js"), join(dist, "server.js"));
  // What the compiled binary gets: net, env, read/write of ./data and ./backups only, and one sys
  // call (lowering the build threads' priority).
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...LEAST_PRIVILEGE, join(dist, "server.js")],
    env: { HOST: "127.0.0.1", PORT: "0", DATA_DIR: "./data", NO_COLOR: "1" },
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
  const asBinary = (args: string[]) =>
    run(["run", ...LEAST_PRIVILEGE, join(dist, "server.js"), ...args], {
      cwd: elsewhere,
      env: { DATA_DIR: "./data" },
    });
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
      channel: "beta", // stable would wait for an operator (STABLE_PUBLISH=operator)
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

    // Backups go under ./backups (the one other directory it may write); anywhere else is refused.
    const backedUp = await asBinary(["backup", "./backups/first"]);
    assert.equal(backedUp.code, 0, backedUp.stderr);
    assert.equal(JSON.parse(backedUp.stdout).blobs, 2);
    const outside = await asBinary(["backup", join(dist, "elsewhere")]);
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /backup failed: Requires (read|write) access to/);
    const files = (await Array.fromAsync(Deno.readDir(elsewhere))).map((f) => f.name).sort();
    assert.deepEqual(files, ["backups", "data"], "nothing written outside ./data and ./backups");
  } finally {
    await godot.close();
    await web.close();
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0, logs);
    await drain;
  }
  try {
    const restored = await asBinary(["restore", "./backups/first"]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(JSON.parse(restored.stdout).revisions, 1);
  } finally {
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
  for (const command of ["healthcheck", "backup", "restore", "verify", "gc"]) {
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
