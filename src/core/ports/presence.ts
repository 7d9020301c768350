/**
 * Who is connected and how many players each world has, as everyone sees it: one process counts its
 * own sessions (`src/bus/local_presence.ts`); in cluster mode the counts are summed across nodes
 * (issue 17). Reads are synchronous (a cached view): they sit on the path of every world list.
 */
export interface Presence {
  /** Players in the world now. */
  count(worldId: string): number;
  /** Every world with at least one player, with its count. */
  counts(): ReadonlyMap<string, number>;
  /** Open connections. */
  connections(): number;
  /** Calls `listener` with a world whenever its count changes (lists show counts). */
  watch(listener: (worldId: string) => void): void;

  /** This node's changes; Rooms reports every one. */
  connected(): void;
  disconnected(): void;
  entered(worldId: string): void;
  left(worldId: string): void;
}
