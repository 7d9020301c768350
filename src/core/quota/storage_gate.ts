import type { ErrorCode, ProtocolError } from "../../protocol/mod.ts";
import type { Session } from "../session.ts";
import type { Charge } from "./charges.ts";

/** Builds the refusal a service wants (`spell_rejected` for ops, say) from a code and message. */
export type Refuse = (code: ErrorCode, message: string) => ProtocolError;

/**
 * Where services store anything a client asked for: `admit` checks the owner's quotas and the
 * server's data budget, then runs `write` and records the charges in the same commit.
 */
export interface StorageGate {
  admit<T>(session: Session, charges: readonly Charge[], write: () => T, refuse?: Refuse): T;
}

/** No quotas (services built without one, e.g. in unit tests). */
export const UNGATED: StorageGate = { admit: (_session, _charges, write) => write() };
