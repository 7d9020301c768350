import { type App, startApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";

export interface TestServer {
  app: App;
  dataDir: string;
  /** http://127.0.0.1:PORT */
  httpUrl: string;
  /** ws://127.0.0.1:PORT/ (the Godot client's path) */
  wsUrl: string;
  logs: Record<string, unknown>[];
  /** Stops the server and starts a new one on the same data dir (a clean restart). */
  restart(): Promise<TestServer>;
  /** Stops the server; removes the data dir unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts the real server in this process on a free loopback port with a fresh data dir.
 * `env` overrides options exactly as the environment would (e.g. `{ MAX_OPS_PER_WORLD: "10" }`).
 */
export async function startTestServer(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<TestServer> {
  dataDir ??= await Deno.makeTempDir({ prefix: "ugc-test-" });
  const config = parseConfig([], {
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: dataDir,
    BUILD_WORKERS: "2",
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({ level: "debug", write: (line) => logs.push(JSON.parse(line)) });
  const app = await startApp(config, { log });
  const server: TestServer = {
    app,
    dataDir,
    httpUrl: `http://127.0.0.1:${app.port}`,
    wsUrl: `ws://127.0.0.1:${app.port}/`,
    logs,
    restart: async () => {
      await app.close();
      return await startTestServer(env, dataDir);
    },
    close: async (options = {}) => {
      await app.close();
      if (!options.keepData) await Deno.remove(dataDir!, { recursive: true }).catch(() => {});
    },
  };
  return server;
}

/** Errors the server logged (a test that expects none asserts this is empty). */
export function loggedErrors(server: TestServer): Record<string, unknown>[] {
  return server.logs.filter((entry) => entry.level === "error");
}
