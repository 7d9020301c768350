import type { Logger } from "../log.ts";
import {
  ClientEvent,
  CloseCode,
  ErrorCode,
  isPlainObject,
  type Payload,
  ProtocolError,
  ServerEvent,
} from "../protocol/mod.ts";
import type { Hub } from "./hub.ts";
import { clip } from "./ids.ts";
import { readerReady } from "./pacing.ts";
import { RateLimiter } from "./rate_limiter.ts";
import type { Clock } from "./rate_limiter.ts";
import type { Session } from "./session.ts";
import { sleep } from "./timing.ts";
import type { WorldService } from "./world/world_service.ts";

/** A handler for one client event. It may be async; a session's events still run one at a time. */
export type Handler = (session: Session, payload: Payload) => void | Promise<void>;

/** Extra handlers registered by other services (spells, content) under their wire names. */
export type HandlerTable = Partial<Record<ClientEvent, Handler>>;

/** Counters the dispatcher reports (metrics implement it; tests may ignore it). */
export interface DispatchObserver {
  received(event: string): void;
  rejected(code: string): void;
}

export interface DispatcherOptions {
  hub: Hub;
  worlds: WorldService;
  handlers?: HandlerTable;
  clock: Clock;
  rate: { perSecond: number; burst: number };
  /**
   * Reads (READ_EVENTS) beyond the rate wait for a token instead of being dropped, at most
   * `queueMax` messages per connection; every read's reply waits while the connection has more
   * than `highWater` bytes unsent.
   */
  reads: { queueMax: number; highWater: number };
  log: Logger;
  observer?: DispatchObserver;
  /** Called when a connection closes (after its membership is gone). */
  onClose?: (session: Session) => void;
  /** Turns an error that is no bug (a full disk) into the client's refusal; undefined otherwise. */
  mapError?: (error: unknown) => ProtocolError | undefined;
}

/**
 * Requests that only send something back to the requester. The Godot client sends them in bursts
 * (one `content.get_file` per file of every spell it is told about) and never retries, so beyond
 * the rate they wait rather than being dropped, and their replies go out at the reader's pace.
 * `ping` is not one: it measures the connection, so it is answered (or dropped) at once.
 */
const READ_EVENTS: ReadonlySet<string> = new Set([
  ClientEvent.WORLD_LIST,
  ClientEvent.WORLD_GET,
  ClientEvent.SPELL_LIST,
  ClientEvent.SPELL_GET_REVISIONS,
  ClientEvent.CONTENT_GET_MANIFEST,
  ClientEvent.CONTENT_GET_FILE,
  ClientEvent.CONTENT_LIST_FILES,
]);

/** Refusals a connection may collect (beyond its rate's refill) before it counts as a flood. */
const MIN_FLOOD_REFUSALS = 100;

/** A read whose payload is bigger than this (as JSON, about) is not kept waiting: reads name ids. */
const MAX_WAITING_READ_BYTES = 1024;

/**
 * The protocol-neutral core entry: adapters call `open`, `dispatch` and `close`; this maps event
 * names to services, enforces the per-connection rate, keeps each connection's messages in order and
 * turns a ProtocolError into the reply the client expects.
 */
export class Dispatcher {
  #hub: Hub;
  #handlers: Map<string, Handler>;
  #limiter: RateLimiter;
  /** Refusals a connection may earn: a second bucket, twice the burst, refilled at the rate. */
  #refusals: RateLimiter;
  #log: Logger;
  #observer?: DispatchObserver;
  #onClose?: (session: Session) => void;
  #mapError?: (error: unknown) => ProtocolError | undefined;
  #reads: DispatcherOptions["reads"];
  /** The in-flight async handler of each busy session; later messages queue behind it. */
  #tails = new Map<string, Promise<void>>();
  /** Reads of each session waiting for a rate-limit token. */
  #waitingReads = new Map<string, number>();

  constructor(options: DispatcherOptions) {
    this.#hub = options.hub;
    this.#log = options.log;
    if (options.observer) this.#observer = options.observer;
    if (options.onClose) this.#onClose = options.onClose;
    if (options.mapError) this.#mapError = options.mapError;
    this.#limiter = new RateLimiter({ ...options.rate, clock: options.clock });
    // A flood is twice the burst refused, but never fewer than MIN_FLOOD_REFUSALS: a small burst
    // (a strict server) must not turn a client's ordinary overrun into a disconnect.
    this.#refusals = new RateLimiter({
      perSecond: options.rate.perSecond,
      burst: Math.max(MIN_FLOOD_REFUSALS, 2 * options.rate.burst),
      clock: options.clock,
    });
    this.#reads = options.reads;
    const worlds = options.worlds;
    const table: Record<string, Handler> = {
      [ClientEvent.WORLD_LIST]: (session) => worlds.list(session),
      [ClientEvent.WORLD_CREATE]: (session, payload) => worlds.create(session, payload),
      [ClientEvent.WORLD_JOIN]: (session, payload) => worlds.join(session, payload),
      [ClientEvent.WORLD_LEAVE]: (session) => worlds.leave(session),
      [ClientEvent.WORLD_GET]: (session, payload) => worlds.get(session, payload),
      [ClientEvent.REQUEST_SPELL]: (session, payload) => worlds.requestSpell(session, payload),
      [ClientEvent.PING]: (session) => worlds.ping(session),
      [ClientEvent.CLEAR_WORLD]: (session) => worlds.clearWorld(session),
      ...options.handlers,
    };
    this.#handlers = new Map(Object.entries(table));
  }

  /** A new connection: register it and greet it with its id. */
  open(session: Session, serverTime: string): void {
    this.#hub.add(session);
    this.#log.info("connection opened", {
      session: session.id,
      transport: session.transport,
      address: session.address,
    });
    this.#hub.send(session, ServerEvent.CONNECTED, {
      client_id: session.id,
      server_time: serverTime,
    });
  }

  close(session: Session): void {
    const world = this.#hub.remove(session);
    this.#log.info("connection closed", {
      session: session.id,
      transport: session.transport,
      address: session.address,
      world: world ?? "",
    });
    this.#limiter.forget(session.id);
    this.#refusals.forget(session.id);
    this.#tails.delete(session.id);
    this.#waitingReads.delete(session.id);
    this.#onClose?.(session);
  }

  /**
   * Handles one decoded message. `payload` is whatever followed the event name (validated here);
   * `ack`, when given, receives the first reply the message produces for this session.
   */
  dispatch(
    session: Session,
    event: unknown,
    payload: unknown,
    ack?: (reply: Payload) => void,
  ): void {
    // Socket.IO's parser accepts numeric event names: never let one reach string code.
    if (typeof event !== "string" || event === "") {
      this.rejectFrame(
        session,
        new ProtocolError(ErrorCode.INVALID_PAYLOAD, "Event name must be a non-empty string"),
        ack,
      );
      return;
    }
    this.#observer?.received(this.#handlers.has(event) ? event : "unknown");
    const isRead = READ_EVENTS.has(event);
    if (!this.#limiter.take(session.id)) {
      const cannotWait = isRead ? this.#cannotWait(session, payload) : "";
      if (cannotWait === undefined) {
        this.#waitingReads.set(session.id, (this.#waitingReads.get(session.id) ?? 0) + 1);
        this.#inOrder(session, () => this.#waitForToken(session, event, payload, ack));
        return;
      }
      // Answering every message of a flood costs as much as serving it: once a connection has
      // been refused twice its burst more than its rate refills, it is a flood and is closed.
      if (!this.#refusals.take(session.id)) {
        this.#log.warn("closing flooding client", {
          session: session.id,
          address: session.address,
        });
        session.close(CloseCode.POLICY_VIOLATION, "Rate limit exceeded");
        return;
      }
      const limited = new ProtocolError(
        ErrorCode.RATE_LIMITED,
        `Rate limit exceeded${cannotWait}; message dropped`,
      );
      this.#inOrder(session, () => this.#reject(session, limited, ack));
      return;
    }
    this.#inOrder(
      session,
      isRead
        ? () => this.#paced(session, event, payload, ack)
        : () => this.#run(session, event, payload, ack),
    );
  }

  /** Reports a frame the adapter could not decode (bad JSON, no type…), in order with the rest. */
  rejectFrame(session: Session, error: ProtocolError, ack?: (reply: Payload) => void): void {
    this.#observer?.received("invalid");
    this.#inOrder(session, () => this.#reject(session, error, ack));
  }

  /**
   * Runs `step` now if the session has nothing in flight, else after what is: every reply,
   * errors included, leaves in the order its message arrived.
   */
  #inOrder(session: Session, step: () => Promise<void> | void): void {
    const tail = this.#tails.get(session.id);
    if (tail) {
      this.#track(session, tail.then(step));
    } else {
      const result = step();
      if (result) this.#track(session, result);
    }
  }

  /** Why a read beyond the rate may not wait (for the error), or undefined if it may. */
  #cannotWait(session: Session, payload: unknown): string | undefined {
    if (exceedsBytes(payload, MAX_WAITING_READ_BYTES)) {
      return ` and a request over ${MAX_WAITING_READ_BYTES} bytes cannot wait`;
    }
    if ((this.#waitingReads.get(session.id) ?? 0) >= this.#reads.queueMax) {
      return ` and ${this.#reads.queueMax} requests already wait`;
    }
    return undefined;
  }

  async #waitForToken(
    session: Session,
    event: string,
    payload: unknown,
    ack?: (reply: Payload) => void,
  ): Promise<void> {
    try {
      while (!this.#limiter.take(session.id)) {
        if (!this.#hub.isConnected(session)) return;
        await sleep(Math.max(1, this.#limiter.msUntilToken(session.id)));
      }
    } finally {
      const waiting = (this.#waitingReads.get(session.id) ?? 1) - 1;
      if (waiting > 0) this.#waitingReads.set(session.id, waiting);
      else this.#waitingReads.delete(session.id);
    }
    await this.#paced(session, event, payload, ack);
  }

  /**
   * Runs a read once the reader has taken most of what was sent to it, as a join's sync does: a
   * burst of file requests from a client that reads 64 KiB a frame goes out at that pace instead
   * of piling up until the client is cut as a slow consumer. One that stops reading is closed.
   */
  #paced(
    session: Session,
    event: string,
    payload: unknown,
    ack?: (reply: Payload) => void,
  ): Promise<void> | undefined {
    const highWater = this.#reads.highWater;
    if (session.bufferedBytes <= highWater) return this.#run(session, event, payload, ack);
    return readerReady(session, { highWater }, () => this.#hub.isConnected(session)).then(
      (outcome) => {
        if (outcome === "ready") return this.#run(session, event, payload, ack);
        if (outcome === "stalled") {
          session.close(CloseCode.POLICY_VIOLATION, "Too slow: replies not read");
        }
      },
    );
  }

  #track(session: Session, running: Promise<void>): void {
    this.#tails.set(session.id, running);
    running.finally(() => {
      if (this.#tails.get(session.id) === running) this.#tails.delete(session.id);
    });
  }

  #run(
    session: Session,
    event: string,
    payload: unknown,
    ack?: (reply: Payload) => void,
  ): Promise<void> | undefined {
    const handler = this.#handlers.get(event);
    if (!handler) {
      this.#reject(
        session,
        new ProtocolError(ErrorCode.UNKNOWN_TYPE, `Unknown message type: ${clip(event)}`),
        ack,
      );
      return undefined;
    }
    const body = payload ?? {};
    if (!isPlainObject(body)) {
      this.#reject(
        session,
        new ProtocolError(ErrorCode.INVALID_PAYLOAD, "Payload must be a JSON object"),
        ack,
      );
      return undefined;
    }
    if (ack) this.#hub.captureFirstReply(session, ack);
    try {
      const result = handler(session, body);
      if (result instanceof Promise) {
        // While it awaits, other connections' broadcasts may arrive: from here on only a reply
        // sent to this session directly feeds the acknowledgement.
        if (ack) this.#hub.narrowCapture(session);
        return result.then(
          () => this.#finish(session, ack),
          (error) => this.#fail(session, event, error, ack),
        );
      }
      this.#finish(session, ack);
    } catch (error) {
      this.#fail(session, event, error, ack);
    }
    return undefined;
  }

  #finish(session: Session, ack?: (reply: Payload) => void): void {
    if (ack) this.#hub.releaseCapture(session)?.({});
  }

  #fail(session: Session, event: string, error: unknown, ack?: (reply: Payload) => void): void {
    if (ack) this.#hub.releaseCapture(session);
    const refusal = error instanceof ProtocolError ? error : this.#mapError?.(error);
    if (refusal) {
      this.#reject(session, refusal, ack);
      return;
    }
    // Never echo internals: the client gets a correlation id, the log gets the error.
    const errorId = crypto.randomUUID();
    this.#log.error("handler failed", {
      event,
      session: session.id,
      address: session.address,
      error_id: errorId,
      error,
    });
    this.#reject(
      session,
      new ProtocolError(ErrorCode.INTERNAL, `Internal server error (id ${errorId})`),
      ack,
    );
  }

  #reject(session: Session, error: ProtocolError, ack?: (reply: Payload) => void): void {
    this.#observer?.rejected(error.code);
    const event = error.reply?.event ?? ServerEvent.ERROR;
    const payload = error.reply?.payload ?? { message: error.message, code: error.code };
    ack?.(payload);
    this.#hub.send(session, event, payload);
  }
}

/**
 * True if `value` as JSON would take more than `limit` bytes (roughly: strings count their UTF-16
 * length). Stops as soon as it knows, so a big payload costs no more than `limit` to measure.
 */
function exceedsBytes(value: unknown, limit: number): boolean {
  let budget = limit;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") budget -= item.length + 2;
    else if (typeof item !== "object" || item === null) budget -= 8;
    else if (Array.isArray(item)) {
      budget -= 2 + item.length;
      if (budget >= 0) stack.push(...item);
    } else {
      for (const [key, child] of Object.entries(item)) {
        budget -= key.length + 4;
        if (budget < 0) break;
        stack.push(child);
      }
    }
    if (budget < 0) return true;
  }
  return false;
}
