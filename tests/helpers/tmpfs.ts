import { join } from "node:path";

/** A small tmpfs mounted for one test, and a way to fill it to the last byte. */
export interface Tmpfs {
  path: string;
  /** Writes a filler file until the disk refuses even 4 KiB; returns its path. */
  fill(): Promise<string>;
  unmount(): Promise<void>;
}

async function sh(command: string, args: string[]): Promise<{ ok: boolean; error: string }> {
  try {
    const output = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" })
      .output();
    return { ok: output.success, error: new TextDecoder().decode(output.stderr).trim() };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Mounts a tmpfs of `bytes` at `path` (created). Throws with mount's own words if it cannot. */
export async function mountTmpfs(path: string, bytes: number): Promise<Tmpfs> {
  await Deno.mkdir(path, { recursive: true });
  const mounted = await sh("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", path]);
  if (!mounted.ok) throw new Error(`cannot mount a tmpfs: ${mounted.error}`);
  return {
    path,
    async fill() {
      const filler = join(path, `filler-${crypto.randomUUID()}`);
      const file = await Deno.open(filler, { write: true, createNew: true });
      try {
        for (const size of [1 << 20, 1 << 16, 1 << 12]) {
          const chunk = new Uint8Array(size);
          try {
            while (true) await file.write(chunk);
          } catch (error) {
            if ((error as { code?: string }).code !== "ENOSPC") throw error;
          }
        }
      } finally {
        file.close();
      }
      return filler;
    },
    async unmount() {
      await sh("umount", ["-l", path]);
    },
  };
}

/** Why a tmpfs cannot be mounted here (not root, no mount), or undefined if it can. */
export async function tmpfsUnavailable(): Promise<string | undefined> {
  const probe = await Deno.makeTempDir({ prefix: "ugc-tmpfs-probe-" });
  try {
    const fs = await mountTmpfs(probe, 1 << 20);
    await fs.unmount();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await Deno.remove(probe, { recursive: true }).catch(() => {});
  }
}
