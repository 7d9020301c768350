import type { Presence } from "../core/ports/presence.ts";

/** Presence of a single process: the counts are this node's own. */
export class LocalPresence implements Presence {
  #counts = new Map<string, number>();
  #connections = 0;
  #watchers: ((worldId: string) => void)[] = [];

  count(worldId: string): number {
    return this.#counts.get(worldId) ?? 0;
  }

  counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  connections(): number {
    return this.#connections;
  }

  watch(listener: (worldId: string) => void): void {
    this.#watchers.push(listener);
  }

  connected(): void {
    this.#connections++;
  }

  disconnected(): void {
    this.#connections--;
  }

  entered(worldId: string): void {
    this.#counts.set(worldId, this.count(worldId) + 1);
    this.#changed(worldId);
  }

  left(worldId: string): void {
    const count = this.count(worldId) - 1;
    if (count > 0) this.#counts.set(worldId, count);
    else this.#counts.delete(worldId);
    this.#changed(worldId);
  }

  #changed(worldId: string): void {
    for (const watcher of this.#watchers) watcher(worldId);
  }
}
