import { join } from "node:path";

/** Why the data directory cannot be used; start-up maps each reason to an exit code. */
export class DataDirError extends Error {
  constructor(readonly reason: "not_writable" | "in_use", message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DataDirError";
  }
}

/** The lock a server holds on its data directory for as long as it runs. */
export interface DataDirLock {
  release(): void;
}

export const LOCK_FILE = "ugc.lock";

/**
 * Takes the data directory's exclusive lock (an advisory lock on `ugc.lock`, released by the OS
 * when the process dies, even by SIGKILL). A server holds it while it runs, so a second server
 * and `restore` refuse instead of writing under a live one. Throws DataDirError("in_use").
 */
export function lockDataDir(dataDir: string): DataDirLock {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(join(dataDir, LOCK_FILE), { read: true, write: true, create: true });
  } catch (error) {
    throw new DataDirError(
      "not_writable",
      `cannot create ${join(dataDir, LOCK_FILE)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!file.tryLockSync(true)) {
    file.close();
    throw new DataDirError(
      "in_use",
      `another ugc-world-server is using ${dataDir} (${LOCK_FILE} is locked); stop it first`,
    );
  }
  return { release: () => file.close() };
}

/** Creates the data directory if needed and proves it is writable (throws DataDirError). */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const probe = join(dataDir, `.write-test-${crypto.randomUUID()}`);
  try {
    await Deno.mkdir(dataDir, { recursive: true });
    await Deno.writeFile(probe, new Uint8Array(1));
    await Deno.remove(probe);
  } catch (error) {
    throw new DataDirError(
      "not_writable",
      `DATA_DIR ${dataDir} is not a writable directory: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
