import type { Limits } from "../limits.ts";
import {
  codePointLength,
  ErrorCode,
  hasControlCharacters,
  optionalString,
  type Payload,
  ProtocolError,
  requiredString,
  ServerEvent,
} from "../../protocol/mod.ts";
import { clip, randomHex } from "../ids.ts";
import {
  type Call,
  message,
  type Outcome,
  PACE,
  release,
  reply,
  type StreamItem,
} from "../outcome.ts";
import type { Bus } from "../ports/bus.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { Presence } from "../ports/presence.ts";
import type { Stores } from "../ports/unit_of_work.ts";
import type { SyncPlan, WorldRecord, WorldStore } from "../ports/world_store.ts";
import { opCharge, worldCharge } from "../quota/charges.ts";
import { type StorageGate, ungated } from "../quota/storage_gate.ts";
import { mayManageWorld } from "../identity/policy.ts";
import { LEGACY_OWNER } from "../identity/principal.ts";
import { RateLimiter } from "../rate_limiter.ts";
import type { OutboundMessage } from "../session.ts";
import { ENVELOPE_RESERVE } from "./fit.ts";
import { OpDeduper } from "./op_dedupe.ts";
import { parseVoxelRequest, rejected } from "./voxel_ops.ts";
import { WorldList } from "./world_list.ts";

export interface WorldServiceOptions {
  stores: Stores;
  bus: Bus;
  presence: Presence;
  clock: Clock;
  log: Logger;
  limits: Pick<
    Limits,
    | "maxWorldNameChars"
    | "maxWorldDescriptionChars"
    | "maxOpsPerWorld"
    | "maxOutboundBytes"
    | "worldCreatesPerMinute"
    | "maxWorlds"
    | "worldListUpdateMs"
    | "worldsPageMax"
    | "opDedupeMs"
  >;
  /** What a joiner is told after its sync (spells: what it can cast and will see cast). */
  joinAnnouncements?: (worldId: string) => Promise<OutboundMessage[]>;
  /** Per-owner quotas and the data budget (issue 13); none if absent. */
  quota?: StorageGate;
  /** Told when this node creates a world (cluster mode: the other nodes refresh their lists). */
  announceWorldsChanged?: () => void;
}

/** Worlds, membership and the legacy voxel-op log (original-system §3.2, §3.7). */
export class WorldService {
  #worlds: WorldStore;
  #clock: Clock;
  #presence: Presence;
  #limits: WorldServiceOptions["limits"];
  #joinAnnouncements: WorldServiceOptions["joinAnnouncements"];
  #quota: StorageGate;
  #creates: RateLimiter;
  #duplicates: OpDeduper;
  /** The lists clients see (ordering, coalesced updates, pages). */
  readonly lists: WorldList;

  constructor(options: WorldServiceOptions) {
    this.#worlds = options.stores.worlds;
    this.#clock = options.clock;
    this.#presence = options.presence;
    this.#limits = options.limits;
    this.#joinAnnouncements = options.joinAnnouncements;
    this.#quota = options.quota ?? ungated(options.stores);
    const perMinute = options.limits.worldCreatesPerMinute;
    this.#creates = new RateLimiter({
      perSecond: perMinute / 60,
      burst: perMinute,
      clock: options.clock,
    });
    this.#duplicates = new OpDeduper({ windowMs: options.limits.opDedupeMs, clock: options.clock });
    this.lists = new WorldList({
      worlds: options.stores.worlds,
      bus: options.bus,
      presence: options.presence,
      clock: options.clock,
      log: options.log,
      limits: options.limits,
      ...(options.announceWorldsChanged ? { announce: options.announceWorldsChanged } : {}),
    });
  }

  async list(): Promise<Outcome> {
    return { reply: await this.lists.listMessage() };
  }

  /** Worlds stored (metrics). */
  count(): Promise<number> {
    return this.#worlds.count();
  }

  async create(call: Call, payload: Payload): Promise<Outcome> {
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
    if (await this.#worlds.count() >= maxWorlds) {
      throw new ProtocolError(
        ErrorCode.QUOTA_EXCEEDED,
        `This server holds its maximum of ${maxWorlds} worlds; join an existing world`,
      );
    }
    if (!this.#creates.take(call.address)) {
      const seconds = Math.ceil(this.#creates.msUntilToken(call.address) / 1000);
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
      created_by: call.sessionId,
      owner_id: call.principal.id,
      created_at: now,
      updated_at: now,
      last_active_at: "",
    };
    await this.#quota.admit(call, [worldCharge(record)], (stores) => stores.worlds.create(record));
    return {
      reply: message(ServerEvent.WORLD_CREATED, { world: this.lists.view(record) }),
      after: () => this.lists.changed(),
    };
  }

  /**
   * Joins and sends the world's op log. The Dispatcher enters the joiner into the world with its
   * world messages held, then runs the stream: the snapshot (`seq` S, read after entering), the
   * ops up to S a frame at a time at the joiner's pace, what it should know of spells, and the
   * release, which drops the held messages the sync already carried (seq ≤ S). Every op arrives
   * exactly once and in order, and nothing here needs the snapshot and the entry in one turn.
   */
  async join(payload: Payload): Promise<Outcome> {
    const world = await this.#requireWorld(payload);
    return { enter: { worldId: world.world_id }, stream: this.#joinStream(world) };
  }

  async *#joinStream(world: WorldRecord): AsyncGenerator<StreamItem> {
    this.lists.joined(world);
    const plan = await this.#worlds.syncPlan(world.world_id);
    yield message(ServerEvent.WORLD_JOINED, {
      world_id: world.world_id,
      world: this.lists.view(world),
      seq: plan.lastSeq,
    });
    yield* this.#syncChunks(world.world_id, plan);
    for (const announcement of await this.#joinAnnouncements?.(world.world_id) ?? []) {
      yield announcement;
    }
    yield release(plan.lastSeq);
  }

  /**
   * The plan's ops in frame-sized `sync_ops` chunks (the Godot client appends every one). No op is
   * larger than the plan's bound (plus a comma), so the chunk count is known before any op is
   * read; chunk k carries the consecutive seqs `first_seq … last_seq`.
   */
  async *#syncChunks(worldId: string, plan: SyncPlan): AsyncGenerator<StreamItem> {
    if (plan.count === 0) {
      yield message(ServerEvent.SYNC_COMPLETE, { message: "World is empty" });
      return;
    }
    const budget = this.#limits.maxOutboundBytes - ENVELOPE_RESERVE - 2;
    const perChunk = Math.max(1, Math.floor(budget / (plan.maxOpJsonBytes + 1)));
    const chunkCount = Math.ceil(plan.count / perChunk);
    const start = plan.lastSeq - plan.count + 1;
    for (let index = 0; index < chunkCount; index++) {
      if (index > 0) yield PACE;
      const firstSeq = start + index * perChunk;
      const lastSeq = Math.min(firstSeq + perChunk - 1, plan.lastSeq);
      // A clear_world during the sync leaves later chunks empty: the announced count still holds.
      const page = await this.#worlds.opsAfter(worldId, firstSeq - 1, lastSeq, perChunk);
      yield message(ServerEvent.SYNC_OPS, {
        ops: page.map((entry) => entry.op),
        chunk_index: index,
        chunk_count: chunkCount,
        first_seq: firstSeq,
        last_seq: lastSeq,
      });
    }
  }

  leave(call: Call): Outcome {
    // Godot assigns left_world_id to a String: "" rather than null when not in a world.
    return {
      leave: true,
      reply: message(ServerEvent.WORLD_LEFT, { left_world_id: call.worldId ?? "" }),
    };
  }

  async get(payload: Payload): Promise<Outcome> {
    const world = await this.#requireWorld(payload);
    return reply(ServerEvent.WORLD_INFO, { world: this.lists.view(world) });
  }

  /**
   * A legacy voxel op. Every client runs a cast, so a spell's `ctx.world.set_voxel` arrives once
   * per member: copies from other members within OP_DEDUPE_MS are dropped (see OpDeduper). The
   * sender of a copy already has the op (it got the first one's `apply_op`, or its sync), so it
   * is sent nothing more; a Socket.IO acknowledgement still gets `{op}`.
   */
  async requestSpell(call: Call, payload: Payload): Promise<Outcome> {
    const worldId = call.worldId;
    if (worldId === undefined) throw rejected(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    const op = parseVoxelRequest(payload.spell);
    const maxOps = this.#limits.maxOpsPerWorld;
    // No count is read first: the append checks the cap in the store, atomically (one round trip
    // fewer per op on a network database), and a refused append charges nothing.
    if (!this.#duplicates.admit(worldId, call.sessionId, op)) return { ack: { op }, free: true };
    const now = new Date(this.#clock.now()).toISOString();
    const appended = await this.#quota.admit(call, [opCharge(worldId, op)], async (stores) => {
      const result = await stores.worlds.append(worldId, [op], now, maxOps);
      if (!result.ok) throw full(); // another op took the last place meanwhile
      return result;
    }, rejected);
    const applied = message(
      ServerEvent.APPLY_OP,
      { op, seq: appended.firstSeq },
      appended.firstSeq,
    );
    return {
      events: [{ to: { world: worldId }, message: applied }],
      ack: applied.payload,
      after: () => this.lists.active(worldId),
    };
  }

  async ping(call: Call): Promise<Outcome> {
    const worldId = call.worldId;
    return reply(ServerEvent.PONG, {
      clients: this.#presence.connections(),
      world_id: worldId ?? "",
      ops: worldId === undefined ? 0 : await this.#worlds.opCount(worldId),
    });
  }

  async clearWorld(call: Call): Promise<Outcome> {
    const worldId = call.worldId;
    if (worldId === undefined) {
      throw new ProtocolError(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    }
    const world = await this.#worlds.get(worldId);
    // Any member wiping everyone's terrain was a hole in the original (contract §4.13): only the
    // world's owner (the guest connection or the player that created it) or an operator may.
    const decision = mayManageWorld(call.principal, world?.owner_id ?? LEGACY_OWNER);
    if (!decision.ok) throw new ProtocolError(ErrorCode.FORBIDDEN, decision.reason);
    const cleared = await this.clear(worldId);
    return { events: [{ to: { world: worldId }, message: cleared }], ack: cleared.payload };
  }

  /** Clears a world's ops (its owner's `clear_world`, or the operator API); the `world_cleared` to send. */
  async clear(worldId: string): Promise<OutboundMessage> {
    const { seq } = await this.#worlds.clear(worldId);
    this.#duplicates.clear(worldId);
    this.lists.active(worldId);
    return message(ServerEvent.WORLD_CLEARED, { world_id: worldId, seq }, seq);
  }

  /** Deletes a world (the operator API); false if there was none. */
  async delete(worldId: string): Promise<boolean> {
    const deleted = await this.#worlds.delete(worldId);
    if (deleted) {
      this.#duplicates.clear(worldId);
      this.lists.changed();
    }
    return deleted;
  }

  /** A stored world, or undefined. */
  world(worldId: string): Promise<WorldRecord | undefined> {
    return this.#worlds.get(worldId);
  }

  /** Writes what is pending and stops timers (shutdown, before the database closes). */
  close(): Promise<void> {
    return this.lists.close();
  }

  async #requireWorld(payload: Payload): Promise<WorldRecord> {
    const worldId = requiredString(payload, "world_id", "world_id is required");
    const world = await this.#worlds.get(worldId);
    if (!world) {
      throw new ProtocolError(ErrorCode.WORLD_NOT_FOUND, `World ${clip(worldId)} not found`);
    }
    return world;
  }
}

function full(): ProtocolError {
  return rejected(ErrorCode.TOO_LARGE, "World op log is full");
}
