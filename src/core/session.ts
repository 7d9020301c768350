import type { Payload } from "../protocol/mod.ts";
import type { Principal } from "./identity/principal.ts";

export type TransportKind = "websocket" | "socket.io";

/**
 * One message on its way out. Encoded at most once however many sessions receive it: a broadcast
 * to 500 raw clients stringifies once.
 */
export class OutboundMessage {
  readonly event: string;
  readonly payload: Payload;
  /**
   * For a message about a world's op log (`apply_op`, `world_cleared`): its place in the world's
   * order (the `seq` in its payload). A joiner whose sync already covered it never gets it live.
   */
  readonly seq: number | undefined;
  #frame?: string;
  #frameBuffer?: Uint8Array;
  #wire?: Map<WireEncoding<unknown>, unknown>;

  constructor(event: string, payload: Payload, seq?: number) {
    this.event = event;
    this.payload = payload;
    this.seq = seq;
  }

  /** The raw-protocol frame: the payload with the event name in `type`, `type` first. */
  get frame(): string {
    return this.#frame ??= JSON.stringify({ type: this.event, ...this.payload });
  }

  /** UTF-8 size of `frame`; both transports hold every message to the same cap with it. */
  get frameBytes(): number {
    return this.frameBuffer.length;
  }

  /** `frame` as UTF-8, encoded once and shared by every raw recipient of a broadcast. */
  get frameBuffer(): Uint8Array {
    return this.#frameBuffer ??= encoder.encode(this.frame);
  }

  /**
   * The message in an adapter's wire format, computed by `encoding` the first time a recipient on
   * that wire asks and shared by the rest: a broadcast is framed once per transport, not per member.
   */
  encodedFor<T>(encoding: WireEncoding<T>): T {
    this.#wire ??= new Map();
    if (this.#wire.has(encoding)) return this.#wire.get(encoding) as T;
    const encoded = encoding(this);
    this.#wire.set(encoding, encoded);
    return encoded;
  }
}

/** How an adapter turns a message into bytes for its wire; used as the cache key, so define it once. */
export type WireEncoding<T> = (message: OutboundMessage) => T;

const encoder = new TextEncoder();

/** A connection as the core sees it; adapters implement it for their transport. */
export interface Session {
  readonly id: string;
  readonly transport: TransportKind;
  /** The client's network address (the TCP peer, or what a trusted proxy says it saw). */
  readonly address: string;
  /**
   * Who presented a token at the handshake (a player or the operator); undefined for a guest,
   * whose identity is the connection itself (`guest:<id>`).
   */
  readonly principal?: Principal;
  /** When the connection opened (epoch ms), for the operator's listing. */
  readonly connectedAt?: number;
  /** Queues a message for this connection; never throws (a dead socket drops it). */
  send(message: OutboundMessage): void;
  /** Bytes queued for this connection that the peer has not taken yet. */
  readonly bufferedBytes: number;
  /** Closes the connection with a WebSocket close code. */
  close(code: number, reason: string): void;
}
