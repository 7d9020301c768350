import type { Limits } from "../limits.ts";
import { ErrorCode, ProtocolError, ServerEvent, type WorldView } from "../../protocol/mod.ts";
import { Coalescer } from "../coalescer.ts";
import type { Bus } from "../ports/bus.ts";
import type { Cancel, Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { Presence } from "../ports/presence.ts";
import type { WorldPageKey, WorldRecord, WorldStore } from "../ports/world_store.ts";
import { OutboundMessage } from "../session.ts";
import { ENVELOPE_RESERVE, fitPrefix } from "./fit.ts";

/** How long activity (ops, joins) may wait in memory before it is written, in one transaction. */
const ACTIVITY_FLUSH_MS = 5000;
/** The smallest a world can be in a list (every text empty): bounds how many can fit one frame. */
const MIN_VIEW_BYTES = JSON.stringify({
  world_id: "",
  name: "",
  description: "",
  created_by: "",
  player_count: 0,
  created_at: "",
  updated_at: "",
}).length + 1;
/** `GET /api/worlds` page size when `?limit=` is not given. */
const DEFAULT_PAGE = 100;

/**
 * The world list as clients see it. The unmodified client shows only the first frame of
 * `world.list_result` / `world.list_updated`, so that frame is ordered by what matters: worlds with
 * players first (most players first, then most recently active), then the most recently active
 * (last op or join; creating a world is not activity, so a flood of new empty worlds sorts below
 * every world that was ever used), then never-used worlds, newest first. Costs do not grow with the
 * number of worlds: the populated worlds are in memory, the rest comes from one indexed query that
 * is repeated only when a world is created or emptied, the frame is rebuilt only when a world is
 * created, joined or left (ops alone reorder worlds with equal player counts at the next rebuild),
 * and `world.list_updated` goes out at most once per interval (through the Bus, to everyone).
 */
export class WorldList {
  #worlds: WorldStore;
  #presence: Presence;
  #clock: Clock;
  #log: Logger;
  #limits: Pick<Limits, "maxOutboundBytes" | "worldsPageMax">;
  #updates: Coalescer;
  #frame: { worlds: WorldView[]; result?: OutboundMessage } | undefined;
  /** Bumped by every change that invalidates the frame: a frame built across one is not kept. */
  #version = 0;
  /** Bumped whenever the idle part must be read again: a read that spans one is not kept. */
  #idleVersion = 0;
  /** The frame being built, shared by everyone who asks meanwhile. */
  #building: { version: number; worlds: Promise<WorldView[]> } | undefined;
  /** Worlds without players (some may have gained one since), by activity; from the database. */
  #idle: { records: WorldRecord[]; complete: boolean } | undefined;
  /** Worlds that have players, with their last activity (ms): ordered without a query. */
  #populated = new Map<string, { record: WorldRecord; lastActive: number }>();
  /** Activity not yet written to the database. */
  #unwritten = new Map<string, number>();
  #flushTimer: Cancel | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #announce: (() => void) | undefined;

  constructor(options: {
    worlds: WorldStore;
    bus: Bus;
    presence: Presence;
    clock: Clock;
    log: Logger;
    limits: Pick<Limits, "maxOutboundBytes" | "worldsPageMax" | "worldListUpdateMs">;
    /** Told when this node changes the set of worlds (cluster mode tells the other nodes). */
    announce?: () => void;
  }) {
    this.#announce = options.announce;
    this.#worlds = options.worlds;
    this.#presence = options.presence;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#limits = options.limits;
    const bus = options.bus;
    this.#updates = new Coalescer({
      run: () => {
        this.frame().then(
          (worlds) =>
            bus.publish(
              { all: true },
              new OutboundMessage(ServerEvent.WORLD_LIST_UPDATED, { worlds }),
            ),
          (error) => this.#log.error("could not build the world list", { error }),
        );
      },
      intervalMs: options.limits.worldListUpdateMs,
      clock: options.clock,
    });
    this.#presence.watch((worldId) => {
      this.#invalidate();
      if (this.#presence.count(worldId) === 0 && this.#populated.delete(worldId)) {
        this.#forgetIdle(); // it is idle now, at the top of the idle part
      }
    });
  }

  /** A world was created (or removed): everyone gets the new list, coalesced. */
  changed(): void {
    this.refresh();
    this.#announce?.();
  }

  /**
   * The set of worlds changed elsewhere (another node created one): this node's sessions get the
   * new list, coalesced. Unlike `changed`, nothing is announced.
   */
  refresh(): void {
    this.#invalidate();
    this.#forgetIdle();
    this.#updates.poke();
  }

  /** A session joined the world (Presence counts it already): that is activity. */
  joined(record: WorldRecord): void {
    this.#populated.set(record.world_id, { record, lastActive: 0 });
    this.active(record.world_id);
  }

  /** Something happened in the world (an op, a join, a clear). */
  active(worldId: string): void {
    const now = this.#clock.now();
    const populated = this.#populated.get(worldId);
    if (populated) populated.lastActive = now;
    this.#unwritten.set(worldId, now);
    this.#flushTimer ??= this.#clock.after(ACTIVITY_FLUSH_MS, () => {
      this.flush().catch((error) =>
        this.#log.warn("could not record world activity yet", { error })
      );
    });
  }

  /** `world.list_result`, one prepared message shared until the list changes. */
  async listMessage(): Promise<OutboundMessage> {
    const version = this.#version;
    const worlds = await this.frame();
    const cached = this.#frame;
    if (!cached || cached.worlds !== worlds || version !== this.#version) {
      return new OutboundMessage(ServerEvent.WORLD_LIST_RESULT, { worlds });
    }
    return cached.result ??= new OutboundMessage(ServerEvent.WORLD_LIST_RESULT, { worlds });
  }

  /** The worlds that fit one frame, in list order (see the class comment). */
  frame(): Promise<WorldView[]> {
    if (this.#frame) return Promise.resolve(this.#frame.worlds);
    // A build that started before the last change may miss it: start another.
    if (this.#building?.version !== this.#version) {
      const building = {
        version: this.#version,
        worlds: this.#build().finally(() => {
          if (this.#building === building) this.#building = undefined;
        }),
      };
      this.#building = building;
    }
    return this.#building.worlds;
  }

  async #build(): Promise<WorldView[]> {
    const version = this.#version;
    const capacity = Math.ceil((this.#limits.maxOutboundBytes - ENVELOPE_RESERVE) / MIN_VIEW_BYTES);
    const populated = [...this.#presence.counts()]
      .sort((a, b) => b[1] - a[1] || this.#lastActive(b[0]) - this.#lastActive(a[0]))
      .slice(0, capacity);
    const records: WorldRecord[] = [];
    for (const [worldId] of populated) {
      const record = this.#populated.get(worldId)?.record ?? await this.#worlds.get(worldId);
      if (record) records.push(record);
    }
    let idle = await this.#idleRecords(capacity);
    // Worlds that gained players since the idle part was read are listed above: skip them, and
    // read further if that left too few.
    const skipped = idle.records.filter((record) => this.#presence.count(record.world_id) > 0);
    if (!idle.complete && idle.records.length - skipped.length < capacity - records.length) {
      this.#forgetIdle();
      idle = await this.#idleRecords(capacity + this.#populated.size);
    }
    for (const record of idle.records) {
      if (records.length >= capacity) break;
      if (this.#presence.count(record.world_id) === 0) records.push(record);
    }
    const worlds = fitPrefix(
      records.map((record) => this.view(record)),
      this.#limits.maxOutboundBytes,
    );
    // Built across a change (a join, a create): correct for this caller, rebuilt for the next.
    if (version === this.#version) this.#frame = { worlds };
    return worlds;
  }

  /**
   * One page of every world, newest first, for `GET /api/worlds?limit=&cursor=`: a stable order
   * (creation time, then id), so paging never skips or repeats a world while others are created.
   */
  async page(limitParam: string | null, cursorParam: string | null): Promise<{
    worlds: WorldView[];
    next_cursor: string;
  }> {
    const max = this.#limits.worldsPageMax;
    let limit = Math.min(DEFAULT_PAGE, max);
    if (limitParam !== null) {
      if (!/^\d{1,6}$/.test(limitParam) || Number(limitParam) < 1 || Number(limitParam) > max) {
        throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, `limit must be 1 to ${max}`);
      }
      limit = Number(limitParam);
    }
    const after = cursorParam === null || cursorParam === ""
      ? undefined
      : decodeCursor(cursorParam);
    // One more than asked tells whether there is a next page.
    const records = await this.#worlds.page(limit + 1, after);
    const worlds = records.slice(0, limit).map((record) => this.view(record));
    const last = records.length > limit ? records[limit - 1]! : undefined;
    return {
      worlds,
      next_cursor: last ? encodeCursor({ createdAt: last.created_at, worldId: last.world_id }) : "",
    };
  }

  view(record: WorldRecord): WorldView {
    return {
      world_id: record.world_id,
      name: record.name,
      description: record.description,
      created_by: record.created_by,
      player_count: this.#presence.count(record.world_id),
      created_at: record.created_at,
      updated_at: record.updated_at,
    };
  }

  /** Writes pending activity, all or none (one write at a time). */
  flush(): Promise<void> {
    this.#flushTimer?.();
    this.#flushTimer = undefined;
    if (this.#unwritten.size === 0) return this.#flushing;
    const entries = [...this.#unwritten].map(([worldId, at]): [string, string] => [
      worldId,
      new Date(at).toISOString(),
    ]);
    this.#unwritten.clear();
    const write = this.#flushing.then(() => this.#worlds.recordActivity(entries));
    this.#flushing = write.catch(() => {});
    return write;
  }

  /** Writes what is pending and stops the timers (shutdown). */
  async close(): Promise<void> {
    this.#updates.close();
    await this.flush();
  }

  #lastActive(worldId: string): number {
    return this.#populated.get(worldId)?.lastActive ?? 0;
  }

  #invalidate(): void {
    this.#frame = undefined;
    this.#version++;
  }

  #forgetIdle(): void {
    this.#idle = undefined;
    this.#idleVersion++;
  }

  /** The idle part's first `limit` worlds (what is in memory, if it has that many). */
  async #idleRecords(limit: number): Promise<{ records: WorldRecord[]; complete: boolean }> {
    if (this.#idle && (this.#idle.complete || this.#idle.records.length >= limit)) {
      return this.#idle;
    }
    const version = this.#idleVersion;
    await this.flush(); // the order comes from the database: it must have every last activity
    const records = await this.#worlds.byActivity(limit);
    const idle = { records, complete: records.length < limit };
    if (version === this.#idleVersion) this.#idle = idle; // not if a world was created meanwhile
    return idle;
  }
}

/** An opaque page cursor: the sort key of the last world of a page, base64url-encoded JSON. */
function encodeCursor(key: WorldPageKey): string {
  const bytes = new TextEncoder().encode(JSON.stringify([key.createdAt, key.worldId]));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string): WorldPageKey {
  const invalid = () => new ProtocolError(ErrorCode.INVALID_PAYLOAD, "cursor is not valid");
  if (cursor.length > 400 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let key: unknown;
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    key = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.from(binary, (c) => c.charCodeAt(0)),
      ),
    );
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(key) || key.length !== 2 || typeof key[0] !== "string" ||
    typeof key[1] !== "string"
  ) {
    throw invalid();
  }
  return { createdAt: key[0], worldId: key[1] };
}
