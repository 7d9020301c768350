/**
 * Player tokens: `ugc1.<player_id>.<43 characters of base64url>` (32 random bytes). Only the
 * SHA-256 of a token is stored; a presented token is looked up by its player id and its hash
 * compared in constant time, so neither the store nor timing tells an attacker anything.
 */

export const PLAYER_ID = /^p_[0-9a-f]{16}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const PREFIX = "ugc1";
/** Longer than any token we issue, ADMIN_TOKEN included: refused before it is hashed. */
export const MAX_TOKEN_CHARS = 256;

export interface ParsedToken {
  playerId: string;
}

/** A new player id (`p_` and 16 hex). */
export function newPlayerId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return "p_" + [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A new token for `playerId`: 32 bytes from the CSPRNG. */
export function newToken(playerId: string): string {
  return `${PREFIX}.${playerId}.${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** A random secret for ADMIN_TOKEN when the operator set none: 32 bytes, base64url. */
export function newAdminSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The player a token names, or undefined if it is not of our format (then it is refused). */
export function parseToken(token: string): ParsedToken | undefined {
  if (token.length > MAX_TOKEN_CHARS) return undefined;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return undefined;
  const [, playerId, secret] = parts as [string, string, string];
  if (!PLAYER_ID.test(playerId) || !SECRET.test(secret)) return undefined;
  return { playerId };
}

/** SHA-256 of the token's UTF-8, as lowercase hex (what the store keeps). */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Compares two strings in time that depends only on their lengths (hashes have a fixed one): no
 * early exit on the first differing character.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let difference = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    difference |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  }
  return difference === 0;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
