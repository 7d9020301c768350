import {
  ClientEvent,
  CloseCode,
  ErrorCode,
  isPlainObject,
  type Payload,
  ProtocolError,
  ServerEvent,
} from "../protocol/mod.ts";
import type { BuildService } from "./build/build_service.ts";
import { guest, type Principal } from "./identity/principal.ts";
import { clip } from "./ids.ts";
import type { LocalFanout } from "./local_fanout.ts";
import { type Call, isPace, isRelease, message, type Outcome, type StreamItem } from "./outcome.ts";
import { readerReady } from "./pacing.ts";
import type { Bus } from "./ports/bus.ts";
import type { Clock } from "./ports/clock.ts";
import type { Logger } from "./ports/logger.ts";
import { RateLimiter } from "./rate_limiter.ts";
import type { Rooms } from "./rooms.ts";
import type { Session } from "./session.ts";
import type { ContentService } from "./spell/content_service.ts";
import type { SpellService } from "./spell/spell_service.ts";
import type { WorldService } from "./world/world_service.ts";

/** A handler for one client event: plain values in, an Outcome out (see outcome.ts). */
export type Handler = (call: Call, payload: Payload) => Outcome | Promise<Outcome>;

export type HandlerTable = Partial<Record<ClientEvent, Handler>>;

/** The services behind the event table. */
export interface Services {
  worlds: WorldService;
  spells: SpellService;
  content: ContentService;
  builds: BuildService;
}

/** The whole event table: every client event and the service that answers it. */
export function eventTable({ worlds, spells, content, builds }: Services): HandlerTable {
  return {
    [ClientEvent.WORLD_LIST]: () => worlds.list(),
    [ClientEvent.WORLD_CREATE]: (call, payload) => worlds.create(call, payload),
    [ClientEvent.WORLD_JOIN]: (_call, payload) => worlds.join(payload),
    [ClientEvent.WORLD_LEAVE]: (call) => worlds.leave(call),
    [ClientEvent.WORLD_GET]: (_call, payload) => worlds.get(payload),
    [ClientEvent.REQUEST_SPELL]: (call, payload) => worlds.requestSpell(call, payload),
    [ClientEvent.PING]: (call) => worlds.ping(call),
    [ClientEvent.CLEAR_WORLD]: (call) => worlds.clearWorld(call),
    [ClientEvent.SPELL_CREATE_DRAFT]: (call, payload) => spells.createDraft(call, payload),
    [ClientEvent.SPELL_START_BUILD]: (call, payload) => builds.startBuild(call, payload),
    [ClientEvent.SPELL_PUBLISH]: (call, payload) => spells.publish(call, payload),
    [ClientEvent.SPELL_REPORT]: (call, payload) => spells.report(call, payload),
    [ClientEvent.SPELL_LIST]: () => spells.list(),
    [ClientEvent.SPELL_GET_REVISIONS]: (call, payload) => spells.getRevisions(call, payload),
    [ClientEvent.SPELL_CAST_REQUEST]: (call, payload) => spells.castRequest(call, payload),
    [ClientEvent.CONTENT_GET_MANIFEST]: (call, payload) => content.getManifest(call, payload),
    [ClientEvent.CONTENT_GET_FILE]: (call, payload) => content.getFile(call, payload),
    [ClientEvent.CONTENT_LIST_FILES]: (call, payload) => content.listFiles(call, payload),
  };
}

/** Counters the dispatcher reports (metrics implement it; tests may ignore it). */
export interface DispatchObserver {
  received(event: string): void;
  rejected(code: string): void;
}

export interface DispatcherOptions {
  rooms: Rooms;
  fanout: LocalFanout;
  bus: Bus;
  handlers: HandlerTable;
  clock: Clock;
  rate: { perSecond: number; burst: number };
  /**
   * Reads (READ_EVENTS) beyond the rate wait for a token instead of being dropped, at most
   * `queueMax` messages per connection; every read's reply, and every step of a stream, waits
   * while the connection has more than `highWater` bytes unsent, up to `stallMs` without progress.
   */
  reads: { queueMax: number; highWater: number; stallMs: number };
  log: Logger;
  observer?: DispatchObserver;
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

/** World messages a syncing joiner may have waiting before it counts as too slow. */
export const MAX_HELD_MESSAGES = 10_000;

type Ack = (reply: Payload) => void;

/**
 * The protocol-neutral core entry: adapters call `open`, `dispatch` and `close`. It owns the event
 * table, enforces the per-connection rate, runs each connection's messages one at a time and in
 * order, and applies what the handler returned: Rooms for enter/leave, the reply (and the Socket.IO
 * acknowledgement, which is the reply's payload), the Bus for events, then the stream, paced by the
 * reader. A ProtocolError becomes the reply the client expects; anything else is logged and
 * answered `internal_error` with an id.
 */
export class Dispatcher {
  #rooms: Rooms;
  #fanout: LocalFanout;
  #bus: Bus;
  #handlers: Map<string, Handler>;
  #limiter: RateLimiter;
  /** Refusals a connection may earn: a second bucket, twice the burst, refilled at the rate. */
  #refusals: RateLimiter;
  #log: Logger;
  #observer?: DispatchObserver;
  #mapError?: (error: unknown) => ProtocolError | undefined;
  #reads: DispatcherOptions["reads"];
  #clock: Clock;
  /** The in-flight async handler of each busy session; later messages queue behind it. */
  #tails = new Map<string, Promise<void>>();
  /** Reads of each session waiting for a rate-limit token. */
  #waitingReads = new Map<string, number>();

  constructor(options: DispatcherOptions) {
    this.#rooms = options.rooms;
    this.#fanout = options.fanout;
    this.#bus = options.bus;
    this.#log = options.log;
    if (options.observer) this.#observer = options.observer;
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
    this.#clock = options.clock;
    this.#handlers = new Map(
      Object.entries(options.handlers).filter((entry): entry is [string, Handler] => !!entry[1]),
    );
  }

  /** A new connection: register it and greet it with its id. */
  open(session: Session, serverTime: string): void {
    this.#rooms.add(session);
    this.#log.info("connection opened", {
      session: session.id,
      transport: session.transport,
      address: session.address,
      // The principal's id (a player id, `operator`, `guest:<id>`): never its token.
      principal: principalOf(session).id,
    });
    this.#fanout.send(
      session,
      message(ServerEvent.CONNECTED, { client_id: session.id, server_time: serverTime }),
    );
  }

  close(session: Session): void {
    const world = this.#rooms.remove(session);
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
  }

  /**
   * Handles one decoded message. `payload` is whatever followed the event name (validated here);
   * `ack`, when given, receives the answer (the reply's payload, or the error).
   */
  dispatch(session: Session, event: unknown, payload: unknown, ack?: Ack): void {
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
  rejectFrame(session: Session, error: ProtocolError, ack?: Ack): void {
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

  async #waitForToken(session: Session, event: string, payload: unknown, ack?: Ack) {
    try {
      while (!this.#limiter.take(session.id)) {
        if (!this.#rooms.has(session)) return;
        await this.#clock.sleep(Math.max(1, this.#limiter.msUntilToken(session.id)));
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
  #paced(session: Session, event: string, payload: unknown, ack?: Ack): Promise<void> | undefined {
    if (session.bufferedBytes <= this.#reads.highWater) {
      return this.#run(session, event, payload, ack);
    }
    return this.#readerReady(session, false, () => this.#rooms.has(session)).then((ready) => {
      if (ready) return this.#run(session, event, payload, ack);
    });
  }

  #track(session: Session, running: Promise<void>): void {
    this.#tails.set(session.id, running);
    running.finally(() => {
      if (this.#tails.get(session.id) === running) this.#tails.delete(session.id);
    });
  }

  #run(session: Session, event: string, payload: unknown, ack?: Ack): Promise<void> | undefined {
    if (ack) ack = once(ack);
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
    const call: Call = {
      sessionId: session.id,
      transport: session.transport,
      address: session.address,
      worldId: this.#rooms.worldOf(session),
      principal: principalOf(session),
    };
    let result: Outcome | Promise<Outcome>;
    try {
      result = handler(call, body);
    } catch (error) {
      this.#fail(session, event, error, ack);
      return undefined;
    }
    if (result instanceof Promise) {
      return result.then(
        (outcome) => this.#apply(session, event, outcome, ack),
        (error) => this.#fail(session, event, error, ack),
      );
    }
    return this.#apply(session, event, result, ack);
  }

  /** Applies an outcome (see Outcome for the order); a stream's promise is returned. */
  #apply(session: Session, event: string, outcome: Outcome, ack?: Ack): Promise<void> | undefined {
    // A session that closed while its handler awaited joins nothing; the rest still happens (what
    // was stored is published, a queued build still runs).
    const connected = this.#rooms.has(session);
    if (outcome.leave && connected) this.#rooms.leave(session);
    const entered = outcome.enter && connected ? outcome.enter.worldId : undefined;
    if (entered !== undefined) {
      this.#rooms.enter(session, entered, { hold: outcome.stream !== undefined });
    }
    if (outcome.reply) this.#fanout.send(session, outcome.reply);
    const answer = outcome.ack ?? outcome.reply?.payload;
    if (ack && (answer !== undefined || !outcome.stream)) {
      ack(answer ?? {});
      ack = undefined;
    }
    if (outcome.events) {
      for (const { to, message } of outcome.events) this.#bus.publish(to, message);
    }
    outcome.after?.();
    if (!outcome.stream || !connected) return undefined;
    return this.#drain(session, outcome.stream, entered, ack).catch((error) =>
      this.#fail(session, event, error, ack)
    );
  }

  /**
   * Sends a stream's messages to the session; a Pace waits for the reader (closing it if it
   * stopped reading), a Release lets its held world messages go. The hold ends however the stream
   * does.
   */
  async #drain(
    session: Session,
    stream: AsyncIterable<StreamItem>,
    world: string | undefined,
    ack?: Ack,
  ): Promise<void> {
    const wanted = world === undefined
      ? () => this.#rooms.has(session)
      : () => this.#rooms.worldOf(session) === world;
    let released = world === undefined;
    try {
      for await (const item of stream) {
        if (isPace(item)) {
          if (!await this.#readerReady(session, world !== undefined, wanted)) return;
        } else if (isRelease(item)) {
          this.#fanout.sendAll(session, this.#rooms.release(session, item.throughSeq));
          released = true;
        } else {
          this.#fanout.send(session, item);
          ack?.(item.payload);
          ack = undefined;
        }
      }
    } finally {
      if (!released && this.#rooms.has(session)) {
        this.#fanout.sendAll(session, this.#rooms.release(session));
      }
    }
  }

  /**
   * Lets other connections have a turn, then waits until the session has taken most of what was
   * sent. False if it went away or stopped reading (then it is closed as too slow); a syncing
   * joiner with too many world messages waiting is too slow too (a world busier than it can read
   * would otherwise grow them without limit).
   */
  async #readerReady(session: Session, syncing: boolean, wanted: () => boolean) {
    const { highWater, stallMs } = this.#reads;
    const outcome = await readerReady(
      session,
      { highWater, stallMs, yieldFirst: syncing, clock: this.#clock },
      wanted,
    );
    const reason = syncing ? "Too slow: world sync not read" : "Too slow: replies not read";
    if (outcome === "stalled" || (syncing && this.#rooms.heldCount(session) > MAX_HELD_MESSAGES)) {
      session.close(CloseCode.POLICY_VIOLATION, reason);
      return false;
    }
    return outcome === "ready";
  }

  #fail(session: Session, event: string, error: unknown, ack?: Ack): void {
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

  #reject(session: Session, error: ProtocolError, ack?: Ack): void {
    this.#observer?.rejected(error.code);
    const event = error.reply?.event ?? ServerEvent.ERROR;
    const payload = error.reply?.payload ?? { message: error.message, code: error.code };
    ack?.(payload);
    this.#fanout.send(session, message(event, payload));
  }
}

/** Who a session is: what its handshake proved, else the guest that is this connection. */
export function principalOf(session: Session): Principal {
  return session.principal ?? guest(session.id);
}

/** `ack`, answering only the first time (a stream that fails after its first message). */
function once(ack: Ack): Ack {
  let answered = false;
  return (reply) => {
    if (answered) return;
    answered = true;
    ack(reply);
  };
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
