import type { Limits } from "../../config.ts";
import { ErrorCode, ProtocolError, ServerEvent, type WorldView } from "../../protocol/mod.ts";
import type { WorldPageKey, WorldRecord, WorldRepo } from "../../storage/world_repo.ts";
import { Coalescer } from "../coalescer.ts";
import type { Hub } from "../hub.ts";
import type { Clock } from "../rate_limiter.ts";
import { OutboundMessage, type Session } from "../session.ts";
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
 * and `world.list_updated` goes out at most once per interval.
 */
export class WorldList {
  #repo: WorldRepo;
  #hub: Hub;
  #clock: Clock;
  #limits: Pick<Limits, "maxOutboundBytes" | "worldsPageMax">;
  #updates: Coalescer;
  #frame: { worlds: WorldView[]; result?: OutboundMessage } | undefined;
  /** Worlds without players (some may have gained one since), by activity; from the database. */
  #idle: { records: WorldRecord[]; complete: boolean } | undefined;
  /** Worlds that have players, with their last activity (ms): ordered without a query. */
  #populated = new Map<string, { record: WorldRecord; lastActive: number }>();
  /** Activity not yet written to the database. */
  #unwritten = new Map<string, number>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: {
    repo: WorldRepo;
    hub: Hub;
    clock: Clock;
    limits: Pick<Limits, "maxOutboundBytes" | "worldsPageMax" | "worldListUpdateMs">;
  }) {
    this.#repo = options.repo;
    this.#hub = options.hub;
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#updates = new Coalescer({
      run: () => this.#hub.toAll(ServerEvent.WORLD_LIST_UPDATED, { worlds: this.frame() }),
      intervalMs: options.limits.worldListUpdateMs,
      clock: options.clock,
    });
    this.#hub.watchMembership((worldId) => {
      this.#frame = undefined;
      if (this.#hub.playerCount(worldId) === 0 && this.#populated.delete(worldId)) {
        this.#idle = undefined; // it is idle now, at the top of the idle part
      }
    });
  }

  /** A world was created (or removed): everyone gets the new list, coalesced. */
  changed(): void {
    this.#frame = undefined;
    this.#idle = undefined;
    this.#updates.poke();
  }

  /** A session joined the world (it is in the hub's membership already): that is activity. */
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
    this.#flushTimer ??= setTimeout(() => this.flush(), ACTIVITY_FLUSH_MS);
  }

  sendTo(session: Session): void {
    this.frame();
    const cached = this.#frame!;
    cached.result ??= new OutboundMessage(ServerEvent.WORLD_LIST_RESULT, {
      worlds: cached.worlds,
    });
    this.#hub.sendMessage(session, cached.result);
  }

  /** The worlds that fit one frame, in list order (see the class comment). */
  frame(): WorldView[] {
    if (this.#frame) return this.#frame.worlds;
    const capacity = Math.ceil((this.#limits.maxOutboundBytes - ENVELOPE_RESERVE) / MIN_VIEW_BYTES);
    const populated = [...this.#hub.populatedWorlds()]
      .sort((a, b) => b[1] - a[1] || this.#lastActive(b[0]) - this.#lastActive(a[0]))
      .slice(0, capacity);
    const records: WorldRecord[] = [];
    for (const [worldId] of populated) {
      const record = this.#populated.get(worldId)?.record ?? this.#repo.get(worldId);
      if (record) records.push(record);
    }
    let idle = this.#idleRecords(capacity);
    // Worlds that gained players since the idle part was read are listed above: skip them, and
    // read further if that left too few.
    const skipped = idle.records.filter((record) => this.#hub.playerCount(record.world_id) > 0);
    if (!idle.complete && idle.records.length - skipped.length < capacity - records.length) {
      this.#idle = undefined;
      idle = this.#idleRecords(capacity + this.#populated.size);
    }
    for (const record of idle.records) {
      if (records.length >= capacity) break;
      if (this.#hub.playerCount(record.world_id) === 0) records.push(record);
    }
    const worlds = fitPrefix(
      records.map((record) => this.view(record)),
      this.#limits.maxOutboundBytes,
    );
    this.#frame = { worlds };
    return worlds;
  }

  /**
   * One page of every world, newest first, for `GET /api/worlds?limit=&cursor=`: a stable order
   * (creation time, then id), so paging never skips or repeats a world while others are created.
   */
  page(limitParam: string | null, cursorParam: string | null): {
    worlds: WorldView[];
    next_cursor: string;
  } {
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
    const records = this.#repo.page(limit + 1, after);
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
      player_count: this.#hub.playerCount(record.world_id),
      created_at: record.created_at,
      updated_at: record.updated_at,
    };
  }

  /** Writes pending activity in one transaction. */
  flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#unwritten.size === 0) return;
    const entries = [...this.#unwritten].map(([worldId, at]): [string, string] => [
      worldId,
      new Date(at).toISOString(),
    ]);
    this.#unwritten.clear();
    this.#repo.recordActivity(entries);
  }

  /** Writes what is pending and stops the timers (shutdown). */
  close(): void {
    this.#updates.close();
    this.flush();
  }

  #lastActive(worldId: string): number {
    return this.#populated.get(worldId)?.lastActive ?? 0;
  }

  /** The idle part's first `limit` worlds (what is in memory, if it has that many). */
  #idleRecords(limit: number): { records: WorldRecord[]; complete: boolean } {
    if (this.#idle && (this.#idle.complete || this.#idle.records.length >= limit)) {
      return this.#idle;
    }
    this.flush(); // the order comes from the database: it must have every last activity
    const records = this.#repo.byActivity(limit);
    return this.#idle = { records, complete: records.length < limit };
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
