import type { Config } from "../config.ts";

/**
 * `healthcheck`: GETs /healthz on the configured port. Exit code 0 if the server answers "ok",
 * 1 otherwise — a container health check that needs no curl in the image.
 */
export async function healthcheck(
  config: Config,
  timeoutMs = 3000,
): Promise<{ ok: boolean; detail: string }> {
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${config.port}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.json().catch(() => ({}));
    const ok = response.status === 200 && body?.status === "ok";
    return {
      ok,
      detail: ok ? `ok: ${body.clients} clients` : `unhealthy: HTTP ${response.status}`,
    };
  } catch (error) {
    return {
      ok: false,
      detail: `unreachable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
