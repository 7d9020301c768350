// deno-lint-ignore-file no-console -- the command line is the one place that prints to stdout
/**
 * ugc-world-server: the command line. Parses options, starts the app, stops it cleanly on a signal.
 * @module
 */
import { startApp, VERSION } from "./src/app.ts";
import { ConfigError, helpText, parseConfig } from "./src/config.ts";
import { createLogger } from "./src/log.ts";

const encoder = new TextEncoder();
const writeErr = (line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n"));

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(helpText(VERSION));
    return 0;
  }
  if (args.includes("--version")) {
    console.log(VERSION);
    return 0;
  }
  if (args[0] === "serve") args = args.slice(1);

  let config;
  try {
    config = parseConfig(args, Deno.env.toObject(), navigator.hardwareConcurrency);
  } catch (error) {
    if (error instanceof ConfigError) {
      writeErr(`ugc-world-server: ${error.message}`);
      return 2;
    }
    throw error;
  }

  const log = createLogger({ level: config.logLevel, write: writeErr });
  const app = await startApp(config, { log });
  log.info("listening", {
    version: VERSION,
    host: config.host,
    port: app.port,
    data_dir: config.dataDir,
    build_workers: config.buildWorkers,
    limits: config.limits,
  });

  const stopped = Promise.withResolvers<void>();
  const stop = (signal: string) => {
    log.info("shutting down", { signal });
    stopped.resolve();
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  await stopped.promise;
  await app.close();
  log.info("stopped");
  return 0;
}

Deno.exit(await main([...Deno.args]));
