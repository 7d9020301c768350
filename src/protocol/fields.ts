import { ErrorCode, ProtocolError } from "./errors.ts";
import type { Payload } from "./events.ts";

/**
 * Reads an optional string field. Absent, `null` and `""` all mean "not given" (the original treated
 * every falsy value as missing); any other non-string is rejected rather than coerced.
 */
export function optionalString(payload: Payload, key: string): string | undefined {
  const value = payload[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, `${key} must be a string`);
  }
  // Checked for every string field at once: nothing with NUL or lone surrogates is stored or echoed.
  if (!isStorableText(value)) {
    throw new ProtocolError(
      ErrorCode.INVALID_PAYLOAD,
      `${key} must be valid text without NUL characters`,
    );
  }
  return value;
}

/** Reads a string field that must be present; `missingMessage` is the original's wording. */
export function requiredString(payload: Payload, key: string, missingMessage: string): string {
  const value = optionalString(payload, key);
  if (value === undefined) throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, missingMessage);
  return value;
}

/** Reads an optional plain-object field (`null` means absent). */
export function optionalObject(payload: Payload, key: string): Payload | undefined {
  const value = payload[key];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, `${key} must be an object`);
  }
  return value;
}

/** A plain JSON object: not an array, not a Buffer or other class instance (Socket.IO binary). */
export function isPlainObject(value: unknown): value is Payload {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Number of Unicode code points, the way the original (Python `len`) counted characters. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * True for text safe to store and send back: well-formed UTF-16 (no lone surrogates, which SQLite
 * would store as U+FFFD) and no NUL (which SQLite text reads stop at).
 */
export function isStorableText(text: string): boolean {
  return text.isWellFormed() && !text.includes("\u0000");
}

/** True when the text holds a C0/C1 control character (tabs and newlines included). */
export function hasControlCharacters(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}
