/**
 * Which connections an operator action is about. Plain data: in cluster mode it travels to every
 * node as JSON, and each node matches it against its own sessions.
 * - `session`: one connection, by id.
 * - `principal`: every connection of a player (or other principal), by id.
 * - `address`: every connection from an address or CIDR range (as `formatRange` writes it).
 */
export type ConnectionSelector =
  | { session: string }
  | { principal: string }
  | { address: string };

/** One connection as the operator API lists it (`node_id` only in cluster mode). */
export interface ConnectionSummary {
  session_id: string;
  transport: string;
  address: string;
  principal: { kind: string; id: string; name?: string };
  world_id: string | null;
  connected_at: string | null;
  node_id?: string;
}

/**
 * Operator control over connections wherever they are connected: in one process this node's
 * sessions (`src/bus/local_connection_control.ts`), in cluster mode every node's
 * (`src/bus/redis/redis_connection_control.ts`, over a Redis control channel).
 *
 * `close` and `leaveWorld` act on this node's sessions before they resolve and are sent to every
 * other node; they resolve once the order is handed to Redis (they reject if it could not be, so
 * the operator knows other nodes were not told). `list` answers every live node's connections.
 */
export interface ConnectionControl {
  /** Closes every matching connection with this WebSocket close code and reason. */
  close(selector: ConnectionSelector, code: number, reason: string): Promise<void>;
  /** The world was deleted: its members leave it and each is told `world_left`. */
  leaveWorld(worldId: string): Promise<void>;
  /** Bans were added or lifted: every node's next ban check reads them again (no cached answer). */
  bansChanged(): Promise<void>;
  /** Every live node's connections (this node's as they are now, others' as last published). */
  list(): Promise<ConnectionSummary[]>;
}
