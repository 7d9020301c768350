import type { VoxelOp } from "../../protocol/mod.ts";
import type { Clock } from "../ports/clock.ts";

/** Distinct recent ops remembered per world; past this older ones are forgotten (they may repeat). */
const MAX_ENTRIES_PER_WORLD = 10_000;
/** How often worlds whose remembered ops all expired are forgotten. */
const SWEEP_EVERY_MS = 30_000;

interface Entry {
  /** How many copies of this op were stored in the window. */
  stored: number;
  storedAt: number;
  /** The first sender and how many copies it sent: the common case needs no map. */
  firstSender: string;
  firstSent: number;
  /** How many copies each other member sent in the window. */
  others?: Map<string, number>;
}

/**
 * A world's remembered ops in two generations: `current` since `startedAt`, `previous` the
 * generation before. Generations turn over every window, so everything stored within the window is
 * in one of the two, and old entries go all at once instead of one by one.
 */
interface WorldOps {
  current: Map<string, Entry>;
  previous: Map<string, Entry>;
  startedAt: number;
}

/**
 * Drops the copies of a voxel op that every client of a world sends when a spell calls
 * `ctx.world.set_voxel` (each client runs the cast, so N players send each change N times).
 *
 * Two ops are identical when their op, center x/y/z, radius and material are equal numbers (the
 * canonical form after validation). Within `windowMs` of storing an op, the same op from another
 * member is a copy and is not stored again. A member's own repeats are not copies: the k-th time
 * one member sends an op in the window, it is stored unless k copies already were (a spell that
 * sets one voxel twice is stored twice, once for all members).
 */
export class OpDeduper {
  #windowMs: number;
  #clock: Pick<Clock, "monotonic">;
  #worlds = new Map<string, WorldOps>();
  #sweptAt: number;

  constructor(options: { windowMs: number; clock: Pick<Clock, "monotonic"> }) {
    this.#windowMs = options.windowMs;
    this.#clock = options.clock;
    this.#sweptAt = this.#clock.monotonic();
  }

  /** True if the op must be stored and broadcast; false for a copy of one that just was. */
  admit(worldId: string, senderId: string, op: VoxelOp): boolean {
    if (this.#windowMs <= 0) return true;
    const now = this.#clock.monotonic();
    if (now - this.#sweptAt > SWEEP_EVERY_MS) this.#sweep(now);
    const ops = this.#generations(worldId, now);
    const key = opKey(op);
    let entry = ops.current.get(key);
    if (!entry) {
      entry = ops.previous.get(key);
      if (entry && now - entry.storedAt > this.#windowMs) entry = undefined;
    }
    if (!entry) {
      entry = { stored: 0, storedAt: now, firstSender: senderId, firstSent: 0 };
      ops.current.set(key, entry);
    }
    let sent: number;
    if (entry.firstSender === senderId) {
      sent = ++entry.firstSent;
    } else {
      entry.others ??= new Map();
      sent = (entry.others.get(senderId) ?? 0) + 1;
      entry.others.set(senderId, sent);
    }
    if (sent <= entry.stored) return false;
    entry.stored = sent;
    entry.storedAt = now;
    ops.current.set(key, entry); // a re-stored op from the previous generation lives on
    return true;
  }

  /** Forgets a world's recent ops (after clear_world the same op is new again). */
  clear(worldId: string): void {
    this.#worlds.delete(worldId);
  }

  /** Worlds with remembered ops (memory checks in tests). */
  get worldCount(): number {
    return this.#worlds.size;
  }

  /** The world's generations, turned over if the current one is a window old or full. */
  #generations(worldId: string, now: number): WorldOps {
    let ops = this.#worlds.get(worldId);
    if (!ops) {
      ops = { current: new Map(), previous: new Map(), startedAt: now };
      this.#worlds.set(worldId, ops);
    } else if (now - ops.startedAt >= this.#windowMs || ops.current.size >= MAX_ENTRIES_PER_WORLD) {
      // Two windows without a turn-over: everything is too old.
      ops.previous = now - ops.startedAt >= 2 * this.#windowMs ? new Map() : ops.current;
      ops.current = new Map();
      ops.startedAt = now;
    }
    return ops;
  }

  /** Drops worlds with nothing stored in the last window. */
  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [worldId, ops] of this.#worlds) {
      if (now - ops.startedAt > this.#windowMs) this.#worlds.delete(worldId);
    }
  }
}

function opKey(op: VoxelOp): string {
  const { x, y, z } = op.center;
  return op.op === "add_sphere"
    ? `a${x},${y},${z},${op.radius},${op.material_id}`
    : `s${x},${y},${z},${op.radius}`;
}
