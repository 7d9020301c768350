import type { IncomingMessage } from "node:http";
import { Decoder, Encoder, PacketType } from "socket.io-parser";
import { WebSocketServer, type WebSocketServer as WsServer } from "ws";
import type { Logger } from "../log.ts";
import { isRefusal, type Refusal, type Ticket } from "./connection_gate.ts";

/**
 * Guards for Socket.IO's transport layer (engine.io), which on its own lets one client open
 * sessions that count toward nothing, multiplex hundreds of namespace sessions over one
 * connection, and hand the event loop a whole 1 MiB batch in one go.
 */

/**
 * socket.io-parser's decoder, minus what our protocol never uses and an attacker would:
 * binary packets (a pending one holds up to 10 attachments of 1 MiB each) and any namespace
 * connection but one to `/`. Socket.IO multiplexes namespaces over one engine.io connection and
 * connects them asynchronously, so one POST of 200 `CONNECT` packets used to make 188 sessions.
 * Throwing here makes socket.io close the engine.io connection.
 */
class JsonOnlyDecoder extends Decoder {
  #connected = false;

  override add(data: unknown): void {
    if (typeof data !== "string") throw new Error("binary data is not accepted");
    const type = data.charCodeAt(0) - 48;
    if (type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK) {
      throw new Error("binary packets are not accepted");
    }
    if (type === PacketType.CONNECT) {
      if (this.#connected) throw new Error("one namespace connection per connection");
      if (namespaceOf(data) !== "/") throw new Error("only the default namespace exists");
      this.#connected = true;
    }
    super.add(data);
  }
}

/** The namespace of an encoded packet: `0/admin,{…}` → `/admin`, `0{…}` → `/`. */
function namespaceOf(packet: string): string {
  if (packet.charAt(1) !== "/") return "/";
  const comma = packet.indexOf(",", 1);
  return comma === -1 ? packet.slice(1) : packet.slice(1, comma);
}

/** The `parser` option of the Socket.IO server: the standard encoder, the guarded decoder. */
export const jsonOnlyParser = { Encoder, Decoder: JsonOnlyDecoder };

/**
 * The `wsEngine` of engine.io: `ws` taking one message per macrotask, as the raw protocol does.
 * Otherwise a burst of 50k frames in one TCP read was decoded and dispatched in one unbroken run.
 */
export class FairWebSocketServer extends WebSocketServer {
  constructor(options: ConstructorParameters<typeof WsServer>[0], callback?: () => void) {
    super({ ...options, allowSynchronousEvents: false }, callback);
  }
}

/** The engine.io socket internals the guards use. */
export interface EngineConnection {
  readonly request: IncomingMessage;
  readonly readyState: string;
  transport: {
    name: string;
    onData?: (data: unknown) => void;
    socket?: {
      readyState?: number;
      terminate?: () => void;
      once?: (event: "close", listener: () => void) => void;
    };
  };
  close(discard?: boolean): void;
  once(event: "close", listener: (reason: string) => void): void;
}

interface EngineServer {
  on(event: "connection", listener: (connection: EngineConnection) => void): void;
  on(event: "connection_error", listener: (error: { req: IncomingMessage }) => void): void;
}

/**
 * Counts every engine.io connection against the connection gate from its handshake until it is
 * closed, whatever closes it: `allowRequest` takes a ticket for each handshake (engine.io asks it
 * only for requests without a session id), the connection the handshake creates adopts it and
 * gives it back on its `close` event. A handshake that fails after being allowed gives it back
 * at once. Also bounds the packets of one long-polling POST, before engine.io decodes them all.
 */
export class EngineAdmission {
  #admit: (req: IncomingMessage) => Ticket | Refusal;
  #maxPacketsPerPoll: number;
  #log: Logger;
  /** Allowed handshakes not yet turned into a connection (engine.io handshakes asynchronously). */
  #pending = new Map<IncomingMessage, { ticket: Ticket; giveBack: () => void }>();

  constructor(options: {
    admit: (req: IncomingMessage) => Ticket | Refusal;
    maxPacketsPerPoll: number;
    log: Logger;
  }) {
    this.#admit = options.admit;
    this.#maxPacketsPerPoll = options.maxPacketsPerPoll;
    this.#log = options.log;
  }

  /** engine.io's `allowRequest` option: refused handshakes get 403 with the reason. */
  readonly allowRequest = (
    req: IncomingMessage,
    callback: (error: string | null | undefined, success: boolean) => void,
  ): void => {
    const admission = this.#admit(req);
    if (isRefusal(admission)) {
      callback(admission.reason, false);
      return;
    }
    const giveBack = () => this.#settle(req)?.release();
    this.#pending.set(req, { ticket: admission, giveBack });
    // A websocket handshake that `ws` rejects after this point ends with its socket and no event.
    req.socket.once("close", giveBack);
    callback(null, true);
  };

  /** Hooks the engine.io server this admission was given to as `allowRequest`. */
  attach(engine: EngineServer): void {
    engine.on("connection_error", ({ req }) => this.#settle(req)?.release());
    engine.on("connection", (connection) => {
      closeAtOnce(connection);
      const ticket = this.#settle(connection.request);
      if (!ticket) {
        this.#log.error("engine.io connection without an admission ticket; closing it");
        connection.close();
        return;
      }
      connection.once("close", (reason: string) => {
        ticket.release();
        // The session's own open/close lines are in the core; this one also covers connections
        // closed before they had a session (a refused namespace, binary data, no CONNECT).
        this.#log.debug("engine.io connection closed", { address: ticket.address, reason });
      });
      if (connection.transport.name === "polling") {
        this.#boundPollingPayloads(connection, ticket.address);
      }
    });
  }

  #settle(req: IncomingMessage): Ticket | undefined {
    const pending = this.#pending.get(req);
    if (!pending) return undefined;
    this.#pending.delete(req);
    req.socket.off("close", pending.giveBack);
    return pending.ticket;
  }

  /**
   * engine.io decodes a whole POST and emits every packet in one synchronous loop (90k packets in
   * 1 MiB took ~100 ms just to decode). Counting the separators first costs microseconds. Only the
   * handshake transport can be polling (upgrades go to websocket), so this instance is the one.
   */
  #boundPollingPayloads(connection: EngineConnection, address: string): void {
    const transport = connection.transport;
    const decode = transport.onData?.bind(transport);
    if (!decode) {
      this.#log.error("engine.io polling transport has no onData; payloads are not bounded");
      return;
    }
    transport.onData = (data: unknown) => {
      if (typeof data === "string" && countsOver(data, PACKET_SEPARATOR, this.#maxPacketsPerPoll)) {
        this.#log.warn("closing Socket.IO connection: too many packets in one payload", {
          address,
          max: this.#maxPacketsPerPoll,
        });
        connection.close();
        return;
      }
      decode(data);
    };
  }
}

/** engine.io protocol 4 joins the packets of a polling payload with the record separator. */
const PACKET_SEPARATOR = "\x1e";

/** Whether `text` holds more than `max` items separated by `separator`, stopping early. */
function countsOver(text: string, separator: string, max: number): boolean {
  let items = 1;
  for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) {
    if (++items > max) return true;
  }
  return false;
}

/** How long a closing engine.io connection may wait for its peer before it is cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * Makes every server-side close of the connection (socket.io's own on a bad packet or a missed
 * namespace connect, ours, shutdown) end it at once, dropping what it has not sent. engine.io's
 * plain `close()` waits for a polling client to fetch its buffer or its next poll (an abuser never
 * polls: up to 30–45 s) and for a websocket peer to answer the closing handshake (`ws` waits 30
 * s); meanwhile the connection held its slot. A polling request in flight still gets the close
 * packet, and a live websocket peer the closing handshake, within a second.
 */
function closeAtOnce(connection: EngineConnection): void {
  const close = connection.close.bind(connection);
  connection.close = () => {
    if (connection.readyState === "closed") return;
    // engine.io calls its websocket transport closed as soon as it sent the close frame; the
    // socket underneath is still there until the peer answers.
    const ws = connection.transport.socket;
    close(true);
    if (!ws?.terminate || ws.readyState === WS_CLOSED) return;
    const timer = setTimeout(() => ws.terminate?.(), CLOSE_GRACE_MS);
    ws.once?.("close", () => clearTimeout(timer));
  };
}

/** `WebSocket.CLOSED` of `ws`. */
const WS_CLOSED = 3;
