import { join } from "node:path";
import { newAdminSecret } from "../core/identity/token.ts";

export const ADMIN_TOKEN_FILE = "admin_token";

/**
 * The operator's token: ADMIN_TOKEN if set; else the one in DATA_DIR/admin_token; else a new one,
 * written there with mode 0600 (`generated`: the caller prints it once, on stderr, never in a log).
 */
export async function loadAdminToken(
  dataDir: string,
  configured: string,
): Promise<{ token: string; generated: boolean; path: string }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (configured !== "") return { token: configured, generated: false, path };
  try {
    const stored = (await Deno.readTextFile(path)).trim();
    if (stored.length >= 32) return { token: stored, generated: false, path };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const token = newAdminSecret();
  // Written aside and renamed: a crash never leaves half a token; mode 0600: only the owner reads it.
  await Deno.writeTextFile(path + ".tmp", token + "\n", { mode: 0o600 });
  await Deno.chmod(path + ".tmp", 0o600);
  await Deno.rename(path + ".tmp", path);
  return { token, generated: true, path };
}
