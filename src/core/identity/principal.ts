/**
 * Who is asking. Every connection and every HTTP request has one principal, fixed at its handshake:
 * - a guest (no token: the unmodified Godot client) is one identity per connection, `guest:<client_id>`;
 *   a guest that reconnects is a new guest;
 * - a player presented a token from `POST /api/players`; its id is the player id;
 * - the operator presented ADMIN_TOKEN.
 */
export type Principal =
  | { readonly kind: "guest"; readonly id: string }
  | { readonly kind: "player"; readonly id: string; readonly name: string }
  | { readonly kind: "operator"; readonly id: "operator" };

export const OPERATOR: Principal = Object.freeze({ kind: "operator", id: "operator" });

/** Owner of rows that existed before identities: only an operator may manage them. */
export const LEGACY_OWNER = "legacy";

/** The guest identity of one connection (or of an HTTP request without a token: `guest:http`). */
export function guest(clientId: string): Principal {
  return { kind: "guest", id: `guest:${clientId}` };
}

export function isOperator(principal: Principal): boolean {
  return principal.kind === "operator";
}

/** True if `principal` owns what `ownerId` owns, or is an operator. */
export function mayManage(principal: Principal, ownerId: string | undefined): boolean {
  return principal.kind === "operator" || (ownerId !== undefined && ownerId === principal.id);
}

/** How an owner is named in a refusal: never another player's token, only what they are. */
export function describeOwner(ownerId: string): string {
  if (ownerId === LEGACY_OWNER) return "it predates identities and only an operator may change it";
  if (ownerId.startsWith("guest:")) return "it belongs to the guest connection that created it";
  return "it belongs to another player";
}
