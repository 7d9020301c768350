import {
  ErrorCode,
  isPlainObject,
  type Payload,
  ProtocolError,
  ServerEvent,
  type Vec3,
  type VoxelOp,
} from "../../protocol/mod.ts";

const MAX_RADIUS = 64;
const MAX_COORDINATE = 1e6;

/** Turns a legacy `request_spell.spell` into a voxel op, or throws a `spell_rejected` (contract §4.10). */
export function parseVoxelRequest(spell: unknown): VoxelOp {
  if (spell === undefined || spell === null) spell = {};
  if (!isPlainObject(spell)) throw rejected(ErrorCode.INVALID_PAYLOAD, "spell must be an object");
  const type = spell.type ?? "";
  if (typeof type !== "string") {
    throw rejected(ErrorCode.INVALID_PAYLOAD, "spell.type must be a string");
  }
  if (type !== "create_land" && type !== "dig") {
    throw rejected(
      ErrorCode.INVALID_PAYLOAD,
      `Unknown spell type: ${[...type].slice(0, 64).join("")}`,
    );
  }
  const center = parseCenter(spell.center);
  if (type === "create_land") {
    return {
      op: "add_sphere",
      center,
      radius: parseRadius(spell.radius, 8),
      material_id: parseMaterial(spell.material_id),
    };
  }
  return { op: "subtract_sphere", center, radius: parseRadius(spell.radius, 6) };
}

function parseCenter(value: unknown): Vec3 {
  if (value === undefined || value === null) return { x: 0, y: 0, z: 0 };
  const message = `center must be an object {x, y, z} of finite numbers within ±${MAX_COORDINATE}`;
  if (!isPlainObject(value)) throw rejected(ErrorCode.INVALID_PAYLOAD, message);
  const coordinate = (key: string) => {
    const n = (value as Payload)[key];
    if (typeof n !== "number" || !Number.isFinite(n) || Math.abs(n) > MAX_COORDINATE) {
      throw rejected(ErrorCode.INVALID_PAYLOAD, message);
    }
    return n;
  };
  // Only x, y, z are kept: anything else the client sent is not stored or re-broadcast.
  return { x: coordinate("x"), y: coordinate("y"), z: coordinate("z") };
}

function parseRadius(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_RADIUS) {
    throw rejected(
      ErrorCode.INVALID_PAYLOAD,
      `radius must be a number with 0 < radius <= ${MAX_RADIUS}`,
    );
  }
  return value;
}

function parseMaterial(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 255) {
    throw rejected(ErrorCode.INVALID_PAYLOAD, "material_id must be an integer from 0 to 255");
  }
  return value;
}

/** A legacy-op failure, sent as `spell_rejected {error, code}` like the original's rejects. */
export function rejected(code: ErrorCode, message: string): ProtocolError {
  return new ProtocolError(code, message, {
    event: ServerEvent.SPELL_REJECTED,
    payload: { error: message, code },
  });
}
