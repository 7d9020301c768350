import type { OutboundMessage } from "../session.ts";

/** Who a message is for: the members of a world, every connection, or one connection (by id). */
export type Target = { world: string } | { all: true } | { session: string };

/**
 * Delivers prepared messages to connections wherever they are connected: in one process straight
 * to this node's sessions (`src/bus/local_bus.ts`), in cluster mode to every node (issue 17).
 * `publish` is fire-and-forget: it never blocks or fails the request that published (an
 * acknowledged op is already stored). Messages to one world arrive in publish order; a bus that can
 * reorder them delivers `seq`-carrying messages in seq order (filling gaps from the WorldStore).
 */
export interface Bus {
  publish(target: Target, message: OutboundMessage): void;
}

/** What receives the bus's messages on a node and hands them to its sessions (LocalFanout). */
export interface BusSubscriber {
  deliver(target: Target, message: OutboundMessage): void;
}
