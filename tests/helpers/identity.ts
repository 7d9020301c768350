import { io } from "socket.io-client";
import { GodotClient } from "./godot_client.ts";
import type { Message } from "./message_queue.ts";
import { RawPeer } from "./raw_peer.ts";
import { SioClient } from "./sio_client.ts";
import type { TestServer } from "./test_server.ts";

export type Protocol = "websocket" | "socket.io";
export const PROTOCOLS: readonly Protocol[] = ["websocket", "socket.io"];

/** A client of either protocol behind one face: send an event, wait for one. */
export interface Peer {
  readonly protocol: Protocol;
  readonly clientId: string;
  send(event: string, payload?: Record<string, unknown>): void;
  next(
    type: string | string[],
    options?: { where?: (m: Message) => boolean; timeoutMs?: number },
  ): Promise<Message>;
  request(
    event: string,
    payload: Record<string, unknown>,
    reply: string | string[],
  ): Promise<Message>;
  has(type: string): boolean;
  /** Resolves when the server closed the connection, with the close code (raw) or reason. */
  readonly gone: Promise<string>;
  close(): Promise<void>;
}

/**
 * Connects as Godot does (raw WebSocket, `?token=` on the URL) or with socket.io-client
 * (`auth: {token}`); without a token, a guest.
 */
export async function connect(
  server: TestServer,
  protocol: Protocol,
  token?: string,
): Promise<Peer> {
  if (protocol === "websocket") {
    const url = token === undefined
      ? server.wsUrl
      : `${server.wsUrl}?token=${encodeURIComponent(token)}`;
    const client = await GodotClient.connect(url);
    return {
      protocol,
      clientId: client.clientId,
      send: (event, payload = {}) => client.send({ type: event, ...payload }),
      next: (type, options) => client.next(type, options),
      request: (event, payload, reply) => {
        client.send({ type: event, ...payload });
        return client.next(reply);
      },
      has: (type) => client.queue.has(type),
      gone: client.closed.then((event) => `${event.code} ${event.reason}`),
      close: () => client.close(),
    };
  }
  const client = await SioClient.connect(
    server.httpUrl,
    ["websocket"],
    token === undefined ? undefined : { token },
  );
  return {
    protocol,
    clientId: client.clientId,
    send: (event, payload = {}) => client.emit(event, payload),
    next: (type, options) => client.next(type, options),
    request: (event, payload, reply) => client.request(event, payload, reply as string),
    has: (type) => client.queue.has(type),
    gone: new Promise((resolve) =>
      client.socket.once("disconnect", (reason: string) => resolve(reason))
    ),
    close: () => client.close(),
  };
}

/** Why a connection with `token` is refused: the raw upgrade's status and body, or Socket.IO's connect_error. */
export async function refusal(
  server: TestServer,
  protocol: Protocol,
  token?: unknown,
): Promise<{ status?: number; message: string }> {
  if (protocol === "websocket") {
    const path = token === undefined ? "/" : `/?token=${encodeURIComponent(String(token))}`;
    const peer = await RawPeer.open(server.app.port, { path });
    if (peer.status === 101) {
      peer.close();
      return { status: 101, message: "accepted" };
    }
    return { status: peer.status, message: peer.body };
  }
  const socket = io(server.httpUrl, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    ...(token === undefined ? {} : { auth: { token } }),
  });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no connect_error in 5 s")), 5000);
      socket.once("connect_error", (error: Error) => {
        clearTimeout(timer);
        resolve({ message: error.message });
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve({ message: "accepted" });
      });
    });
  } finally {
    socket.close();
  }
}

export async function createPlayer(
  server: TestServer,
  displayName = "Tester",
): Promise<{ player_id: string; token: string }> {
  const response = await fetch(`${server.httpUrl}/api/players`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ display_name: displayName }),
  });
  if (response.status !== 201) throw new Error(`POST /api/players: ${response.status}`);
  return await response.json();
}

export async function adminToken(server: TestServer): Promise<string> {
  return (await Deno.readTextFile(`${server.dataDir}/admin_token`)).trim();
}

/** Calls the operator API with the server's admin token (or `token`). */
export async function admin(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token ?? await adminToken(server)}`,
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Builds `spellId` with the demo code over `peer` and returns the finished revision's id and manifest. */
export async function buildAs(
  peer: Peer,
  spellId: string,
  code?: string,
): Promise<{ revisionId: string; manifest: Record<string, unknown> }> {
  peer.send("spell.start_build", { spell_id: spellId, ...(code ? { code } : {}) });
  const started = await peer.next(["spell.build_started", "error"], {
    where: (m) => m.type === "error" || m.spell_id === spellId,
  });
  if (started.type === "error") throw new Error(`build refused: ${started.message}`);
  while (true) {
    const progress = await peer.next("job.progress", {
      where: (m) => m.job_id === started.job_id,
      timeoutMs: 20_000,
    });
    if (progress.stage === "error") throw new Error(`build failed: ${progress.message}`);
    if (progress.stage === "done") {
      return {
        revisionId: progress.revision_id as string,
        manifest: progress.manifest as Record<string, unknown>,
      };
    }
  }
}
