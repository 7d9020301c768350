// deno-lint-ignore-file no-console -- the command line is the one place that prints to stdout
/**
 * ugc-world-server: the command line. `serve` (default), `healthcheck`, `backup <dir>`,
 * `restore <dir>`, `verify`, `gc`, `--version`, `--help`. Every option is also an environment
 * variable. Exit codes: src/cli/startup_failure.ts (README "Commands").
 * @module
 */
import { join } from "node:path";
import { startApp, VERSION, type WorkerUrls } from "./src/app.ts";
import { backup } from "./src/cli/backup.ts";
import { gc } from "./src/cli/gc.ts";
import { healthcheck } from "./src/cli/healthcheck.ts";
import { restore } from "./src/cli/restore.ts";
import { describeStartupFailure, ExitCode } from "./src/cli/startup_failure.ts";
import { verify } from "./src/cli/verify.ts";
import { type Config, ConfigError, helpText, parseConfig } from "./src/config.ts";
import { createLogger } from "./src/log.ts";

const encoder = new TextEncoder();

/**
 * Writes a line to stderr. A log line that cannot be written (stderr is a file on a full disk, a
 * closed pipe) is dropped: losing a log line must never take the server down.
 */
function writeErr(line: string): void {
  try {
    let bytes = encoder.encode(line + "\n");
    while (bytes.length > 0) bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
  } catch {
    // dropped
  }
}

/**
 * Source runs load the workers' .ts files; `deno task bundle` embeds the bundled workers as data:
 * URLs, so the shipped artifact reads no file but its data directory.
 */
const embedded =
  (globalThis as { __UGC_WORKER_URLS__?: Record<string, string> }).__UGC_WORKER_URLS__ ?? {};
const WORKER_URLS: WorkerUrls = {
  build: new URL(embedded.build ?? new URL("./src/workers/build_worker.ts", import.meta.url)),
  checkpoint: new URL(
    embedded.checkpoint ?? new URL("./src/storage/sqlite/checkpoint_worker.ts", import.meta.url),
  ),
};

/** Commands and whether they take a directory argument. */
const COMMANDS: Record<string, { dir?: string }> = {
  serve: {},
  healthcheck: {},
  backup: { dir: "backup needs a directory to write: ugc-world-server backup <dir>" },
  restore: { dir: "restore needs the backup's directory: ugc-world-server restore <dir>" },
  verify: {},
  gc: {},
};

async function main(args: string[]): Promise<number> {
  // `deno task start -- ARGS` passes the `--` through.
  if (args[0] === "--") args.shift();
  if (args.includes("--help") || args.includes("-h")) {
    console.log(helpText(VERSION));
    return ExitCode.OK;
  }
  if (args.includes("--version")) {
    console.log(VERSION);
    return ExitCode.OK;
  }
  const command = (args[0] ?? "") in COMMANDS ? args.shift()! : "serve";
  const usage = COMMANDS[command]!.dir;
  const dir = usage && !args[0]?.startsWith("--") ? args.shift() : undefined;

  let config: Config;
  try {
    config = parseConfig(args, Deno.env.toObject(), navigator.hardwareConcurrency);
  } catch (error) {
    if (error instanceof ConfigError) {
      writeErr(`ugc-world-server: ${error.message}`);
      return ExitCode.USAGE;
    }
    throw error;
  }
  if (usage && !dir) {
    writeErr(`ugc-world-server: ${usage}`);
    return ExitCode.USAGE;
  }

  switch (command) {
    case "serve":
      return await serve(config);
    case "healthcheck": {
      const result = await healthcheck(config);
      console.log(result.detail);
      return result.ok ? ExitCode.OK : ExitCode.FAILED;
    }
    case "verify": {
      const report = await run(command, () => verify(config.dataDir));
      if (typeof report === "number") return report;
      console.log(JSON.stringify(report, null, 2));
      const clean = report.database === "ok" && report.damaged.length === 0;
      if (!clean) writeErr(`ugc-world-server: verify found damage (see the report above)`);
      return clean ? ExitCode.OK : ExitCode.FAILED;
    }
    default: {
      const report = await run<unknown>(command, () => {
        if (command === "backup") return backup(config.dataDir, dir!);
        if (command === "restore") return restore(config.dataDir, dir!);
        return gc(config);
      });
      if (typeof report === "number") return report;
      console.log(JSON.stringify(report, null, 2));
      return ExitCode.OK;
    }
  }
}

/** Runs a maintenance command; its failure is one plain message and exit code 1. */
async function run<T>(command: string, body: () => Promise<T>): Promise<T | number> {
  try {
    return await body();
  } catch (error) {
    writeErr(
      `ugc-world-server: ${command} failed: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    return ExitCode.FAILED;
  }
}

async function serve(config: Config): Promise<number> {
  const log = createLogger({ level: config.logLevel, write: writeErr });
  let app;
  try {
    app = await startApp(config, {
      log,
      workerUrls: WORKER_URLS,
      // One plain line, once: not a JSON log field that log pipelines would index and keep.
      onAdminTokenGenerated: (token, path) =>
        writeErr(`Operator token (ADMIN_TOKEN), generated and saved in ${path}: ${token}`),
    });
  } catch (error) {
    const failure = describeStartupFailure(error, config);
    log.error("start-up failed", {
      reason: failure.reason,
      exit_code: failure.exitCode,
      detail: failure.message,
      ...(failure.reason === "unexpected" ? { error } : {}),
    });
    writeErr(`ugc-world-server: cannot start: ${failure.message} (exit ${failure.exitCode})`);
    return failure.exitCode;
  }
  log.info("listening", {
    version: VERSION,
    host: config.host,
    port: app.port,
    data_dir: config.dataDir,
    database: join(config.dataDir, "ugc.db"),
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
  return ExitCode.OK;
}

Deno.exit(await main([...Deno.args]));
