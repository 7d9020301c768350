import type { Payer } from "./storage_gate.ts";

/**
 * Whose account a write is charged to: a player's own (`player:<id>`), wherever it connects from;
 * a guest's (or the operator's) is its client address (`addr:<address>`), since a guest is a new
 * identity on every connection and would otherwise escape every quota by reconnecting.
 */
export function ownerKeyOf(payer: Payer): string {
  return payer.principal?.kind === "player"
    ? `player:${payer.principal.id}`
    : `addr:${payer.address}`;
}
