import type { Socket } from "socket.io";
import type { Dispatcher } from "../core/dispatcher.ts";
import { newClientId } from "../core/ids.ts";
import type { OutboundMessage, Session } from "../core/session.ts";
import type { Logger } from "../log.ts";
import { capFrame, type SessionLimits } from "./frame_cap.ts";
import type { Payload } from "../protocol/mod.ts";

/** A Socket.IO connection: the same events, the name as the Socket.IO event, no `type` field. */
export class SocketIoSession implements Session {
  readonly id = newClientId();
  readonly transport = "socket.io" as const;
  #socket: Socket;
  #maxOutboundBytes: number;
  #maxBufferedPackets: number;
  #maxBufferedBytes: number;
  #log: Logger;

  constructor(socket: Socket, limits: SessionLimits, log: Logger) {
    this.#socket = socket;
    this.#maxOutboundBytes = limits.maxOutboundBytes;
    // engine.io buffers packets, not bytes: bound them by the byte budget over a typical 1 KiB packet.
    this.#maxBufferedPackets = Math.max(64, Math.floor(limits.maxBufferedBytes / 1024));
    this.#maxBufferedBytes = limits.maxBufferedBytes;
    this.#log = log;
  }

  send(message: OutboundMessage): void {
    if (!this.#socket.connected) return;
    message = capFrame(message, this.#maxOutboundBytes, this.#log);
    if (this.#overBuffered()) {
      this.#log.warn("closing slow consumer", { session: this.id });
      this.#socket.disconnect(true);
      return;
    }
    this.#socket.emit(message.event, message.payload);
  }

  /**
   * Unsent data lives in two places: engine.io's packet buffer (polling, or a busy transport) and,
   * on the websocket transport, the `ws` socket underneath. Either over its bound means too slow.
   */
  #overBuffered(): boolean {
    const conn = this.#socket.conn as unknown as {
      writeBuffer?: unknown[];
      transport?: { socket?: { bufferedAmount?: number } };
    };
    return (conn.writeBuffer?.length ?? 0) > this.#maxBufferedPackets ||
      (conn.transport?.socket?.bufferedAmount ?? 0) > this.#maxBufferedBytes;
  }

  close(_code: number, _reason: string): void {
    this.#socket.disconnect(true);
  }
}

/** Wires one Socket.IO connection to the dispatcher. */
export function serveSocketIoConnection(
  socket: Socket,
  options: { dispatcher: Dispatcher; limits: SessionLimits; log: Logger; now: () => string },
): SocketIoSession {
  const { dispatcher } = options;
  const session = new SocketIoSession(socket, options.limits, options.log);
  dispatcher.open(session, options.now());
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const last = args.at(-1);
    const ack = typeof last === "function" ? (args.pop() as (reply: Payload) => void) : undefined;
    dispatcher.dispatch(session, event, args[0], ack);
  });
  socket.on("disconnect", () => dispatcher.close(session));
  return session;
}
