import type { Payload } from "../protocol/mod.ts";
import type { Principal } from "./identity/principal.ts";
import type { Target } from "./ports/bus.ts";
import { OutboundMessage, type TransportKind } from "./session.ts";

/**
 * What the core knows of the connection a message came from: a read-only view, taken when the
 * message is handled. The Session itself stays with Rooms and LocalFanout.
 */
export interface Call {
  readonly sessionId: string;
  readonly transport: TransportKind;
  /** The client's network address (the TCP peer, or what a trusted proxy says it saw). */
  readonly address: string;
  /** The world the connection is in, if any. */
  readonly worldId: string | undefined;
  /** Who the connection is (guest, player or operator), fixed at its handshake. */
  readonly principal: Principal;
}

/** A message for a target, published through the Bus. */
export interface Event {
  to: Target;
  message: OutboundMessage;
}

/** In a stream: wait until the reader has taken most of what was sent (and stop if it went away). */
export interface Pace {
  readonly pace: true;
}

/**
 * In a stream: the joiner's held world messages may go now; those with a `seq` up to `throughSeq`
 * are dropped (the sync that just went out already carried them).
 */
export interface Release {
  readonly throughSeq: number;
}

export type StreamItem = OutboundMessage | Pace | Release;

/**
 * What handling a message produced; the Dispatcher applies it, in this order: `leave` / `enter`
 * (Rooms), `reply` (to the caller, and the Socket.IO acknowledgement), `events` (the Bus, in order),
 * `after`, then `stream` (to the caller, paced by how fast it reads).
 */
export interface Outcome {
  /** The answer to the caller; its payload also acknowledges a Socket.IO request. */
  reply?: OutboundMessage;
  /**
   * What a Socket.IO acknowledgement gets when it is not `reply`'s payload: the caller's own copy of
   * an event it receives as a member, or an answer with nothing sent (a dropped duplicate op). With
   * neither `ack` nor `reply`, the first message of `stream` acknowledges, else `{}`.
   */
  ack?: Payload;
  events?: readonly Event[];
  leave?: true;
  /** Puts the caller in a world (leaving its previous one). With a `stream`, its world messages
   * are held until the stream releases them. */
  enter?: { worldId: string };
  /** Runs once the rest is applied (state changes that must follow the reply). */
  after?: () => void;
  stream?: AsyncIterable<StreamItem>;
}

export const PACE: Pace = Object.freeze({ pace: true });

export function release(throughSeq: number): Release {
  return { throughSeq };
}

export function isPace(item: StreamItem): item is Pace {
  return item === PACE;
}

export function isRelease(item: StreamItem): item is Release {
  return !(item instanceof OutboundMessage) && "throughSeq" in item;
}

/** A message (an OutboundMessage is encoded at most once however many receive it). */
export function message(event: string, payload: Payload, seq?: number): OutboundMessage {
  return new OutboundMessage(event, payload, seq);
}

/** The outcome of a request answered with one message. */
export function reply(event: string, payload: Payload): Outcome {
  return { reply: new OutboundMessage(event, payload) };
}
