import { Buffer } from "node:buffer";
import type { Server, Socket } from "socket.io";
import type { Dispatcher } from "../core/dispatcher.ts";
import type { Principal } from "../core/identity/principal.ts";
import { newClientId } from "../core/ids.ts";
import type { OutboundMessage, Session, WireEncoding } from "../core/session.ts";
import type { Logger } from "../log.ts";
import { capFrame, type SessionLimits } from "./frame_cap.ts";
import { InboundQueue } from "./inbound_queue.ts";
import { textFrame } from "./ws_frame.ts";
import type { Payload } from "../protocol/mod.ts";

/** A Socket.IO connection: the same events, the name as the Socket.IO event, no `type` field. */
export class SocketIoSession implements Session {
  readonly id = newClientId();
  readonly transport = "socket.io" as const;
  readonly address: string;
  /** Who the handshake's `auth: {token}` proved (the server's middleware put it in `socket.data`). */
  readonly principal: Principal | undefined;
  readonly connectedAt = Date.now();
  #socket: Socket;
  #wire: SocketIoWire;
  #maxOutboundBytes: number;
  #maxBufferedBytes: number;
  #log: Logger;
  /** How much of engine.io's current packet buffer `bufferedBytes` has summed (the hot path: no allocation). */
  #countedBuffer: unknown[] = [];
  #countedPackets = 0;
  #countedBytes = 0;

  constructor(
    socket: Socket,
    address: string,
    options: { wire: SocketIoWire; limits: SessionLimits; log: Logger },
  ) {
    const { wire, limits, log } = options;
    this.#socket = socket;
    this.address = address;
    this.principal = (socket.data as { principal?: Principal } | undefined)?.principal;
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
      this.close();
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
   * stalled client hold 256 near-64 KiB packets (16 MiB) before it was cut. The packet buffer is
   * summed incrementally (engine.io only appends to it, and replaces it when it flushes): summing
   * all of it on every send was quadratic in a stalled polling client's backlog.
   */
  get bufferedBytes(): number {
    const conn = this.#engine();
    const buffer = conn.writeBuffer ?? [];
    if (buffer !== this.#countedBuffer || buffer.length < this.#countedPackets) {
      this.#countedBuffer = buffer;
      this.#countedPackets = 0;
      this.#countedBytes = 0;
    }
    for (let i = this.#countedPackets; i < buffer.length; i++) {
      const data = buffer[i]!.data;
      if (typeof data === "string") this.#countedBytes += data.length;
    }
    this.#countedPackets = buffer.length;
    return (conn.transport?.socket?.bufferedAmount ?? 0) + this.#countedBytes;
  }

  #engine(): EngineBuffers {
    return this.#socket.conn as unknown as EngineBuffers;
  }

  /**
   * Leaves the namespace and closes the engine.io connection under it (at once: see
   * `closeAtOnce` in engine_guard.ts), so its connection slot comes back.
   */
  close(_code?: number, _reason?: string): void {
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
    limits: SessionLimits & { maxPacketsPerPoll: number };
    log: Logger;
    now: () => string;
  },
): SocketIoSession {
  const { dispatcher, log } = options;
  const session = new SocketIoSession(socket, options.address, options);
  // Twice a full POST may wait: a client still sending after that is flooding.
  const inbound = new InboundQueue<{ event: unknown; args: unknown[] }>({
    limit: 2 * options.limits.maxPacketsPerPoll,
    run: ({ event, args }) => {
      const last = args.at(-1);
      const ack = typeof last === "function" ? (args.pop() as (reply: Payload) => void) : undefined;
      dispatcher.dispatch(session, event, args[0], ack);
    },
    onOverflow: () => {
      log.warn("closing flooding client", { session: session.id, address: session.address });
      session.close();
    },
  });
  // Before `open`: its greeting can already find the connection too slow and close it, and the
  // close must still reach the dispatcher.
  socket.on("disconnect", () => {
    inbound.stop();
    dispatcher.close(session);
  });
  // socket.io reports a packet it refused (binary data, a second CONNECT…) here, then closes the
  // connection; an `error` event with no listener would throw.
  // What it reports is not always an Error (a malformed packet can give null): never assume one.
  socket.on("error", (error: unknown) => {
    log.info("closing Socket.IO connection: invalid packet", {
      session: session.id,
      address: session.address,
      error: error instanceof Error ? error.message : String(error),
    });
  });
  socket.onAny((event: unknown, ...args: unknown[]) => inbound.push({ event, args }));
  dispatcher.open(session, options.now());
  return session;
}
