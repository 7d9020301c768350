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
import { RateLimiter } from "./rate_limiter.ts";
import type { Clock } from "./rate_limiter.ts";
import type { Session } from "./session.ts";
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
  log: Logger;
  observer?: DispatchObserver;
  /** Called when a connection closes (after its membership is gone). */
  onClose?: (session: Session) => void;
  /** Turns an error that is no bug (a full disk) into the client's refusal; undefined otherwise. */
  mapError?: (error: unknown) => ProtocolError | undefined;
}

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
  /** The in-flight async handler of each busy session; later messages queue behind it. */
  #tails = new Map<string, Promise<void>>();

  constructor(options: DispatcherOptions) {
    this.#hub = options.hub;
    this.#log = options.log;
    if (options.observer) this.#observer = options.observer;
    if (options.onClose) this.#onClose = options.onClose;
    if (options.mapError) this.#mapError = options.mapError;
    this.#limiter = new RateLimiter({ ...options.rate, clock: options.clock });
    this.#refusals = new RateLimiter({
      perSecond: options.rate.perSecond,
      burst: 2 * options.rate.burst,
      clock: options.clock,
    });
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
    if (!this.#limiter.take(session.id)) {
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
        "Rate limit exceeded; message dropped",
      );
      this.#inOrder(session, () => this.#reject(session, limited, ack));
      return;
    }
    this.#inOrder(session, () => this.#run(session, event, payload, ack));
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
