/**
 * The bare reference broadcaster: `Deno.serve` + `Deno.upgradeWebSocket`, rooms in a Map, no
 * validation, no storage, no rate limit. It accepts the same raw JSON messages the bench sends
 * (`world.create`, `world.join`, `spell.cast_request`, `request_spell`, `ping`) and answers with
 * frames equivalent to the real server's, each broadcast encoded once. It is the physical limit of
 * this runtime for the fan-out workload, the denominator of every server/baseline ratio.
 *
 * With `WIRING=node` it serves the same rooms through the wiring the real server must use
 * (`node:http` + `ws`, contract §2) instead: the cost of that wiring alone, with each broadcast
 * encoded to bytes once, so the bench can tell the server's own overhead from the wiring's.
 *
 * Env: HOST (default 127.0.0.1), PORT (default 0 = any free port), WIRING (`deno` default, or
 * `node`). Logs one JSON line `{"msg":"listening","port":N}` on stderr.
 * @module
 */

import { createServer } from "node:http";
import { Buffer } from "node:buffer";
import { type WebSocket as NodeWebSocket, WebSocketServer } from "ws";

/** A broadcast frame, its bytes computed at most once for all members. */
interface SharedFrame {
  text: string;
  bytes?: Uint8Array;
}

/** One connection, whichever wiring accepted it. */
interface Peer {
  readonly open: boolean;
  send(text: string): void;
  sendShared(frame: SharedFrame): void;
}

const encoder = new TextEncoder();
const rooms = new Map<string, Set<Peer>>();
const roomOf = new Map<Peer, string>();
let worldSeq = 0;
let connections = 0;

function logLine(fields: Record<string, unknown>): void {
  Deno.stderr.writeSync(encoder.encode(JSON.stringify(fields) + "\n"));
}

function reply(ws: Peer, type: string, payload: Record<string, unknown>): void {
  if (ws.open) ws.send(JSON.stringify({ type, ...payload }));
}

function broadcast(worldId: string, type: string, payload: Record<string, unknown>): void {
  const members = rooms.get(worldId);
  if (!members) return;
  const frame: SharedFrame = { text: JSON.stringify({ type, ...payload }) };
  for (const ws of members) if (ws.open) ws.sendShared(frame);
}

function leave(ws: Peer): void {
  const worldId = roomOf.get(ws);
  if (worldId === undefined) return;
  roomOf.delete(ws);
  const members = rooms.get(worldId);
  members?.delete(ws);
  if (members?.size === 0) rooms.delete(worldId);
}

function worldView(worldId: string, name = "") {
  const now = new Date().toISOString();
  return {
    world_id: worldId,
    name,
    description: "",
    created_by: "",
    player_count: rooms.get(worldId)?.size ?? 0,
    created_at: now,
    updated_at: now,
  };
}

function handle(ws: Peer, clientId: string, text: string): void {
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(text);
  } catch {
    return;
  }
  switch (message.type) {
    case "world.create": {
      const worldId = `world_${(++worldSeq).toString(16).padStart(8, "0")}`;
      reply(ws, "world.created", { world: worldView(worldId, String(message.name ?? "")) });
      break;
    }
    case "world.join": {
      const worldId = String(message.world_id);
      leave(ws);
      let members = rooms.get(worldId);
      if (!members) rooms.set(worldId, members = new Set());
      members.add(ws);
      roomOf.set(ws, worldId);
      reply(ws, "world.joined", { world_id: worldId, world: worldView(worldId) });
      reply(ws, "sync_complete", { message: "World is empty" });
      break;
    }
    case "spell.cast_request": {
      const worldId = roomOf.get(ws);
      if (worldId === undefined) return;
      broadcast(worldId, "spell.cast_event", {
        spell_id: message.spell_id,
        revision_id: message.revision_id,
        caster_id: clientId,
        world_id: worldId,
        cast_params: message.cast_params ?? {},
        seed: Math.floor(Math.random() * 0x7fffffff),
        timestamp: new Date().toISOString(),
      });
      break;
    }
    case "request_spell": {
      const worldId = roomOf.get(ws);
      if (worldId === undefined) return;
      const spell = (message.spell ?? {}) as Record<string, unknown>;
      const op = spell.type === "dig"
        ? { op: "subtract_sphere", center: spell.center, radius: spell.radius }
        : {
          op: "add_sphere",
          center: spell.center,
          radius: spell.radius,
          material_id: spell.material_id,
        };
      broadcast(worldId, "apply_op", { op });
      break;
    }
    case "ping": {
      const worldId = roomOf.get(ws) ?? "";
      reply(ws, "pong", { clients: connections, world_id: worldId, ops: 0 });
      break;
    }
  }
}

let clients = 0;

/** Greets a new connection; returns the handlers its wiring calls. */
function accept(ws: Peer): { message: (text: string) => void; close: () => void } {
  const clientId = `client_${(++clients).toString(16)}`;
  connections++;
  reply(ws, "connected", { client_id: clientId, server_time: new Date().toISOString() });
  return {
    message: (text) => handle(ws, clientId, text),
    close: () => {
      connections--;
      leave(ws);
    },
  };
}

const host = Deno.env.get("HOST") ?? "127.0.0.1";
const port = Number(Deno.env.get("PORT") ?? "0");
const health = () => ({ status: "ok", clients: connections, server: "baseline" });
let shutdown: () => Promise<void>;

if (Deno.env.get("WIRING") === "node") {
  const http = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(health()));
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => false });
  http.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws: NodeWebSocket) => {
      const peer: Peer = {
        get open() {
          return ws.readyState === ws.OPEN;
        },
        send: (text) => ws.send(text),
        sendShared: (frame) =>
          ws.send(frame.bytes ??= encoder.encode(frame.text), { binary: false }),
      };
      const handlers = accept(peer);
      ws.on("message", (data: Buffer) => handlers.message(data.toString("utf8")));
      ws.on("close", handlers.close);
      ws.on("error", () => {});
    });
  });
  http.listen(port, host, () => {
    const address = http.address();
    logLine({
      msg: "listening",
      server: "wiring",
      port: typeof address === "object" && address ? address.port : port,
    });
  });
  shutdown = () =>
    new Promise((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      http.closeAllConnections();
      http.close(() => resolve());
    });
} else {
  const server = Deno.serve({
    hostname: host,
    port,
    onListen: ({ port }) => logLine({ msg: "listening", server: "baseline", port }),
  }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(health());
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    const peer: Peer = {
      get open() {
        return socket.readyState === WebSocket.OPEN;
      },
      send: (text) => socket.send(text),
      sendShared: (frame) => socket.send(frame.text),
    };
    let handlers: ReturnType<typeof accept> | undefined;
    socket.onopen = () => handlers = accept(peer);
    socket.onmessage = (event) => {
      if (typeof event.data === "string") handlers?.message(event.data);
    };
    socket.onclose = () => handlers?.close();
    socket.onerror = () => {};
    return response;
  });
  shutdown = () => server.shutdown();
}

const stop = () => {
  logLine({ msg: "shutting down" });
  shutdown().finally(() => Deno.exit(0));
  setTimeout(() => Deno.exit(0), 2000);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
