import type { Payer } from "./storage_gate.ts";

/**
 * Whose account a write is charged to. Today every client is anonymous, so it is the client's
 * address (`addr:<address>`); once players have identities a `player:<id>` key slots in here.
 */
export function ownerKeyOf(payer: Payer): string {
  return `addr:${payer.address}`;
}
