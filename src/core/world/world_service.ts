import type { Limits } from "../../config.ts";
import {
  CloseCode,
  codePointLength,
  ErrorCode,
  hasControlCharacters,
  optionalString,
  type Payload,
  ProtocolError,
  requiredString,
  ServerEvent,
} from "../../protocol/mod.ts";
import type { SyncPlan, WorldRecord, WorldRepo } from "../../storage/world_repo.ts";
import type { Hub } from "../hub.ts";
import { clip, randomHex } from "../ids.ts";
import { opCharge, worldCharge } from "../quota/charges.ts";
import { type StorageGate, UNGATED } from "../quota/storage_gate.ts";
import { highWaterFor, readerReady } from "../pacing.ts";
import { type Clock, RateLimiter } from "../rate_limiter.ts";
import type { Session } from "../session.ts";
import { ENVELOPE_RESERVE } from "./fit.ts";
import { OpDeduper } from "./op_dedupe.ts";
import { parseVoxelRequest, rejected } from "./voxel_ops.ts";
import { WorldList } from "./world_list.ts";

export interface WorldServiceOptions {
  repo: WorldRepo;
  hub: Hub;
  clock: Clock;
  limits: Pick<
    Limits,
    | "maxWorldNameChars"
    | "maxWorldDescriptionChars"
    | "maxOpsPerWorld"
    | "maxOutboundBytes"
    | "maxBufferedBytes"
    | "worldCreatesPerMinute"
    | "maxWorlds"
    | "worldListUpdateMs"
    | "worldsPageMax"
    | "opDedupeMs"
  >;
  /** Runs after a join's sync (spells use it to tell late joiners what is castable). */
  afterJoin?: (session: Session, worldId: string) => void;
  /** Per-owner quotas and the data budget (issue 13). */
  quota?: StorageGate;
}

/** Live broadcasts a syncing joiner may have waiting before it counts as too slow. */
const MAX_HELD_MESSAGES = 10_000;

/** Worlds, membership and the legacy voxel-op log (original-system §3.2, §3.7). */
export class WorldService {
  #repo: WorldRepo;
  #hub: Hub;
  #clock: Clock;
  #limits: WorldServiceOptions["limits"];
  #afterJoin: WorldServiceOptions["afterJoin"];
  #quota: StorageGate;
  #creates: RateLimiter;
  #duplicates: OpDeduper;
  /** The lists clients see (ordering, coalesced updates, pages). */
  readonly lists: WorldList;

  constructor(options: WorldServiceOptions) {
    this.#repo = options.repo;
    this.#hub = options.hub;
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#afterJoin = options.afterJoin;
    this.#quota = options.quota ?? UNGATED;
    const perMinute = options.limits.worldCreatesPerMinute;
    this.#creates = new RateLimiter({
      perSecond: perMinute / 60,
      burst: perMinute,
      clock: options.clock,
    });
    this.#duplicates = new OpDeduper({ windowMs: options.limits.opDedupeMs, clock: options.clock });
    this.lists = new WorldList({
      repo: options.repo,
      hub: options.hub,
      clock: options.clock,
      limits: options.limits,
    });
  }

  list(session: Session): void {
    this.lists.sendTo(session);
  }

  create(session: Session, payload: Payload): void {
    const name = (optionalString(payload, "name") ?? "").trim();
    if (name === "") throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, "World name is required");
    const maxName = this.#limits.maxWorldNameChars;
    if (codePointLength(name) > maxName) {
      throw new ProtocolError(
        ErrorCode.TOO_LARGE,
        `World name must be ${maxName} characters or less`,
      );
    }
    if (hasControlCharacters(name)) {
      throw new ProtocolError(
        ErrorCode.INVALID_PAYLOAD,
        "World name must not contain control characters",
      );
    }
    const description = optionalString(payload, "description") ?? "";
    const maxDescription = this.#limits.maxWorldDescriptionChars;
    if (codePointLength(description) > maxDescription) {
      throw new ProtocolError(
        ErrorCode.TOO_LARGE,
        `World description must be ${maxDescription} characters or less`,
      );
    }

    // Checked after the payload, so a malformed request costs the sender nothing, and the cap
    // before the rate, so a refused create does not use up the address's allowance.
    const maxWorlds = this.#limits.maxWorlds;
    if (this.#repo.count() >= maxWorlds) {
      throw new ProtocolError(
        ErrorCode.QUOTA_EXCEEDED,
        `This server holds its maximum of ${maxWorlds} worlds; join an existing world`,
      );
    }
    if (!this.#creates.take(session.address)) {
      const seconds = Math.ceil(this.#creates.msUntilToken(session.address) / 1000);
      throw new ProtocolError(
        ErrorCode.RATE_LIMITED,
        `Too many worlds created from your address (${this.#limits.worldCreatesPerMinute} a minute); try again in ${seconds} s`,
      );
    }

    const now = new Date(this.#clock.now()).toISOString();
    const record: WorldRecord = {
      world_id: `world_${randomHex(4)}`,
      name,
      description,
      created_by: session.id,
      created_at: now,
      updated_at: now,
      last_active_at: "",
    };
    this.#quota.admit(session, [worldCharge(record)], () => this.#repo.create(record));
    this.#hub.send(session, ServerEvent.WORLD_CREATED, { world: this.lists.view(record) });
    this.lists.changed();
  }

  /**
   * Joins and sends the world's op log. A big log (100k ops is ~9 MB) goes out a chunk per
   * event-loop turn and only as fast as the joiner takes it, so other players are not stalled and
   * the joiner is not cut as a slow consumer; live broadcasts wait until the sync is out.
   */
  async join(session: Session, payload: Payload): Promise<void> {
    const world = this.#requireWorld(payload);
    this.#hub.hold(session);
    try {
      this.#hub.join(session, world.world_id);
      this.lists.joined(world);
      // Read in the same turn as the join: ops up to here are in the sync, later ones are held.
      const plan = this.#repo.syncPlan(world.world_id);
      this.#hub.send(session, ServerEvent.WORLD_JOINED, {
        world_id: world.world_id,
        world: this.lists.view(world),
      });
      if (await this.#sendSync(session, world.world_id, plan)) {
        this.#afterJoin?.(session, world.world_id);
      }
    } finally {
      this.#hub.release(session);
    }
  }

  leave(session: Session): void {
    // Godot assigns left_world_id to a String: "" rather than null when not in a world.
    const left = this.#hub.leave(session) ?? "";
    this.#hub.send(session, ServerEvent.WORLD_LEFT, { left_world_id: left });
  }

  get(session: Session, payload: Payload): void {
    this.#hub.send(session, ServerEvent.WORLD_INFO, {
      world: this.lists.view(this.#requireWorld(payload)),
    });
  }

  /**
   * A legacy voxel op. Every client runs a cast, so a spell's `ctx.world.set_voxel` arrives once
   * per member: copies from other members within OP_DEDUPE_MS are dropped (see OpDeduper). The
   * sender of a copy already has the op (it got the first one's `apply_op`, or its sync), so it
   * is sent nothing more; a Socket.IO acknowledgement still gets `{op}`.
   */
  requestSpell(session: Session, payload: Payload): void {
    const worldId = this.#hub.worldOf(session);
    if (worldId === undefined) throw rejected(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    const op = parseVoxelRequest(payload.spell);
    if (this.#repo.opCount(worldId) >= this.#limits.maxOpsPerWorld) {
      throw rejected(ErrorCode.TOO_LARGE, "World op log is full");
    }
    if (!this.#duplicates.admit(worldId, session.id, op)) {
      this.#hub.acknowledge(session, { op });
      return;
    }
    const now = new Date(this.#clock.now()).toISOString();
    this.#quota.admit(session, [opCharge(worldId, op)], () => {
      this.#repo.appendOps(worldId, [op], now);
    }, rejected);
    this.#hub.toWorld(worldId, ServerEvent.APPLY_OP, { op });
    this.lists.active(worldId);
  }

  ping(session: Session): void {
    const worldId = this.#hub.worldOf(session);
    this.#hub.send(session, ServerEvent.PONG, {
      clients: this.#hub.connectionCount,
      world_id: worldId ?? "",
      ops: worldId === undefined ? 0 : this.#repo.opCount(worldId),
    });
  }

  clearWorld(session: Session): void {
    const worldId = this.#hub.worldOf(session);
    if (worldId === undefined) {
      throw new ProtocolError(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    }
    const world = this.#repo.get(worldId);
    // Any member wiping everyone's terrain was a hole in the original (contract §4.13).
    if (world?.created_by !== session.id) {
      throw new ProtocolError(
        ErrorCode.FORBIDDEN,
        "Only the connection that created this world can clear it",
      );
    }
    this.#repo.clearOps(worldId);
    this.#duplicates.clear(worldId);
    this.#hub.toWorld(worldId, ServerEvent.WORLD_CLEARED, { world_id: worldId });
    this.lists.active(worldId);
  }

  /** Writes what is pending and stops timers (shutdown, before the database closes). */
  close(): void {
    this.lists.close();
  }

  /** Sends the plan's ops; false if the joiner left or was cut before it was done. */
  async #sendSync(session: Session, worldId: string, plan: SyncPlan): Promise<boolean> {
    if (plan.count === 0) {
      this.#hub.send(session, ServerEvent.SYNC_COMPLETE, { message: "World is empty" });
      return true;
    }
    // The Godot client appends every sync_ops message, so the log goes out in frame-sized chunks.
    // No op is larger than the plan's bound (plus a comma), so this many always fit in "[…]" and
    // the count is known before any op is read.
    const budget = this.#limits.maxOutboundBytes - ENVELOPE_RESERVE - 2;
    const perChunk = Math.max(1, Math.floor(budget / (plan.maxOpJsonBytes + 1)));
    const chunkCount = Math.ceil(plan.count / perChunk);
    let cursor = 0;
    for (let index = 0; index < chunkCount; index++) {
      if (index > 0 && !await this.#readyForMore(session, worldId)) return false;
      // A clear_world during the sync leaves later pages empty: the announced count still holds.
      const page = this.#repo.opsAfter(worldId, cursor, plan.lastOpId, perChunk);
      cursor = page.lastOpId;
      this.#hub.send(session, ServerEvent.SYNC_OPS, {
        ops: page.ops,
        chunk_index: index,
        chunk_count: chunkCount,
      });
    }
    return true;
  }

  /**
   * Lets other connections have a turn, then waits until the joiner has taken most of what was
   * sent. False if it left, or stopped reading (then it is closed as too slow). Live messages held
   * for it meanwhile are bounded too: a world busier than the joiner can read would otherwise grow
   * them without limit.
   */
  async #readyForMore(session: Session, worldId: string): Promise<boolean> {
    const outcome = await readerReady(
      session,
      { highWater: highWaterFor(this.#limits.maxBufferedBytes), yieldFirst: true },
      () => this.#hub.worldOf(session) === worldId,
    );
    if (outcome === "stalled") return this.#tooSlow(session);
    if (outcome === "gone") return false;
    if (this.#hub.heldCount(session) > MAX_HELD_MESSAGES) return this.#tooSlow(session);
    return true;
  }

  #tooSlow(session: Session): false {
    session.close(CloseCode.POLICY_VIOLATION, "Too slow: world sync not read");
    return false;
  }

  #requireWorld(payload: Payload): WorldRecord {
    const worldId = requiredString(payload, "world_id", "world_id is required");
    const world = this.#repo.get(worldId);
    if (!world) {
      throw new ProtocolError(ErrorCode.WORLD_NOT_FOUND, `World ${clip(worldId)} not found`);
    }
    return world;
  }
}
