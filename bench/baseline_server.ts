/**
 * The bare reference broadcaster: `Deno.serve` + `Deno.upgradeWebSocket`, rooms in a Map, no
 * validation, no storage, no rate limit. It accepts the same raw JSON messages the bench sends
 * (`world.create`, `world.join`, `spell.cast_request`, `request_spell`, `ping`) and answers with
 * frames equivalent to the real server's, each broadcast encoded once. It is the physical limit of
 * this runtime for the fan-out workload, the denominator of every server/baseline ratio.
 *
 * Env: HOST (default 127.0.0.1), PORT (default 0 = any free port). Logs one JSON line
 * `{"msg":"listening","port":N}` on stderr.
 * @module
 */

const encoder = new TextEncoder();
const rooms = new Map<string, Set<WebSocket>>();
const roomOf = new Map<WebSocket, string>();
let clientSeq = 0;
let worldSeq = 0;
let connections = 0;

function logLine(fields: Record<string, unknown>): void {
  Deno.stderr.writeSync(encoder.encode(JSON.stringify(fields) + "\n"));
}

function reply(ws: WebSocket, type: string, payload: Record<string, unknown>): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type, ...payload }));
}

function broadcast(worldId: string, type: string, payload: Record<string, unknown>): void {
  const members = rooms.get(worldId);
  if (!members) return;
  const frame = JSON.stringify({ type, ...payload });
  for (const ws of members) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
}

function leave(ws: WebSocket): void {
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

function handle(ws: WebSocket, clientId: string, text: string): void {
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

const server = Deno.serve({
  hostname: Deno.env.get("HOST") ?? "127.0.0.1",
  port: Number(Deno.env.get("PORT") ?? "0"),
  onListen: ({ port }) => logLine({ msg: "listening", server: "baseline", port }),
}, (request) => {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return Response.json({ status: "ok", clients: connections, server: "baseline" });
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  const clientId = `client_${(++clientSeq).toString(16)}`;
  socket.onopen = () => {
    connections++;
    reply(socket, "connected", { client_id: clientId, server_time: new Date().toISOString() });
  };
  socket.onmessage = (event) => {
    if (typeof event.data === "string") handle(socket, clientId, event.data);
  };
  socket.onclose = () => {
    connections--;
    leave(socket);
  };
  socket.onerror = () => {};
  return response;
});

const stop = () => {
  logLine({ msg: "shutting down" });
  server.shutdown().finally(() => Deno.exit(0));
  setTimeout(() => Deno.exit(0), 2000);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
