/** The real server as a child process (`deno run main.ts`), for crash and signal tests. */
export interface ServerProcess {
  child: Deno.ChildProcess;
  port: number;
  httpUrl: string;
  wsUrl: string;
  /** Everything the process wrote to stderr so far (JSON log lines). */
  stderr(): string;
  /** Waits for the process to end and returns its exit code and signal. */
  exited(): Promise<Deno.CommandStatus>;
}

const MAIN = new URL("../../main.ts", import.meta.url);

export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys",
      MAIN.pathname,
    ],
    env: {
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      NO_COLOR: "1",
      ...env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const status = child.status;
  const port = await new Promise<number>((resolve, reject) => {
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let resolved = false;
    (async () => {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
        const match = !resolved && text.match(/"msg":"listening".*?"port":(\d+)/);
        if (match) {
          resolved = true;
          resolve(Number(match[1]));
        }
      }
      if (!resolved) reject(new Error(`server exited before listening:\n${text}`));
    })();
  });
  return {
    child,
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/`,
    stderr: () => text,
    exited: () => status,
  };
}
