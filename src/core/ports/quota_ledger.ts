/**
 * What a write adds to its owner's account. Bytes are what the rows and files cost on disk,
 * roughly: the text stored plus a fixed allowance for ids, timestamps and index entries.
 */
export type ChargeKind = "world" | "spell" | "job" | "ops";

export interface Charge {
  kind: ChargeKind;
  /** The world, spell or job id (for ops: the world they were appended to). */
  ref: string;
  bytes: number;
}

/** What an owner has stored now, and when it started its builds of the last hour. */
export interface OwnerUsage {
  worlds: number;
  spells: number;
  bytes: number;
  /** Epoch milliseconds, oldest first. */
  buildTimes: number[];
}

/**
 * The quota ledger: one entry per world, spell, build job and revision an owner stored, and one per
 * (world, owner) summing the voxel ops the owner appended there. Entries leave with what they count
 * (the collector, `WorldStore.clear`), so usage is always "what is stored now".
 */
export interface QuotaLedger {
  usage(owner: string, windowStart: string): Promise<OwnerUsage>;
  spellExists(spellId: string): Promise<boolean>;
  /** Adds an entry (for ops: adds to the owner's entry for that world). */
  charge(owner: string, charge: Charge, at: string): Promise<void>;
}
