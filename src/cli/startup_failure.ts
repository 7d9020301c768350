import type { Config } from "../config.ts";
import { DataDirError } from "../storage/data_dir.ts";
import { SchemaTooNewError, ServiceUnreachableError } from "../storage/storage_errors.ts";

/** Exit codes of the command line (README "Commands"). */
export const ExitCode = {
  OK: 0,
  /** A command failed (unhealthy, backup/restore/verify/gc could not do its job), or a bug. */
  FAILED: 1,
  /** Bad usage or an invalid option. */
  USAGE: 2,
  /** The server cannot listen: the port is in use or not permitted. */
  CANNOT_LISTEN: 3,
  /** The data directory cannot be used: not writable, or another server holds it. */
  DATA_DIR: 4,
  /** The database cannot be used: newer than this server, not a database, or (cluster mode) Postgres or Redis cannot be reached. */
  DATABASE: 5,
} as const;

export interface StartupFailure {
  /** Machine-readable, for the log line. */
  reason: string;
  exitCode: number;
  /** One sentence for a person. */
  message: string;
}

const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

/** Why the server could not start, for one log line, one plain message and an exit code. */
export function describeStartupFailure(error: unknown, config: Config): StartupFailure {
  const { code, errcode, syscall } = (error ?? {}) as {
    code?: string;
    errcode?: number;
    syscall?: string;
  };
  const where = `${config.host}:${config.port}`;
  if (code === "EADDRINUSE" || error instanceof Deno.errors.AddrInUse) {
    return {
      reason: "port_in_use",
      exitCode: ExitCode.CANNOT_LISTEN,
      message: `${where} is already in use (another server?); stop it or choose another --port`,
    };
  }
  if (syscall === "listen" || code === "EACCES" || code === "EADDRNOTAVAIL") {
    return {
      reason: "cannot_listen",
      exitCode: ExitCode.CANNOT_LISTEN,
      message: `cannot listen on ${where}: ${(error as Error).message}`,
    };
  }
  if (error instanceof DataDirError) {
    return {
      reason: error.reason === "in_use" ? "data_dir_in_use" : "data_dir_not_writable",
      exitCode: ExitCode.DATA_DIR,
      message: error.message,
    };
  }
  if (error instanceof ServiceUnreachableError) {
    return {
      reason: `${error.service}_unreachable`,
      exitCode: ExitCode.DATABASE,
      message: error.message,
    };
  }
  if (error instanceof SchemaTooNewError) {
    return { reason: "database_too_new", exitCode: ExitCode.DATABASE, message: error.message };
  }
  // node:sqlite's exec() drops errcode; the message text is SQLite's own and fixed.
  const text = error instanceof Error ? error.message : "";
  if (
    errcode === SQLITE_NOTADB || errcode === SQLITE_CORRUPT ||
    /^(file is not a database|database disk image is malformed)/.test(text)
  ) {
    return {
      reason: "database_unreadable",
      exitCode: ExitCode.DATABASE,
      message: `${config.dataDir}/ugc.db cannot be read (${
        (error as Error).message
      }); restore a backup`,
    };
  }
  return {
    reason: "unexpected",
    exitCode: ExitCode.FAILED,
    message: error instanceof Error ? error.message : String(error),
  };
}
