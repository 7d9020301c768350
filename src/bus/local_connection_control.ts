import { principalOf } from "../core/dispatcher.ts";
import { inRange, parseRange } from "../core/identity/cidr.ts";
import type { Principal } from "../core/identity/principal.ts";
import { message } from "../core/outcome.ts";
import type {
  ConnectionControl,
  ConnectionSelector,
  ConnectionSummary,
} from "../core/ports/connection_control.ts";
import type { Rooms } from "../core/rooms.ts";
import type { OutboundMessage, Session } from "../core/session.ts";
import { ServerEvent } from "../protocol/mod.ts";

/**
 * Connection control over this node's sessions only: the whole story in one process, and what every
 * cluster node applies when an order reaches it (RedisConnectionControl).
 */
export class LocalConnectionControl implements ConnectionControl {
  #rooms: () => Rooms;
  #deliver: (sessionId: string, message: OutboundMessage) => void;
  #onBansChanged: () => void;

  constructor(options: {
    /** This node's sessions (a function: the registry is built after the bus). */
    rooms: () => Rooms;
    /** Hands a message to one of this node's sessions. */
    deliver: (sessionId: string, message: OutboundMessage) => void;
    /** Forgets this node's cached bans. */
    onBansChanged: () => void;
  }) {
    this.#rooms = options.rooms;
    this.#deliver = options.deliver;
    this.#onBansChanged = options.onBansChanged;
  }

  close(selector: ConnectionSelector, code: number, reason: string): Promise<void> {
    this.closeHere(selector, code, reason);
    return Promise.resolve();
  }

  leaveWorld(worldId: string): Promise<void> {
    this.leaveWorldHere(worldId);
    return Promise.resolve();
  }

  bansChanged(): Promise<void> {
    this.bansChangedHere();
    return Promise.resolve();
  }

  list(): Promise<ConnectionSummary[]> {
    return Promise.resolve(this.summaries());
  }

  bansChangedHere(): void {
    this.#onBansChanged();
  }

  /** Closes this node's matching sessions; answers how many. */
  closeHere(selector: ConnectionSelector, code: number, reason: string): number {
    const matches = matcher(selector);
    let closed = 0;
    for (const session of [...this.#rooms().sessions()]) {
      if (matches(principalOf(session), session)) {
        session.close(code, reason);
        closed++;
      }
    }
    return closed;
  }

  /** This node's members of the world leave it; each hears so as a leave, as the client expects. */
  leaveWorldHere(worldId: string): void {
    const rooms = this.#rooms();
    for (const member of [...rooms.members(worldId) ?? []]) {
      rooms.leave(member);
      this.#deliver(member.id, message(ServerEvent.WORLD_LEFT, { left_world_id: worldId }));
    }
  }

  /** This node's sessions as the operator API lists them. */
  summaries(limit = Infinity): ConnectionSummary[] {
    const rooms = this.#rooms();
    const out: ConnectionSummary[] = [];
    for (const session of rooms.sessions()) {
      if (out.length >= limit) break;
      out.push({
        session_id: session.id,
        transport: session.transport,
        address: session.address,
        principal: principalView(principalOf(session)),
        world_id: rooms.worldOf(session) ?? null,
        connected_at: session.connectedAt === undefined
          ? null
          : new Date(session.connectedAt).toISOString(),
      });
    }
    return out;
  }
}

/** Whether a session matches a selector (an address selector that does not parse matches none). */
function matcher(
  selector: ConnectionSelector,
): (principal: Principal, session: Session) => boolean {
  if ("session" in selector) return (_, session) => session.id === selector.session;
  if ("principal" in selector) return (principal) => principal.id === selector.principal;
  const range = parseRange(selector.address);
  return range === undefined ? () => false : (_, session) => inRange(session.address, range);
}

function principalView(principal: Principal): ConnectionSummary["principal"] {
  return principal.kind === "player"
    ? { kind: principal.kind, id: principal.id, name: principal.name }
    : { kind: principal.kind, id: principal.id };
}
