import type { BuildRequest } from "../build/job.ts";
import type { VoxelOp } from "../../protocol/mod.ts";
import { utf8Length } from "../../protocol/mod.ts";
import type { Charge } from "../ports/quota_ledger.ts";

export type { Charge, ChargeKind, OwnerUsage } from "../ports/quota_ledger.ts";

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
