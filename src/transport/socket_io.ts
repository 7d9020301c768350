import { Buffer } from "node:buffer";
import type { Server, Socket } from "socket.io";
import type { Dispatcher } from "../core/dispatcher.ts";
import { newClientId } from "../core/ids.ts";
import type { OutboundMessage, Session, WireEncoding } from "../core/session.ts";
import type { Logger } from "../log.ts";
import { capFrame, type SessionLimits } from "./frame_cap.ts";
import { textFrame } from "./ws_frame.ts";
import type { Payload } from "../protocol/mod.ts";

/** A Socket.IO connection: the same events, the name as the Socket.IO event, no `type` field. */
export class SocketIoSession implements Session {
  readonly id = newClientId();
  readonly transport = "socket.io" as const;
  readonly address: string;
  #socket: Socket;
  #wire: SocketIoWire;
  #maxOutboundBytes: number;
  #maxBufferedBytes: number;
  #log: Logger;

  constructor(
    socket: Socket,
    address: string,
    options: { wire: SocketIoWire; limits: SessionLimits; log: Logger },
  ) {
    const { wire, limits, log } = options;
    this.#socket = socket;
    this.address = address;
    this.#wire = wire;
    this.#maxOutboundBytes = limits.maxOutboundBytes;
    this.#maxBufferedBytes = limits.maxBufferedBytes;
    this.#log = log;
  }

  send(message: OutboundMessage): void {
    if (!this.#socket.connected) return;
    message = capFrame(message, this.#maxOutboundBytes, this.#log);
    if (this.bufferedBytes > this.#maxBufferedBytes) {
      this.#log.warn("closing slow consumer", { session: this.id, address: this.address });
      this.#socket.disconnect(true);
      return;
    }
    const engine = this.#socket.client as unknown as EngineWriter;
    if (typeof engine.writeToEngine === "function") {
      const { packets, options } = message.encodedFor(this.#wire);
      engine.writeToEngine(packets, options);
    } else {
      this.#socket.emit(message.event, message.payload);
    }
  }

  /**
   * Unsent data lives in two places: engine.io's packet buffer (polling between polls, or a
   * websocket whose last write has not completed — then every later packet waits there) and, on
   * the websocket transport, the `ws` socket underneath. Counted in bytes: a count of packets let a
   * stalled client hold 256 near-64 KiB packets (16 MiB) before it was cut.
   */
  get bufferedBytes(): number {
    const conn = this.#engine();
    let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
    for (const packet of conn.writeBuffer ?? []) {
      if (typeof packet.data === "string") bytes += packet.data.length;
    }
    return bytes;
  }

  #engine(): EngineBuffers {
    return this.#socket.conn as unknown as EngineBuffers;
  }

  close(_code: number, _reason: string): void {
    this.#socket.disconnect(true);
  }
}

/** The engine.io connection internals that show what is still unsent. */
interface EngineBuffers {
  writeBuffer?: { data?: unknown }[];
  transport?: { socket?: { bufferedAmount?: number } };
}

/** A message as encoded Socket.IO packets plus the engine.io options that carry its prebuilt frame. */
interface EncodedForSocketIo {
  packets: unknown[];
  options: { preEncoded: true; wsPreEncodedFrame?: Buffer[] };
}

/** The encoding of one server; every session of that server shares it, so it is the cache key. */
export type SocketIoWire = WireEncoding<EncodedForSocketIo>;

/**
 * Encodes a message the way Socket.IO's own room broadcast does (socket.io-adapter `_encode`):
 * once, with the server's encoder, plus the whole WebSocket frame ("4" = engine.io message) so
 * engine.io writes it to each websocket-transport socket without encoding again. `socket.emit` per
 * recipient would stringify and frame the same payload once per member.
 */
export function socketIoWire(io: Server): SocketIoWire {
  return (message) => {
    const packets: unknown[] = io.encoder.encode({
      type: EVENT_PACKET,
      data: [message.event, message.payload],
      nsp: "/",
    });
    const options: EncodedForSocketIo["options"] = { preEncoded: true };
    if (packets.length === 1 && typeof packets[0] === "string") {
      options.wsPreEncodedFrame = [textFrame(Buffer.from("4" + packets[0]))];
    }
    return { packets, options };
  };
}

/** socket.io-parser's EVENT packet type. */
const EVENT_PACKET = 2;

/** The socket.io `Client` method its adapter uses to write already encoded packets. */
interface EngineWriter {
  writeToEngine?: (packets: unknown[], options: EncodedForSocketIo["options"]) => void;
}

/** Wires one Socket.IO connection (default namespace) to the dispatcher. */
export function serveSocketIoConnection(
  socket: Socket,
  options: {
    dispatcher: Dispatcher;
    address: string;
    wire: SocketIoWire;
    limits: SessionLimits;
    log: Logger;
    now: () => string;
  },
): SocketIoSession {
  const { dispatcher } = options;
  const session = new SocketIoSession(socket, options.address, options);
  dispatcher.open(session, options.now());
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const last = args.at(-1);
    const ack = typeof last === "function" ? (args.pop() as (reply: Payload) => void) : undefined;
    dispatcher.dispatch(session, event, args[0], ack);
  });
  socket.on("disconnect", () => dispatcher.close(session));
  return session;
}
