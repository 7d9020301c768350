import type { Channel } from "../ports/spell_store.ts";
import { describeOwner, mayManage, type Principal } from "./principal.ts";

/** Who may publish to `stable`: an operator only (the default), or a spell's owner too. */
export type StablePublish = "operator" | "owner";

/** A decision: allowed, or refused with the reason the client is told. */
export type Decision = { ok: true } | { ok: false; reason: string };

const ALLOW: Decision = Object.freeze({ ok: true });

/** May `principal` build a new revision of the spell `spellId` owned by `ownerId` (undefined: new)? */
export function mayBuild(principal: Principal, spellId: string, ownerId?: string): Decision {
  if (ownerId === undefined || mayManage(principal, ownerId)) return ALLOW;
  return {
    ok: false,
    reason: `Only the owner of spell ${spellId} can build it: ${describeOwner(ownerId)}`,
  };
}

/**
 * May `principal` point `channel` of a spell owned by `ownerId` at a revision? `pending` means an
 * owner asked for stable where only an operator may publish: the request waits for approval.
 */
export function mayPublish(
  principal: Principal,
  spellId: string,
  ownerId: string,
  channel: Channel,
  stable: StablePublish,
): Decision | { ok: "pending" } {
  if (!mayManage(principal, ownerId)) {
    return {
      ok: false,
      reason: `Only the owner of spell ${spellId} can publish it: ${describeOwner(ownerId)}`,
    };
  }
  if (channel === "stable" && principal.kind !== "operator" && stable === "operator") {
    return { ok: "pending" };
  }
  return ALLOW;
}

/** May `principal` clear or delete a world owned by `ownerId`? */
export function mayManageWorld(principal: Principal, ownerId: string): Decision {
  if (mayManage(principal, ownerId)) return ALLOW;
  return {
    ok: false,
    reason: ownerId.startsWith("guest:")
      ? "Only the connection that created this world can clear it"
      : `Only this world's owner can clear it: ${describeOwner(ownerId)}`,
  };
}

/** What the server knows of a revision's standing. */
export interface RevisionStanding {
  /** Published to a channel at least once (never-published revisions stay with their owner). */
  published: boolean;
  quarantined: boolean;
}

/**
 * Who a revision may reach. `everyone`: published and not quarantined. `owner`: never published,
 * and `principal` owns it (or is an operator): served to them, cast to them alone. Otherwise
 * refused with a reason.
 */
export function deliveryOf(
  principal: Principal,
  ownerId: string,
  standing: RevisionStanding,
): { to: "everyone" | "owner" } | { to: "nobody"; reason: string } {
  if (standing.quarantined) {
    return { to: "nobody", reason: "This revision was quarantined by an operator" };
  }
  if (standing.published) return { to: "everyone" };
  if (mayManage(principal, ownerId)) return { to: "owner" };
  return { to: "nobody", reason: "This revision was never published" };
}
