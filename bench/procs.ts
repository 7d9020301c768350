/**
 * Child processes under test (the real server and the baseline broadcaster) and what /proc says
 * about them: CPU time and resident memory.
 * @module
 */
import { spawnServer } from "../tests/helpers/subprocess_server.ts";

/** A process the bench started and must stop. */
export interface TargetProcess {
  /** "server" (main.ts), "baseline" (bench/baseline_server.ts) or "wiring" (the same on node:http + ws). */
  readonly name: TargetName;
  readonly pid: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const BASELINE = new URL("./baseline_server.ts", import.meta.url);

/** Starts `main.ts` with a fresh temporary data dir (removed on stop) and the given environment. */
export async function startServerUnderTest(env: Record<string, string>): Promise<TargetProcess> {
  const dataDir = await Deno.makeTempDir({ prefix: "ugc-bench-" });
  try {
    const server = await spawnServer(dataDir, env);
    return wrap("server", server.child, server.port, server.stderr, async () => {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    });
  } catch (error) {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** Which process a measurement is of. */
export type TargetName = "server" | "baseline" | "wiring";

/**
 * Starts the bare reference broadcaster on a free loopback port: on `Deno.serve` (the baseline) or
 * on the server's mandated `node:http` + `ws` wiring (the wiring reference).
 */
export async function startBaseline(wiring: "deno" | "node" = "deno"): Promise<TargetProcess> {
  const name = wiring === "node" ? "wiring" : "baseline";
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", BASELINE.pathname],
    env: { HOST: "127.0.0.1", PORT: "0", NO_COLOR: "1", WIRING: wiring },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const port = await new Promise<number>((resolve, reject) => {
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let found = false;
    const timer = setTimeout(() => {
      if (!found) reject(new Error("baseline did not start within 20 s"));
    }, 20_000);
    (async () => {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
        const match = !found && text.match(/"msg":"listening".*?"port":(\d+)/);
        if (match) {
          found = true;
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
      clearTimeout(timer);
      if (!found) reject(new Error(`${name} exited before listening:\n${text}`));
    })();
  }).catch(async (error) => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    throw error;
  });
  return wrap(name, child, port, () => text, () => Promise.resolve());
}

function wrap(
  name: TargetName,
  child: Deno.ChildProcess,
  port: number,
  stderr: () => string,
  cleanup: () => Promise<void>,
): TargetProcess {
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid: child.pid,
    wsUrl: `ws://127.0.0.1:${port}/`,
    httpUrl: `http://127.0.0.1:${port}`,
    stderr,
    stop: (graceMs = 8000) =>
      stopping ??= (async () => {
        const signal = (sig: Deno.Signal) => {
          try {
            child.kill(sig);
          } catch { /* already exited */ }
        };
        signal("SIGTERM");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const exited = await Promise.race([
          child.status.then(() => true),
          new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), graceMs)),
        ]);
        clearTimeout(timer);
        if (!exited) {
          signal("SIGKILL");
          await child.status;
        }
        await cleanup();
      })(),
  };
}

let clockTicks = 100;

/** Sets the clock-tick rate used to convert /proc CPU times (from `getconf CLK_TCK`). */
export function setClockTicks(ticks: number): void {
  if (Number.isFinite(ticks) && ticks > 0) clockTicks = ticks;
}

/** `getconf CLK_TCK`, or 100 when getconf is missing. */
export async function readClockTicks(): Promise<number> {
  const text = await commandText("getconf", ["CLK_TCK"]);
  const ticks = Number(text.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
}

/** The soft open-files limit of this process (`ulimit -n` in a child shell inherits it). */
export async function readOpenFileLimit(): Promise<number> {
  const text = (await commandText("sh", ["-c", "ulimit -n"])).trim();
  return text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text) || 1024;
}

async function commandText(command: string, args: string[]): Promise<string> {
  try {
    const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "null" })
      .output();
    return new TextDecoder().decode(output.stdout);
  } catch {
    return "";
  }
}

/** User + system CPU seconds the process has used so far (all its threads). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // The command name is in parentheses and may hold spaces: fields start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Resident set size in KiB (VmRSS). */
export async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * CPU seconds the whole machine spent busy in user, nice, system and steal time so far (from the
 * first line of /proc/stat; interrupt time is left out because loopback traffic lands there).
 */
export async function machineBusySeconds(): Promise<number> {
  const stat = await Deno.readTextFile("/proc/stat");
  const fields = stat.slice(0, stat.indexOf("\n")).trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , , , steal = 0] = fields;
  return (user + nice + system + steal) / clockTicks;
}

/**
 * CPU the rest of the machine used while the bench measured: busy time of all CPUs minus the
 * target's and the load generator's. Another job on the machine shows up here.
 */
export class OtherCpuMeter {
  #pids: number[];
  #busy0 = 0;
  #own0 = 0;
  #wall0 = 0;

  constructor(pids: number[]) {
    this.#pids = pids;
  }

  async #ours(): Promise<number> {
    const times = await Promise.all(this.#pids.map((pid) => cpuSeconds(pid).catch(() => 0)));
    return times.reduce((sum, t) => sum + t, 0);
  }

  /** Takes the first reading. */
  async start(): Promise<void> {
    [this.#busy0, this.#own0] = await Promise.all([machineBusySeconds(), this.#ours()]);
    this.#wall0 = performance.now();
  }

  /** Percent of one core used by everything else since `start`. */
  async stop(): Promise<number> {
    const [busy, own] = await Promise.all([machineBusySeconds(), this.#ours()]);
    const wallS = (performance.now() - this.#wall0) / 1000;
    return Math.max(0, (100 * ((busy - this.#busy0) - (own - this.#own0))) / wallS);
  }
}

/** CPU seconds of a process between two points in time, and the wall time between them. */
export class CpuMeter {
  #pid: number;
  #cpu0 = 0;
  #wall0 = 0;

  constructor(pid: number) {
    this.#pid = pid;
  }

  /** Takes the first reading. */
  async start(): Promise<void> {
    this.#cpu0 = await cpuSeconds(this.#pid);
    this.#wall0 = performance.now();
  }

  /** CPU seconds and wall seconds since `start`. */
  async stop(): Promise<{ cpuS: number; wallS: number }> {
    const cpu = await cpuSeconds(this.#pid);
    return { cpuS: cpu - this.#cpu0, wallS: (performance.now() - this.#wall0) / 1000 };
  }
}

/**
 * Waits until the process uses less than `maxPct` % of a core over `sliceMs`, at most `timeoutMs`.
 * Returns whether it became idle.
 */
export async function waitForIdle(
  pid: number,
  maxPct = 10,
  sliceMs = 250,
  timeoutMs = 20_000,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const meter = new CpuMeter(pid);
    try {
      await meter.start();
    } catch {
      return true; // gone
    }
    await new Promise((resolve) => setTimeout(resolve, sliceMs));
    const { cpuS, wallS } = await meter.stop();
    if ((100 * cpuS) / wallS < maxPct) return true;
  }
  return false;
}
