import type { Payload } from "../protocol/mod.ts";
import { OutboundMessage, type Session, type TransportKind } from "./session.ts";

/**
 * Who is connected and who is in which world, and delivery to them. The one place that sends, so
 * the Socket.IO acknowledgement of a request can be fed the first reply the request produced.
 */
export class Hub {
  #onDeliver?: (event: string, bytes: number, recipients: number) => void;
  #sessions = new Map<string, Session>();
  #worldOf = new Map<string, string>();
  #members = new Map<string, Set<Session>>();
  #pendingAcks = new Map<string, { ack: (payload: Payload) => void; directOnly: boolean }>();
  /** Sessions whose broadcasts wait (a join's sync is still going out), with what waits. */
  #held = new Map<Session, OutboundMessage[]>();
  #membershipWatchers: ((worldId: string) => void)[] = [];

  /** `onDeliver` sees every message once, with how many sessions it went to (metrics). */
  constructor(
    options: { onDeliver?: (event: string, bytes: number, recipients: number) => void } = {},
  ) {
    if (options.onDeliver) this.#onDeliver = options.onDeliver;
  }

  add(session: Session): void {
    this.#sessions.set(session.id, session);
  }

  /** Forgets a session and its membership; returns the world it was in. */
  remove(session: Session): string | undefined {
    const left = this.leave(session);
    this.#sessions.delete(session.id);
    this.#pendingAcks.delete(session.id);
    this.#held.delete(session);
    return left;
  }

  /**
   * Until `release`, broadcasts to the session wait in order while direct sends go out: a joiner
   * gets its whole sync before any live op, even though the sync spans many event-loop turns.
   */
  hold(session: Session): void {
    if (!this.#held.has(session)) this.#held.set(session, []);
  }

  /** Sends what waited, in order, and stops holding. */
  release(session: Session): void {
    const waiting = this.#held.get(session);
    this.#held.delete(session);
    if (!waiting || !this.#sessions.has(session.id)) return;
    for (const message of waiting) session.send(message);
  }

  /** Messages waiting for `release` (a bounded backlog is the caller's to enforce). */
  heldCount(session: Session): number {
    return this.#held.get(session)?.length ?? 0;
  }

  /** True while the session is connected (between `add` and `remove`). */
  isConnected(session: Session): boolean {
    return this.#sessions.get(session.id) === session;
  }

  /** Calls `watcher` with the world whenever a session joins or leaves it (lists show counts). */
  watchMembership(watcher: (worldId: string) => void): void {
    this.#membershipWatchers.push(watcher);
  }

  get connectionCount(): number {
    return this.#sessions.size;
  }

  countByTransport(): Record<TransportKind, number> {
    const counts: Record<TransportKind, number> = { websocket: 0, "socket.io": 0 };
    for (const session of this.#sessions.values()) counts[session.transport]++;
    return counts;
  }

  sessions(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /** Puts the session in a world, leaving its previous one; returns the previous world. */
  join(session: Session, worldId: string): string | undefined {
    const previous = this.leave(session);
    this.#worldOf.set(session.id, worldId);
    let members = this.#members.get(worldId);
    if (!members) this.#members.set(worldId, members = new Set());
    members.add(session);
    this.#membershipChanged(worldId);
    return previous;
  }

  leave(session: Session): string | undefined {
    const worldId = this.#worldOf.get(session.id);
    if (worldId === undefined) return undefined;
    this.#worldOf.delete(session.id);
    const members = this.#members.get(worldId);
    members?.delete(session);
    if (members?.size === 0) this.#members.delete(worldId);
    this.#membershipChanged(worldId);
    return worldId;
  }

  worldOf(session: Session): string | undefined {
    return this.#worldOf.get(session.id);
  }

  playerCount(worldId: string): number {
    return this.#members.get(worldId)?.size ?? 0;
  }

  /** Every world with at least one member, with its player count. */
  *populatedWorlds(): IterableIterator<[worldId: string, players: number]> {
    for (const [worldId, members] of this.#members) yield [worldId, members.size];
  }

  send(session: Session, event: string, payload: Payload): void {
    this.sendMessage(session, new OutboundMessage(event, payload));
  }

  /** Sends a prepared message (one that many sessions get in turn is encoded once). */
  sendMessage(session: Session, message: OutboundMessage): void {
    this.#deliver(session, message, true);
    this.#onDeliver?.(message.event, message.frameBytes, 1);
  }

  /** Sends to every member of a world, the sender included. */
  toWorld(worldId: string, event: string, payload: Payload): void {
    this.toWorldMessage(worldId, new OutboundMessage(event, payload));
  }

  toWorldMessage(worldId: string, message: OutboundMessage): void {
    const members = this.#members.get(worldId);
    if (members) this.#broadcast(members, message);
  }

  toAll(event: string, payload: Payload): void {
    this.#broadcast(this.#sessions.values(), new OutboundMessage(event, payload));
  }

  /**
   * Feeds the session's pending acknowledgement (if a request awaits one) without sending it
   * anything: the reply to a request whose effect the session already received another way.
   */
  acknowledge(session: Session, payload: Payload): void {
    const pending = this.#pendingAcks.get(session.id);
    if (!pending) return;
    this.#pendingAcks.delete(session.id);
    pending.ack(payload);
  }

  /** Routes the next message delivered to `session` into `ack` as well (Socket.IO acknowledgements). */
  captureFirstReply(session: Session, ack: (payload: Payload) => void): void {
    this.#pendingAcks.set(session.id, { ack, directOnly: false });
  }

  /** From now on only messages sent to the session itself (not broadcasts) feed its pending ack. */
  narrowCapture(session: Session): void {
    const pending = this.#pendingAcks.get(session.id);
    if (pending) pending.directOnly = true;
  }

  /** Stops capturing; returns the ack if no reply reached it. */
  releaseCapture(session: Session): ((payload: Payload) => void) | undefined {
    const pending = this.#pendingAcks.get(session.id);
    this.#pendingAcks.delete(session.id);
    return pending?.ack;
  }

  #membershipChanged(worldId: string): void {
    for (const watcher of this.#membershipWatchers) watcher(worldId);
  }

  /** The per-member loop is the fan-out hot path: no ack lookups while no request awaits one. */
  #broadcast(sessions: Iterable<Session>, message: OutboundMessage): void {
    let recipients = 0;
    if (this.#pendingAcks.size === 0 && this.#held.size === 0) {
      for (const session of sessions) {
        session.send(message);
        recipients++;
      }
    } else {
      for (const session of sessions) {
        this.#deliver(session, message, false);
        recipients++;
      }
    }
    if (recipients > 0) this.#onDeliver?.(message.event, message.frameBytes, recipients);
  }

  #deliver(session: Session, message: OutboundMessage, direct: boolean): void {
    const held = direct ? undefined : this.#held.get(session);
    if (held) {
      held.push(message);
      return;
    }
    const pending = this.#pendingAcks.get(session.id);
    if (pending && (direct || !pending.directOnly)) {
      this.#pendingAcks.delete(session.id);
      pending.ack(message.payload);
    }
    session.send(message);
  }
}
