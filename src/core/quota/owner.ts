import type { Session } from "../session.ts";

/**
 * Whose account a write is charged to. Today every client is anonymous, so it is the client's
 * address (`addr:<address>`); once players have identities a `player:<id>` key slots in here.
 */
export function ownerKeyOf(session: Session): string {
  return `addr:${session.address}`;
}
