import type { BuildRequest } from "../build/job.ts";
import type { VoxelOp } from "../../protocol/mod.ts";
import { utf8Length } from "../../protocol/mod.ts";

/**
 * What a write adds to its owner's account. Bytes are what the rows and files cost on disk,
 * roughly: the text stored plus a fixed allowance for ids, timestamps and index entries.
 */
export type ChargeKind = "world" | "spell" | "job" | "ops";

export interface Charge {
  kind: ChargeKind;
  /** The world, spell or job id (for ops: the world they were appended to). */
  ref: string;
  bytes: number;
}

/** What an owner has stored now, and when it started its builds of the last hour. */
export interface OwnerUsage {
  worlds: number;
  spells: number;
  bytes: number;
  /** Epoch milliseconds, oldest first. */
  buildTimes: number[];
}

/** Persistence of the quota ledger (the storage side implements it). */
export interface QuotaRepo {
  usage(owner: string, windowStart: string): OwnerUsage;
  spellExists(spellId: string): boolean;
  /** Adds a row (or, for ops, adds to the owner's row for that world); inside the caller's commit. */
  charge(owner: string, charge: Charge, at: string): void;
}

const WORLD_ROW_BYTES = 200;
const SPELL_ROW_BYTES = 256;
const JOB_ROW_BYTES = 256;
const OP_ROW_BYTES = 80;

export function worldCharge(
  world: { world_id: string; name: string; description: string },
): Charge {
  return {
    kind: "world",
    ref: world.world_id,
    bytes: WORLD_ROW_BYTES + utf8Length(world.name) + utf8Length(world.description),
  };
}

/** Charged only if the spell does not exist yet (rebuilding your own spell costs no spell). */
export function spellCharge(spellId: string): Charge {
  return { kind: "spell", ref: spellId, bytes: SPELL_ROW_BYTES };
}

/** A queued build holds its request (code included) until it finishes; it also counts per hour. */
export function jobCharge(jobId: string, request: BuildRequest): Charge {
  return { kind: "job", ref: jobId, bytes: JOB_ROW_BYTES + utf8Length(JSON.stringify(request)) };
}

export function opCharge(worldId: string, op: VoxelOp): Charge {
  return { kind: "ops", ref: worldId, bytes: OP_ROW_BYTES + JSON.stringify(op).length };
}
