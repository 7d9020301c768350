// deno-lint-ignore-file no-console -- the command line is the one place that prints to stdout
/**
 * ugc-world-server: the command line. `serve` (default), `healthcheck`, `backup <file>`,
 * `--version`, `--help`. Every option is also an environment variable.
 * @module
 */
import { startApp, VERSION, type WorkerUrls } from "./src/app.ts";
import { backup } from "./src/cli/backup.ts";
import { healthcheck } from "./src/cli/healthcheck.ts";
import { type Config, ConfigError, helpText, parseConfig } from "./src/config.ts";
import { createLogger } from "./src/log.ts";

const encoder = new TextEncoder();
const writeErr = (line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n"));

/**
 * Source runs load the workers' .ts files; `deno task bundle` embeds the bundled workers as data:
 * URLs, so the shipped artifact reads no file but its data directory.
 */
const embedded =
  (globalThis as { __UGC_WORKER_URLS__?: Record<string, string> }).__UGC_WORKER_URLS__ ?? {};
const WORKER_URLS: WorkerUrls = {
  build: new URL(embedded.build ?? new URL("./src/workers/build_worker.ts", import.meta.url)),
  checkpoint: new URL(
    embedded.checkpoint ?? new URL("./src/storage/checkpoint_worker.ts", import.meta.url),
  ),
};

const COMMANDS = ["serve", "healthcheck", "backup"] as const;

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(helpText(VERSION));
    return 0;
  }
  if (args.includes("--version")) {
    console.log(VERSION);
    return 0;
  }
  const command = (COMMANDS as readonly string[]).includes(args[0] ?? "") ? args.shift()! : "serve";
  const positional = command === "backup" ? args.shift() : undefined;

  let config: Config;
  try {
    config = parseConfig(args, Deno.env.toObject(), navigator.hardwareConcurrency);
  } catch (error) {
    if (error instanceof ConfigError) {
      writeErr(`ugc-world-server: ${error.message}`);
      return 2;
    }
    throw error;
  }

  if (command === "healthcheck") {
    const result = await healthcheck(config);
    console.log(result.detail);
    return result.ok ? 0 : 1;
  }
  if (command === "backup") {
    if (!positional) {
      writeErr("ugc-world-server: backup needs a target file: ugc-world-server backup <file>");
      return 2;
    }
    try {
      console.log(JSON.stringify(await backup(config.dataDir, positional)));
      return 0;
    } catch (error) {
      writeErr(
        `ugc-world-server: backup failed: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      return 1;
    }
  }
  return await serve(config);
}

async function serve(config: Config): Promise<number> {
  const log = createLogger({ level: config.logLevel, write: writeErr });
  const app = await startApp(config, { log, workerUrls: WORKER_URLS });
  log.info("listening", {
    version: VERSION,
    host: config.host,
    port: app.port,
    data_dir: config.dataDir,
    build_workers: config.buildWorkers,
    cors_origins: config.corsOrigins,
    limits: config.limits,
  });

  const stopped = Promise.withResolvers<string>();
  Deno.addSignalListener("SIGINT", () => stopped.resolve("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stopped.resolve("SIGTERM"));
  log.info("shutting down", { signal: await stopped.promise });
  await app.close();
  log.info("stopped");
  return 0;
}

Deno.exit(await main([...Deno.args]));
