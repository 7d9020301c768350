import type { VoxelOp } from "../../protocol/mod.ts";
import type { Clock } from "../rate_limiter.ts";

/** Distinct recent ops remembered per world; past this the oldest is forgotten (it may then repeat). */
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
  #clock: Clock;
  #worlds = new Map<string, Map<string, Entry>>();
  #sweptAt: number;

  constructor(options: { windowMs: number; clock: Clock }) {
    this.#windowMs = options.windowMs;
    this.#clock = options.clock;
    this.#sweptAt = this.#clock.now();
  }

  /** True if the op must be stored and broadcast; false for a copy of one that just was. */
  admit(worldId: string, senderId: string, op: VoxelOp): boolean {
    if (this.#windowMs <= 0) return true;
    const now = this.#clock.now();
    if (now - this.#sweptAt > SWEEP_EVERY_MS) this.#sweep(now);
    let entries = this.#worlds.get(worldId);
    if (!entries) this.#worlds.set(worldId, entries = new Map());
    this.#expire(entries, now);
    const key = opKey(op);
    let entry = entries.get(key);
    if (!entry) {
      entry = { stored: 0, storedAt: now, firstSender: senderId, firstSent: 0 };
      entries.set(key, entry);
      if (entries.size > MAX_ENTRIES_PER_WORLD) entries.delete(entries.keys().next().value!);
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
    // Re-insert so the map stays ordered by store time and expiry can stop at the first live entry.
    entry.storedAt = now;
    entries.delete(key);
    entries.set(key, entry);
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

  #expire(entries: Map<string, Entry>, now: number): void {
    for (const [key, entry] of entries) {
      if (now - entry.storedAt <= this.#windowMs) break;
      entries.delete(key);
    }
  }

  /** Drops worlds whose every remembered op has expired. */
  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [worldId, entries] of this.#worlds) {
      this.#expire(entries, now);
      if (entries.size === 0) this.#worlds.delete(worldId);
    }
  }
}

function opKey(op: VoxelOp): string {
  const { x, y, z } = op.center;
  return op.op === "add_sphere"
    ? `a${x},${y},${z},${op.radius},${op.material_id}`
    : `s${x},${y},${z},${op.radius}`;
}
