import type { Presence } from "./ports/presence.ts";
import type { OutboundMessage, Session, TransportKind } from "./session.ts";

/** A held world message and the world it was for. */
interface Held {
  message: OutboundMessage;
  world: string | undefined;
}

/**
 * This node's sessions: who is connected, who is in which world, and whose world messages wait
 * (a joiner's, while its sync goes out). Every membership change is reported to Presence.
 */
export class Rooms {
  #presence: Presence;
  #sessions = new Map<string, Session>();
  #worldOf = new Map<string, string>();
  #members = new Map<string, Set<Session>>();
  #held = new Map<Session, { world: string; messages: Held[] }>();
  /**
   * After a release at S, the seq the joiner's sync reached: a world message with seq ≤ S that
   * reaches this node only now (another node committed it before the snapshot but its publish
   * arrived after the release) is not sent again. Forgotten at the first later seq: a world's
   * messages arrive in seq order. Kept per world, so only that world's broadcasts check them.
   */
  #floors = new Map<string, Map<Session, number>>();

  constructor(options: { presence: Presence }) {
    this.#presence = options.presence;
  }

  add(session: Session): void {
    this.#sessions.set(session.id, session);
    this.#presence.connected();
  }

  /** Forgets a session and its membership; returns the world it was in. */
  remove(session: Session): string | undefined {
    if (!this.has(session)) return undefined;
    const left = this.leave(session);
    this.#sessions.delete(session.id);
    this.#held.delete(session);
    this.#presence.disconnected();
    return left;
  }

  /** True while the session is connected (between `add` and `remove`). */
  has(session: Session): boolean {
    return this.#sessions.get(session.id) === session;
  }

  get(sessionId: string): Session | undefined {
    return this.#sessions.get(sessionId);
  }

  get size(): number {
    return this.#sessions.size;
  }

  sessions(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  countByTransport(): Record<TransportKind, number> {
    const counts: Record<TransportKind, number> = { websocket: 0, "socket.io": 0 };
    for (const session of this.#sessions.values()) counts[session.transport]++;
    return counts;
  }

  /**
   * Puts a connected session in a world, leaving its previous one (returned). With `hold`, world
   * messages to it wait (in order) until `release`, while direct messages go out.
   */
  enter(session: Session, worldId: string, options: { hold?: boolean } = {}): string | undefined {
    if (!this.has(session)) return undefined;
    const previous = this.leave(session);
    if (options.hold) this.#held.set(session, { world: worldId, messages: [] });
    this.#worldOf.set(session.id, worldId);
    let members = this.#members.get(worldId);
    if (!members) this.#members.set(worldId, members = new Set());
    members.add(session);
    this.#presence.entered(worldId);
    return previous;
  }

  leave(session: Session): string | undefined {
    const worldId = this.#worldOf.get(session.id);
    this.#held.delete(session);
    if (worldId === undefined) return undefined;
    this.#dropFloor(worldId, session);
    this.#worldOf.delete(session.id);
    const members = this.#members.get(worldId);
    members?.delete(session);
    if (members?.size === 0) this.#members.delete(worldId);
    this.#presence.left(worldId);
    return worldId;
  }

  worldOf(session: Session): string | undefined {
    return this.#worldOf.get(session.id);
  }

  members(worldId: string): ReadonlySet<Session> | undefined {
    return this.#members.get(worldId);
  }

  /** Sessions whose world messages are held now (0 on the fan-out hot path). */
  get holding(): number {
    return this.#held.size;
  }

  /** True if some member's world messages are checked against its sync's seq (see `#floors`). */
  flooredIn(worldId: string): boolean {
    return this.#floors.has(worldId);
  }

  /** True if the session's join sync already carried this world message (see `#floors`). */
  carried(session: Session, message: OutboundMessage, world: string | undefined): boolean {
    if (world === undefined || message.seq === undefined) return false;
    const floor = this.#floors.get(world)?.get(session);
    if (floor === undefined) return false;
    if (message.seq <= floor) return true;
    this.#dropFloor(world, session);
    return false;
  }

  #dropFloor(worldId: string, session: Session): void {
    const floors = this.#floors.get(worldId);
    if (!floors?.delete(session)) return;
    if (floors.size === 0) this.#floors.delete(worldId);
  }

  /** Keeps `message` for `session` if it is held; false if it should be sent now. */
  holdIfHeld(session: Session, message: OutboundMessage, world: string | undefined): boolean {
    const held = this.#held.get(session);
    if (!held) return false;
    held.messages.push({ message, world });
    return true;
  }

  /** Messages waiting for `release` (a bounded backlog is the caller's to enforce). */
  heldCount(session: Session): number {
    return this.#held.get(session)?.messages.length ?? 0;
  }

  /**
   * Stops holding and returns what waited, in order, less the messages of the held world whose
   * `seq` is at most `throughSeq` (the sync carried those).
   */
  release(session: Session, throughSeq = -Infinity): OutboundMessage[] {
    const held = this.#held.get(session);
    if (!held) return [];
    this.#held.delete(session);
    if (Number.isFinite(throughSeq)) {
      let floors = this.#floors.get(held.world);
      if (!floors) this.#floors.set(held.world, floors = new Map());
      floors.set(session, throughSeq);
    }
    return held.messages
      .filter(({ message, world }) =>
        !(world === held.world && message.seq !== undefined && message.seq <= throughSeq)
      )
      .map(({ message }) => message);
  }
}
