/**
 * Which failures mean "the disk (or the user's disk quota) is full" rather than a bug: SQLite's
 * SQLITE_FULL, and ENOSPC/EDQUOT from file writes. Writes that fail this way are refused with
 * `unavailable` and retried later; anything else is still an internal error.
 */

const SQLITE_FULL = 13;
const FULL_CODES = new Set(["ENOSPC", "EDQUOT"]);

export function isStorageFull(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const { code, errcode } = cause as Error & { code?: unknown; errcode?: unknown };
    if (errcode === SQLITE_FULL) return true;
    if (typeof code === "string" && FULL_CODES.has(code)) return true;
    // node:sqlite drops errcode on some paths (an exec() of COMMIT); its text is fixed.
    if (
      /database or disk is full|No space left on device|Disk quota exceeded/i.test(cause.message)
    ) {
      return true;
    }
  }
  return false;
}

/** The database is newer than this server: refuse to touch it (an upgrade went backwards). */
export class SchemaTooNewError extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(
      `Database schema version ${found} is newer than this server understands (${known}); upgrade the server or restore a backup made by this version`,
    );
    this.name = "SchemaTooNewError";
  }
}

/**
 * Cluster mode: Postgres or Redis cannot be reached at start-up. The message names the service and
 * its host (never the URL's credentials).
 */
export class ServiceUnreachableError extends Error {
  constructor(readonly service: "postgres" | "redis", where: string, cause: unknown) {
    super(
      `cannot reach ${service === "postgres" ? "Postgres" : "Redis"} at ${where}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
    );
    this.name = "ServiceUnreachableError";
  }
}
