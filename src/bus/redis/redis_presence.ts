import type { Presence } from "../../core/ports/presence.ts";
import type { RedisClient } from "./redis_client.ts";

const NODES_KEY = "ugc:presence:nodes";
const nodeKey = (nodeId: string) => `ugc:presence:node:${nodeId}`;

interface NodeCounts {
  connections: number;
  worlds: Record<string, number>;
}

/**
 * Presence across nodes. Each node counts its own sessions in memory (reads stay synchronous) and
 * every `heartbeatMs` writes them to Redis under a key that expires after `ttlMs`, then reads every
 * other node's. The counts it answers are its own plus the others' last-read ones, so a node that
 * dies (its key expires) drops out of every count within `ttlMs + heartbeatMs`. A local change is
 * written within a few milliseconds; others see it at their next read. While Redis is unreachable
 * the other nodes' counts are kept until they are `ttlMs` old, then dropped.
 */
export class RedisPresence implements Presence {
  #client: RedisClient;
  #nodeId: string;
  #heartbeatMs: number;
  #ttlMs: number;
  #local = new Map<string, number>();
  #localConnections = 0;
  #remote = new Map<string, number>();
  #remoteConnections = 0;
  #remoteReadAt = 0;
  #merged: Map<string, number> | undefined;
  #watchers: ((worldId: string) => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #pushSoon: ReturnType<typeof setTimeout> | undefined;
  #onError: (error: unknown) => void;
  #beating: Promise<void> = Promise.resolve();
  #onEntered: (worldId: string) => void;
  #onEmptied: (worldId: string) => void;

  constructor(options: {
    client: RedisClient;
    nodeId: string;
    heartbeatMs: number;
    ttlMs: number;
    onError: (error: unknown) => void;
    /** This node's first member of a world entered / its last one left (the bus tracks it). */
    onEntered?: (worldId: string) => void;
    onEmptied?: (worldId: string) => void;
  }) {
    this.#client = options.client;
    this.#nodeId = options.nodeId;
    this.#heartbeatMs = options.heartbeatMs;
    this.#ttlMs = options.ttlMs;
    this.#onError = options.onError;
    this.#onEntered = options.onEntered ?? (() => {});
    this.#onEmptied = options.onEmptied ?? (() => {});
  }

  /** First heartbeat (the other nodes' counts are known when it resolves), then every heartbeatMs. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beating = this.#beat();
    }, this.#heartbeatMs);
  }

  /** Stops the heartbeat and removes this node's counts (a clean shutdown; a crash just expires). */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pushSoon) clearTimeout(this.#pushSoon);
    await this.#beating;
    await this.#client.multi().del(nodeKey(this.#nodeId)).sRem(NODES_KEY, this.#nodeId).exec()
      .catch(() => {});
  }

  count(worldId: string): number {
    return (this.#local.get(worldId) ?? 0) + (this.#remote.get(worldId) ?? 0);
  }

  counts(): ReadonlyMap<string, number> {
    if (this.#merged) return this.#merged;
    const merged = new Map(this.#remote);
    for (const [worldId, count] of this.#local) {
      merged.set(worldId, (merged.get(worldId) ?? 0) + count);
    }
    return this.#merged = merged;
  }

  connections(): number {
    return this.#localConnections + this.#remoteConnections;
  }

  watch(listener: (worldId: string) => void): void {
    this.#watchers.push(listener);
  }

  connected(): void {
    this.#localConnections++;
    this.#schedulePush();
  }

  disconnected(): void {
    this.#localConnections--;
    this.#schedulePush();
  }

  entered(worldId: string): void {
    const count = (this.#local.get(worldId) ?? 0) + 1;
    this.#local.set(worldId, count);
    if (count === 1) this.#onEntered(worldId);
    this.#changed(worldId);
  }

  left(worldId: string): void {
    const count = (this.#local.get(worldId) ?? 0) - 1;
    if (count > 0) this.#local.set(worldId, count);
    else {
      this.#local.delete(worldId);
      this.#onEmptied(worldId);
    }
    this.#changed(worldId);
  }

  #changed(worldId: string): void {
    this.#merged = undefined;
    this.#schedulePush();
    for (const watcher of this.#watchers) watcher(worldId);
  }

  #schedulePush(): void {
    this.#pushSoon ??= setTimeout(() => {
      this.#pushSoon = undefined;
      this.#push().catch(this.#onError);
    }, 20);
  }

  async #push(): Promise<void> {
    const counts: NodeCounts = {
      connections: this.#localConnections,
      worlds: Object.fromEntries(this.#local),
    };
    await this.#client.multi()
      .set(nodeKey(this.#nodeId), JSON.stringify(counts), { PX: this.#ttlMs })
      .sAdd(NODES_KEY, this.#nodeId)
      .exec();
  }

  async #beat(): Promise<void> {
    try {
      await this.#push();
      const nodes = (await this.#client.sMembers(NODES_KEY)).filter((id) => id !== this.#nodeId);
      const values = nodes.length > 0 ? await this.#client.mGet(nodes.map(nodeKey)) : [];
      const remote = new Map<string, number>();
      let connections = 0;
      const gone: string[] = [];
      values.forEach((value, i) => {
        if (value === null) {
          gone.push(nodes[i]!); // its key expired: that node stopped beating
          return;
        }
        const counts = JSON.parse(value) as NodeCounts;
        connections += counts.connections;
        for (const [worldId, count] of Object.entries(counts.worlds)) {
          remote.set(worldId, (remote.get(worldId) ?? 0) + count);
        }
      });
      if (gone.length > 0) await this.#client.sRem(NODES_KEY, gone);
      this.#remoteReadAt = Date.now();
      this.#applyRemote(remote, connections);
    } catch (error) {
      this.#onError(error);
      if (Date.now() - this.#remoteReadAt > this.#ttlMs) this.#applyRemote(new Map(), 0);
    }
  }

  #applyRemote(remote: Map<string, number>, connections: number): void {
    const changed: string[] = [];
    for (const [worldId, count] of remote) {
      if (this.#remote.get(worldId) !== count) changed.push(worldId);
    }
    for (const worldId of this.#remote.keys()) if (!remote.has(worldId)) changed.push(worldId);
    this.#remote = remote;
    this.#remoteConnections = connections;
    if (changed.length === 0) return;
    this.#merged = undefined;
    for (const worldId of changed) for (const watcher of this.#watchers) watcher(worldId);
  }
}
