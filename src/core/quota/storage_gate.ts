import type { ErrorCode, ProtocolError } from "../../protocol/mod.ts";
import type { Principal } from "../identity/principal.ts";
import type { Charge } from "../ports/quota_ledger.ts";
import type { Stores } from "../ports/unit_of_work.ts";

/** Builds the refusal a service wants (`spell_rejected` for ops, say) from a code and message. */
export type Refuse = (code: ErrorCode, message: string) => ProtocolError;

/** Who a write is charged to: a player, else the client's address (see owner.ts). */
export interface Payer {
  readonly address: string;
  readonly principal?: Principal;
}

/**
 * Where services store anything a client asked for: `admit` checks the owner's quotas and the
 * server's data budget, then runs `write` and records the charges in the same unit of work.
 * `write` must use the stores it is given (they may be bound to that unit of work).
 */
export interface StorageGate {
  admit<T>(
    payer: Payer,
    charges: readonly Charge[],
    write: (stores: Stores) => Promise<T>,
    refuse?: Refuse,
  ): Promise<T>;
}

/** No quotas (services built without one, e.g. in unit tests): `write` runs on `stores`. */
export function ungated(stores: Stores): StorageGate {
  return { admit: (_payer, _charges, write) => write(stores) };
}
