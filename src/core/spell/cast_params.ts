import {
  ErrorCode,
  hasControlCharacters,
  isPlainObject,
  isStorableText,
  utf8Length,
} from "../../protocol/mod.ts";

export interface CastParamsLimits {
  maxCastParamsBytes: number;
  maxCastParamsDepth: number;
  maxTargetEntityIdChars: number;
}

/** Why cast_params was refused: the code and a reason that names the field. */
export interface CastParamsProblem {
  code: ErrorCode;
  reason: string;
}

/** Keys that mean something to JavaScript objects; a web client merging params must never meet them. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_KEY_CHARS = 128;

/**
 * Checks `cast_params` before it is relayed to every client of a world (contract §4.11). The
 * fields Godot's SpellContext reads must have its types: `target_position` an `{x, y, z}` of
 * finite numbers, `target_entity_id` a bounded string, `mana_budget` a finite number (a wrong type
 * there aborts the cast handler of every Godot client in the world). Everywhere else: nesting at
 * most `maxCastParamsDepth` deep, keys of plain text that are not JavaScript's prototype names,
 * text without NUL or lone surrogates, finite numbers, and at most `maxCastParamsBytes` of JSON.
 * Returns undefined when it is fine.
 */
export function castParamsProblem(
  params: unknown,
  limits: CastParamsLimits,
): CastParamsProblem | undefined {
  if (!isPlainObject(params)) return invalid("cast_params must be an object");
  const shape = walk(params, "cast_params", 1, limits.maxCastParamsDepth);
  if (shape) return shape;
  const known = knownFieldProblem(params, limits);
  if (known) return invalid(known);
  const size = utf8Length(JSON.stringify(params));
  if (size > limits.maxCastParamsBytes) {
    return {
      code: ErrorCode.TOO_LARGE,
      reason: `cast_params is ${size} bytes of JSON; the limit is ${limits.maxCastParamsBytes}`,
    };
  }
  return undefined;
}

function knownFieldProblem(params: Record<string, unknown>, limits: CastParamsLimits) {
  if ("target_position" in params) {
    const position = params.target_position;
    const isVector = isPlainObject(position) &&
      Object.keys(position).length === 3 &&
      ["x", "y", "z"].every((axis) => isFiniteNumber(position[axis]));
    if (!isVector) return "cast_params.target_position must be {x, y, z} of finite numbers";
  }
  if ("target_entity_id" in params) {
    const id = params.target_entity_id;
    if (typeof id !== "string" || id.length > limits.maxTargetEntityIdChars) {
      return `cast_params.target_entity_id must be a string of at most ${limits.maxTargetEntityIdChars} characters`;
    }
  }
  if ("mana_budget" in params && !isFiniteNumber(params.mana_budget)) {
    return "cast_params.mana_budget must be a finite number";
  }
  return undefined;
}

/** Depth, keys, text and numbers of the whole value; stops at the first problem or too deep. */
function walk(
  value: unknown,
  path: string,
  depth: number,
  maxDepth: number,
): CastParamsProblem | undefined {
  if (typeof value === "string") {
    return isStorableText(value)
      ? undefined
      : invalid(`${path} must be valid text without NUL characters`);
  }
  if (typeof value === "number") {
    return Number.isFinite(value) ? undefined : invalid(`${path} must be a finite number`);
  }
  if (value === null || typeof value === "boolean") return undefined;
  if (depth > maxDepth) {
    return { code: ErrorCode.TOO_LARGE, reason: `cast_params is nested deeper than ${maxDepth}` };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = walk(value[i], `${path}[${i}]`, depth + 1, maxDepth);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return invalid(`${path} must be JSON`);
  for (const key of Object.keys(value)) {
    if (!isPlainKey(key)) {
      return invalid(
        `${path} has a key that is not allowed (reserved, empty, over ${MAX_KEY_CHARS} characters, or with control characters)`,
      );
    }
    const problem = walk(value[key], `${path}.${key}`, depth + 1, maxDepth);
    if (problem) return problem;
  }
  return undefined;
}

function isPlainKey(key: string): boolean {
  return key !== "" && key.length <= MAX_KEY_CHARS && isStorableText(key) &&
    !hasControlCharacters(key) && !RESERVED_KEYS.has(key);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function invalid(reason: string): CastParamsProblem {
  return { code: ErrorCode.INVALID_PAYLOAD, reason };
}
