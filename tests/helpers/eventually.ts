/** Polls `check` until it returns true (or a truthy value), failing after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (true) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? "condition"}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The server's live connection count, from its health endpoint. */
export async function liveClients(httpUrl: string): Promise<number> {
  const health = await (await fetch(`${httpUrl}/healthz`)).json();
  return health.clients as number;
}
