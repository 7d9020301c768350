/// <reference lib="dom" />
/**
 * The operator API as the console calls it: the admin token rides in the `Authorization` header of
 * every request (never in a URL), and lives in this tab only: in memory, and in sessionStorage if
 * the operator asked to stay signed in for the tab.
 * @module
 */

const STORAGE_KEY = "ugc-admin-token";

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Where the token is kept. */
export const tokenStore = {
  value: null as string | null,
  load(): string | null {
    try {
      this.value ??= sessionStorage.getItem(STORAGE_KEY);
    } catch {
      // storage blocked: memory only
    }
    return this.value;
  },
  save(token: string, remember: boolean): void {
    this.value = token;
    try {
      if (remember) sessionStorage.setItem(STORAGE_KEY, token);
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage blocked: memory only
    }
  },
  clear(): void {
    this.value = null;
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing kept
    }
  },
};

/** Called when the server says the token is no longer good (changed, or the server restarted with a new one). */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${tokenStore.value ?? ""}`, ...extra };
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await exchange<T>(method, path, body)).body;
}

async function exchange<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ body: T; headers: Headers }> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    cache: "no-store",
    credentials: "omit",
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === "" ? {} : JSON.parse(text);
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    const message = typeof (parsed as { error?: unknown })?.error === "string"
      ? (parsed as { error: string }).error
      : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return { body: parsed as T, headers: response.headers };
}

export const api = {
  get: <T>(path: string) => call<T>("GET", path),
  post: <T>(path: string, body: unknown = {}) => call<T>("POST", path, body),
  delete: <T>(path: string) => call<T>("DELETE", path),
  /** A listing's rows and the cursor of the next page (`X-Next-Cursor`, or `next_cursor`). */
  page: async <T>(path: string, key: string): Promise<{ rows: T[]; next: string | null }> => {
    const { body, headers } = await exchange<unknown>("GET", path);
    const page = rowsOf<T>(body, key);
    return { rows: page.rows, next: headers.get("x-next-cursor") || page.next };
  },
};

/** `/api/admin/…` with each segment escaped: ids come from the server but are not trusted either. */
export function adminPath(...segments: string[]): string {
  return "/api/admin/" + segments.map(encodeURIComponent).join("/");
}

/**
 * The rows of a list answer, whether the server sends a bare array or an object holding one
 * (`{worlds: [...], next_cursor}`), and the cursor of the next page if any.
 */
export function rowsOf<T>(body: unknown, key: string): { rows: T[]; next: string | null } {
  if (Array.isArray(body)) return { rows: body as T[], next: null };
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const next = typeof record.next_cursor === "string" && record.next_cursor !== ""
      ? record.next_cursor
      : null;
    if (Array.isArray(record[key])) return { rows: record[key] as T[], next };
    for (const value of Object.values(record)) {
      if (Array.isArray(value)) return { rows: value as T[], next };
    }
  }
  return { rows: [], next: null };
}

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

export type StreamState = "connecting" | "live" | "offline";

/**
 * Reads `/api/admin/events` (server-sent events over `fetch`, so the token stays in a header) and
 * reconnects after a dropped connection, waiting longer each time (up to 15 s). `opened` resolves
 * with the first answer's status: 200, or 401 for a wrong token.
 */
export function openStream(handlers: {
  event: (event: StreamEvent) => void;
  state: (state: StreamState) => void;
}): { opened: Promise<number>; close: () => void } {
  let closed = false;
  let controller: AbortController | undefined;
  let delay = 1000;
  let wasLive = false;
  let resolveOpened: (status: number) => void = () => {};
  const opened = new Promise<number>((resolve) => resolveOpened = resolve);

  const connect = async (): Promise<void> => {
    while (!closed) {
      handlers.state("connecting");
      controller = new AbortController();
      try {
        const response = await fetch("/api/admin/events", {
          headers: headers({ accept: "text/event-stream" }),
          signal: controller.signal,
          cache: "no-store",
          credentials: "omit",
        });
        resolveOpened(response.status);
        if (response.status === 401) {
          // At sign-in the form says so; later it means the token was changed under us.
          if (wasLive) onUnauthorized();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        handlers.state("live");
        wasLive = true;
        delay = 1000;
        await readEvents(response.body, handlers.event);
      } catch {
        if (closed) return;
      }
      if (closed) return;
      handlers.state("offline");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  };
  connect();
  return {
    opened,
    close: () => {
      closed = true;
      controller?.abort();
    },
  };
}

/** Splits a server-sent events body into events (`event:` and `data:` lines, blank line ends one). */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  deliver: (event: StreamEvent) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      try {
        deliver({ event: name, data: JSON.parse(data.join("\n")) });
      } catch {
        // a malformed event is skipped; the next one is whole
      }
    }
  }
}
