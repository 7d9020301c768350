import type { BusSubscriber, Target } from "./ports/bus.ts";
import type { Rooms } from "./rooms.ts";
import type { OutboundMessage, Session } from "./session.ts";

/**
 * Hands messages to this node's sessions: the Bus's deliveries (to a world, to everyone, to one
 * session) and the Dispatcher's replies. The per-member loop is the fan-out hot path: each message
 * is encoded once per transport (OutboundMessage.encodedFor), and no per-member lookup runs while
 * no joiner's messages are held.
 */
export class LocalFanout implements BusSubscriber {
  #rooms: Rooms;
  #onDeliver?: (event: string, bytes: number, recipients: number) => void;

  /** `onDeliver` sees every message once, with how many sessions it went to (metrics). */
  constructor(options: {
    rooms: Rooms;
    onDeliver?: (event: string, bytes: number, recipients: number) => void;
  }) {
    this.#rooms = options.rooms;
    if (options.onDeliver) this.#onDeliver = options.onDeliver;
  }

  deliver(target: Target, message: OutboundMessage): void {
    if ("world" in target) {
      const members = this.#rooms.members(target.world);
      if (members) this.#broadcast(members, message, target.world);
    } else if ("session" in target) {
      const session = this.#rooms.get(target.session);
      if (session) this.send(session, message);
    } else {
      this.#broadcast(this.#rooms.sessions(), message, undefined);
    }
  }

  /** Sends to one session now, held or not (replies, a joiner's sync). */
  send(session: Session, message: OutboundMessage): void {
    session.send(message);
    this.#onDeliver?.(message.event, message.frameBytes, 1);
  }

  /**
   * Sends what a joiner's hold kept back (see Rooms.release); they were counted when they were
   * broadcast.
   */
  sendAll(session: Session, messages: readonly OutboundMessage[]): void {
    for (const message of messages) session.send(message);
  }

  #broadcast(sessions: Iterable<Session>, message: OutboundMessage, world: string | undefined) {
    let recipients = 0;
    // Only a message with a seq, to a world where a joiner's floor is kept, can have been carried.
    const floored = world !== undefined && message.seq !== undefined &&
      this.#rooms.flooredIn(world);
    if (this.#rooms.holding === 0 && !floored) {
      for (const session of sessions) {
        session.send(message);
        recipients++;
      }
    } else {
      for (const session of sessions) {
        if (this.#rooms.carried(session, message, world)) continue;
        if (!this.#rooms.holdIfHeld(session, message, world)) session.send(message);
        recipients++;
      }
    }
    if (recipients > 0) this.#onDeliver?.(message.event, message.frameBytes, recipients);
  }
}
