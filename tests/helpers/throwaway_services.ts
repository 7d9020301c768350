/**
 * Real, throwaway Postgres and Redis servers for tests and benches: each on a free loopback port,
 * with its data in a fresh temp directory that `stop()` removes. Nothing is mocked.
 *
 * Postgres refuses to run as root, so as root the server runs as the `postgres` user (through
 * `runuser`), as Debian packages it. `deno task test` installs the packages when they are missing.
 * @module
 */
import { join } from "node:path";

export interface ThrowawayPostgres {
  /** `postgres://…` for the database `ugc` (superuser, trust authentication, loopback only). */
  readonly url: string;
  stop(): Promise<void>;
}

export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (as a crash would: no save) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Kills the server (as a crash would); `up` starts it again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const PG_BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"];

function pgBinary(name: string): string {
  for (const dir of PG_BIN_DIRS) {
    try {
      Deno.statSync(join(dir, name));
      return join(dir, name);
    } catch {
      // not this version
    }
  }
  return name; // on PATH
}

const isRoot = () => Deno.uid() === 0;

/** Runs a command (as `postgres` when we are root); throws with its output if it fails. */
async function run(command: string, args: string[], asPostgres: boolean): Promise<void> {
  const [cmd, argv] = asPostgres && isRoot()
    ? ["runuser", ["-u", "postgres", "--", command, ...args]]
    : [command, args];
  const result = await new Deno.Command(cmd, { args: argv, stdout: "piped", stderr: "piped" })
    .output();
  if (!result.success) {
    const text = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
    throw new Error(`${command} ${args.join(" ")} failed:\n${text}`);
  }
}

/** A free TCP port on loopback (bind to 0, read it, close). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForPort(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** initdb + start (≈ 1 s) a Postgres on a free port, with an empty database `ugc`. */
export async function startPostgres(): Promise<ThrowawayPostgres> {
  const dir = await Deno.makeTempDir({ prefix: "ugc-pg-" });
  const dataDir = join(dir, "data");
  const socketDir = join(dir, "run");
  await Deno.mkdir(socketDir);
  if (isRoot()) await run("chown", ["-R", "postgres:postgres", dir], false);
  const port = freePort();
  await run(pgBinary("initdb"), [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "--auth=trust",
    "--no-sync",
    "-E",
    "UTF8",
    "--locale=C",
  ], true);
  await run(pgBinary("pg_ctl"), [
    "-D",
    dataDir,
    "-l",
    join(dir, "log"),
    "-w",
    "-o",
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`,
    "start",
  ], true);
  await waitForPort(port, "postgres");
  await run(
    pgBinary("createdb"),
    ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "ugc"],
    true,
  );
  return {
    url: `postgres://postgres@127.0.0.1:${port}/ugc`,
    stop: async () => {
      await run(pgBinary("pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"], true)
        .catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** A Redis on a free port, no persistence (a restart loses everything, as the tests want). */
export async function startRedis(): Promise<ThrowawayRedis> {
  const dir = await Deno.makeTempDir({ prefix: "ugc-redis-" });
  const port = freePort();
  let child: Deno.ChildProcess | undefined;
  const start = async () => {
    child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(port, "redis");
  };
  const kill = async () => {
    if (!child) return;
    child.kill("SIGKILL");
    await child.status;
    child = undefined;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      await kill();
      await start();
    },
    down: kill,
    up: start,
    stop: async () => {
      await kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
