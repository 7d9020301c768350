// deno-lint-ignore-file no-console -- a set-up step reports to its terminal
/**
 * Runs first in `deno task test`: the tests start real Postgres and Redis servers and drive a real
 * Chromium, from Debian's packages. Any that is missing is installed with apt-get when this can
 * (root, or passwordless sudo); otherwise it says what to install and the tests that need it fail
 * loudly (they never skip). `.ci/run` runs the same command, so CI installs them the same way.
 * @module
 */

/** The Debian package, and how to tell it is installed. */
const PACKAGES: { name: string; installed: () => boolean }[] = [
  { name: "redis-server", installed: () => onPath("redis-server") },
  {
    name: "chromium",
    installed: () => exists(Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium"),
  },
  { name: "postgresql", installed: () => postgresInstalled() },
];

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => dir && exists(`${dir}/${command}`));
}

function postgresInstalled(): boolean {
  try {
    for (const entry of Deno.readDirSync("/usr/lib/postgresql")) {
      if (exists(`/usr/lib/postgresql/${entry.name}/bin/initdb`)) return true;
    }
  } catch {
    // no /usr/lib/postgresql: not installed
  }
  return onPath("initdb");
}

async function run(command: string[], env: Record<string, string> = {}): Promise<boolean> {
  const [program, ...args] = command;
  try {
    const { success } = await new Deno.Command(program!, { args, env, stdout: "null" }).output();
    return success;
  } catch {
    return false;
  }
}

const missing = PACKAGES.filter((pkg) => !pkg.installed()).map((pkg) => pkg.name);
if (missing.length > 0) {
  const root = Deno.uid() === 0;
  const sudo = root ? [] : (await run(["sudo", "-n", "true"])) ? ["sudo", "-n"] : undefined;
  if (!onPath("apt-get") || sudo === undefined) {
    console.error(
      `The tests need Debian's ${missing.join(", ")}: install ${
        missing.length > 1 ? "them" : "it"
      } (apt-get install ${missing.join(" ")}); the tests that use ${
        missing.length > 1 ? "them" : "it"
      } will fail until then.`,
    );
  } else {
    console.error(`installing ${missing.join(", ")} (needed by the tests)…`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    const ok = await run([...sudo, "apt-get", "update", "-qq"], env) &&
      await run(
        [...sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", ...missing],
        env,
      );
    if (!ok) console.error(`apt-get could not install ${missing.join(", ")}`);
  }
}
