import { Buffer } from "node:buffer";
import type { WebSocket } from "ws";
import type { Dispatcher } from "../core/dispatcher.ts";
import type { Principal } from "../core/identity/principal.ts";
import { newClientId } from "../core/ids.ts";
import type { OutboundMessage, Session, WireEncoding } from "../core/session.ts";
import type { Logger } from "../log.ts";
import { capFrame, type SessionLimits } from "./frame_cap.ts";
import { sendPreFramed, textFrame } from "./ws_frame.ts";
import { CloseCode, ErrorCode, isPlainObject, ProtocolError } from "../protocol/mod.ts";

/** The raw WebSocket JSON protocol of the Godot client: one JSON object per text frame, `type` inside. */
export class RawSession implements Session {
  readonly id = newClientId();
  readonly transport = "websocket" as const;
  readonly address: string;
  readonly principal: Principal | undefined;
  readonly connectedAt = Date.now();
  #ws: WebSocket;
  #limits: SessionLimits;
  #log: Logger;
  #dropping = false;
  #closing = false;
  /** Whether the peer answered (or sent anything) since the last keepalive ping. */
  #alive = true;

  constructor(
    ws: WebSocket,
    address: string,
    limits: SessionLimits,
    log: Logger,
    principal?: Principal,
  ) {
    this.#ws = ws;
    this.address = address;
    this.principal = principal;
    this.#limits = limits;
    this.#log = log;
  }

  send(message: OutboundMessage): void {
    if (this.#dropping || this.#ws.readyState !== this.#ws.OPEN) return;
    message = capFrame(message, this.#limits.maxOutboundBytes, this.#log);
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#dropSlowConsumer();
      return;
    }
    // Every recipient of a broadcast shares one frame: one write each, no per-socket framing.
    if (!sendPreFramed(this.#ws, message.encodedFor(rawTextFrame))) {
      this.#ws.send(message.frameBuffer, { binary: false });
    }
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  /** Starts the closing handshake; a peer that does not answer within a second is cut. */
  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#ws.close(code, reason);
    const timer = setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS);
    this.#ws.once("close", () => clearTimeout(timer));
  }

  /** The peer showed it is there: a pong, or any message. */
  markAlive(): void {
    this.#alive = true;
  }

  /**
   * One keepalive round: a peer that has not answered the previous ping is cut (a half-open
   * connection would otherwise stay in its world and in `player_count` for ever), any other is
   * pinged. Godot's WebSocketPeer, like browsers, answers pings by itself.
   */
  keepalive(): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    if (!this.#alive) {
      this.#log.info("closing unresponsive peer", { session: this.id, address: this.address });
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  /**
   * A client that stopped reading must not make the server buffer without bound: stop sending,
   * say 1008, and cut the TCP connection if the close frame cannot get through.
   */
  #dropSlowConsumer(): void {
    this.#dropping = true;
    this.#log.warn("closing slow consumer", {
      session: this.id,
      address: this.address,
      buffered: this.#ws.bufferedAmount,
    });
    this.close(CloseCode.POLICY_VIOLATION, "Too slow: outbound buffer full");
  }
}

/** How long a closing handshake may take before the TCP connection is cut (`ws` waits 30 s). */
const CLOSE_GRACE_MS = 1000;

/** The raw-protocol frame as a complete WebSocket text frame, built once per message. */
const rawTextFrame: WireEncoding<Buffer> = (message) => textFrame(message.frameBuffer);

/** Wires one accepted raw WebSocket to the dispatcher. */
export function serveRawConnection(
  ws: WebSocket,
  options: {
    dispatcher: Dispatcher;
    address: string;
    limits: SessionLimits;
    log: Logger;
    now: () => string;
    onFrameBytes?: (bytes: number) => void;
    /** Who the handshake's `?token=` proved (undefined: a guest). */
    principal?: Principal;
  },
): RawSession {
  const { dispatcher } = options;
  const session = new RawSession(
    ws,
    options.address,
    options.limits,
    options.log,
    options.principal,
  );
  ws.on("close", () => dispatcher.close(session));
  ws.on("pong", () => session.markAlive());
  dispatcher.open(session, options.now());
  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
    session.markAlive();
    // Closing (too slow, flooding, shutting down): what it still sends is not served.
    if (ws.readyState !== ws.OPEN) return;
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString("utf8")
      : Buffer.from(data as ArrayBuffer).toString("utf8");
    options.onFrameBytes?.(byteLengthOf(data));
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      dispatcher.rejectFrame(session, new ProtocolError(ErrorCode.INVALID_JSON, "Invalid JSON"));
      return;
    }
    if (!isPlainObject(message) || typeof message.type !== "string" || message.type === "") {
      dispatcher.rejectFrame(
        session,
        new ProtocolError(
          ErrorCode.INVALID_PAYLOAD,
          "Message must be a JSON object with a string type",
        ),
      );
      return;
    }
    const { type, ...payload } = message;
    dispatcher.dispatch(session, type as string, payload);
  });
  ws.on(
    "error",
    (error: Error) =>
      options.log.debug("websocket error", {
        session: session.id,
        address: session.address,
        error: error.message,
      }),
  );
  return session;
}

function byteLengthOf(data: Buffer | ArrayBuffer | Buffer[]): number {
  return Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data.byteLength;
}
