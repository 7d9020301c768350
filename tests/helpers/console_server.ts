import { startTestServer, type TestServer } from "./test_server.ts";

/** The operator token the console tests sign in with. */
export const ADMIN_TOKEN = "console-test-admin-token-0123456789abcdef";

/** A real server (startTestServer) whose operator token is ADMIN_TOKEN. */
export function startConsoleServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({ ADMIN_TOKEN, ...env });
}

/** Reads the admin event stream as the console does; `next` waits for an event of a type. */
export async function openEvents(
  httpUrl: string,
  token = ADMIN_TOKEN,
): Promise<{
  status: number;
  next: (
    event: string,
    where?: (data: Record<string, unknown>) => boolean,
  ) => Promise<Record<string, unknown>>;
  close: () => Promise<void>;
}> {
  const controller = new AbortController();
  const response = await fetch(`${httpUrl}/api/admin/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const waiters: (() => void)[] = [];
  const reading = (async () => {
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return;
    }
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name && data) events.push({ event: name, data: JSON.parse(data) });
          waiters.splice(0).forEach((wake) => wake());
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: response.status,
    next: async (event, where = () => true) => {
      const deadline = Date.now() + 10_000;
      while (true) {
        const index = events.findIndex((e) => e.event === event && where(e.data));
        if (index >= 0) return events.splice(index, 1)[0]!.data;
        if (Date.now() > deadline) throw new Error(`no ${event} event within 10 s`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}
