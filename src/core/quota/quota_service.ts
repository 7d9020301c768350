import type { Limits } from "../limits.ts";
import { ErrorCode, ProtocolError } from "../../protocol/mod.ts";
import type { Cancel, Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { Charge, OwnerUsage } from "../ports/quota_ledger.ts";
import type { Stores, UnitOfWork } from "../ports/unit_of_work.ts";
import type { DataBudget } from "./data_budget.ts";
import { ownerKeyOf } from "./owner.ts";
import type { Payer, Refuse, StorageGate } from "./storage_gate.ts";

const HOUR_MS = 3_600_000;
/** Cached usage is re-read after this long: the collector and finished builds change it too. */
const USAGE_TTL_MS = 2_000;
/** Cached owners beyond this many are dropped (oldest reads first) so the cache stays small. */
const MAX_CACHED_OWNERS = 10_000;
/**
 * Voxel ops are the hot path (thousands a second): their charges are summed in memory and written
 * once a second in one commit, instead of one more page write per op. A crash forgets at most a
 * second of charges; a `clear_world` within that second is over-charged until the collector
 * reconciles the ledger with the op log.
 */
const OPS_FLUSH_MS = 1_000;

export type QuotaLimits = Pick<
  Limits,
  | "maxWorldsPerAddress"
  | "maxSpellsPerAddress"
  | "maxBuildsPerHour"
  | "maxStoredBytesPerAddress"
  | "maxDataBytes"
>;

export interface QuotaServiceOptions {
  /** The stores writes go to outside a unit of work (voxel ops); the ledger is `stores.quota`. */
  stores: Stores;
  /** A write and its charges commit together (the ledger shares the database of what it counts). */
  unitOfWork: UnitOfWork;
  budget: DataBudget;
  limits: QuotaLimits;
  clock: Clock;
  /** For refusal messages: how long unpublished drafts are kept. */
  draftRetentionHours: number;
  /** For refusal messages: when the collector runs next (epoch ms), if it is scheduled. */
  nextCollection?: () => number | undefined;
  log?: Logger;
}

/**
 * Per-owner quotas (worlds, spells, builds per hour, stored bytes) and the server's data budget.
 * Every refusal says which limit and when it frees up.
 */
export class QuotaService implements StorageGate {
  #options: QuotaServiceOptions;
  #cache = new Map<string, { usage: OwnerUsage; readAt: number }>();
  /** Op bytes not yet in the ledger: owner → world → bytes. */
  #pendingOps = new Map<string, Map<string, number>>();
  #flushTimer?: Cancel;
  #closed = false;

  constructor(options: QuotaServiceOptions) {
    this.#options = options;
  }

  async admit<T>(
    payer: Payer,
    charges: readonly Charge[],
    write: (stores: Stores) => Promise<T>,
    refuse?: Refuse,
  ): Promise<T> {
    const { stores, unitOfWork, clock } = this.#options;
    const owner = ownerKeyOf(payer);
    const now = clock.now();
    const usage = this.#cachedUsage(owner, now) ?? await this.#readUsage(owner, now);
    // A spell is charged to whoever creates it; building or drafting an existing one costs none.
    const due: Charge[] = [];
    for (const charge of charges) {
      if (charge.kind !== "spell" || !await stores.quota.spellExists(charge.ref)) due.push(charge);
    }
    const bytes = due.reduce((sum, charge) => sum + charge.bytes, 0);
    // Synchronous on the hot path (cached usage, a fresh data measurement): no extra turns per op.
    let fits = bytes === 0 || this.#options.budget.fits(bytes);
    if (fits instanceof Promise) fits = await fits;
    const refusal = this.#check(usage, due, bytes, now, fits, whoseQuota(owner));
    if (refusal) throw refuse ? refuse(refusal.code, refusal.message) : refusal;

    let result: T;
    if (due.every((charge) => charge.kind === "ops")) {
      result = await write(stores);
      for (const charge of due) this.#deferOps(owner, charge);
    } else {
      const at = new Date(now).toISOString();
      result = await unitOfWork.run(async (tx) => {
        const written = await write(tx);
        for (const charge of due) await tx.quota.charge(owner, charge, at);
        return written;
      });
    }
    for (const charge of due) {
      if (charge.kind === "world") usage.worlds++;
      if (charge.kind === "spell") usage.spells++;
      if (charge.kind === "job") usage.buildTimes.push(now);
    }
    usage.bytes += bytes;
    this.#options.budget.add(bytes);
    return result;
  }

  /** Forgets cached usage (after a collection, which frees quota). */
  invalidate(): void {
    this.#cache.clear();
  }

  /** Writes the op charges still in memory (also once a second); kept if the write fails. */
  async flush(): Promise<void> {
    this.#flushTimer?.();
    this.#flushTimer = undefined;
    if (this.#pendingOps.size === 0) return;
    const at = new Date(this.#options.clock.now()).toISOString();
    const pending = this.#pendingOps;
    this.#pendingOps = new Map();
    try {
      await this.#options.unitOfWork.run(async (tx) => {
        for (const [owner, worlds] of pending) {
          for (const [ref, bytes] of worlds) {
            await tx.quota.charge(owner, { kind: "ops", ref, bytes }, at);
          }
        }
      });
    } catch (error) {
      // Kept for the next try (charges made meanwhile are added to them).
      for (const [owner, worlds] of pending) {
        for (const [ref, bytes] of worlds) this.#addPending(owner, ref, bytes);
      }
      throw error;
    }
  }

  /** Writes what is pending and stops the timer (at shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      this.#flushTimer?.();
      this.#flushTimer = undefined;
    }
  }

  #deferOps(owner: string, charge: Charge): void {
    this.#addPending(owner, charge.ref, charge.bytes);
    if (this.#closed) return;
    this.#flushTimer ??= this.#options.clock.after(OPS_FLUSH_MS, () => {
      this.flush().catch((error) => {
        // The disk is full (or worse): the charges stay pending and the next op retries.
        this.#options.log?.warn("could not record voxel-op quota charges yet", { error });
      });
    });
  }

  #addPending(owner: string, ref: string, bytes: number): void {
    let worlds = this.#pendingOps.get(owner);
    if (!worlds) this.#pendingOps.set(owner, worlds = new Map());
    worlds.set(ref, (worlds.get(ref) ?? 0) + bytes);
  }

  #cachedUsage(owner: string, now: number): OwnerUsage | undefined {
    const cached = this.#cache.get(owner);
    if (!cached || now - cached.readAt >= USAGE_TTL_MS) return undefined;
    const buildTimes = cached.usage.buildTimes;
    if (buildTimes.length > 0 && buildTimes[0]! <= now - HOUR_MS) {
      cached.usage.buildTimes = buildTimes.filter((at) => at > now - HOUR_MS);
    }
    return cached.usage;
  }

  async #readUsage(owner: string, now: number): Promise<OwnerUsage> {
    const usage = await this.#options.stores.quota.usage(
      owner,
      new Date(now - HOUR_MS).toISOString(),
    );
    for (const bytes of this.#pendingOps.get(owner)?.values() ?? []) usage.bytes += bytes;
    this.#cache.delete(owner);
    if (this.#cache.size >= MAX_CACHED_OWNERS) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(owner, { usage, readAt: now });
    return usage;
  }

  #check(
    usage: OwnerUsage,
    due: readonly Charge[],
    bytes: number,
    now: number,
    fitsBudget: boolean,
    who: string,
  ): ProtocolError | undefined {
    const { limits, budget } = this.#options;
    const frees =
      `it frees up as unpublished drafts expire (DRAFT_RETENTION_HOURS = ${this.#options.draftRetentionHours})`;
    for (const charge of due) {
      if (charge.kind === "world" && usage.worlds >= limits.maxWorldsPerAddress) {
        return quota(
          `World quota reached: ${who} has ${usage.worlds} worlds (MAX_WORLDS_PER_ADDRESS = ${limits.maxWorldsPerAddress}); worlds are kept, so it does not reset by itself`,
        );
      }
      if (charge.kind === "spell" && usage.spells >= limits.maxSpellsPerAddress) {
        return quota(
          `Spell quota reached: ${who} has ${usage.spells} spells (MAX_SPELLS_PER_ADDRESS = ${limits.maxSpellsPerAddress}); ${frees}`,
        );
      }
      if (charge.kind === "job" && usage.buildTimes.length >= limits.maxBuildsPerHour) {
        const resetsAt = new Date(usage.buildTimes[0]! + HOUR_MS).toISOString();
        return quota(
          `Build quota reached: ${usage.buildTimes.length} builds in the last hour by ${who} (MAX_BUILDS_PER_HOUR = ${limits.maxBuildsPerHour}); the next one is allowed at ${resetsAt}`,
        );
      }
    }
    if (bytes > limits.maxStoredBytesPerAddress) {
      return new ProtocolError(
        ErrorCode.TOO_LARGE,
        `This needs ${
          formatBytes(bytes)
        }, more than an address may store in all (MAX_STORED_BYTES_PER_ADDRESS = ${
          formatBytes(limits.maxStoredBytesPerAddress)
        })`,
      );
    }
    if (bytes > 0 && usage.bytes + bytes > limits.maxStoredBytesPerAddress) {
      return quota(
        `Storage quota reached: ${who} has ${formatBytes(usage.bytes)} stored and this needs ${
          formatBytes(bytes)
        } more (MAX_STORED_BYTES_PER_ADDRESS = ${
          formatBytes(limits.maxStoredBytesPerAddress)
        }); ${frees}, or when a world's creator clears it`,
      );
    }
    if (!fitsBudget) {
      const next = this.#options.nextCollection?.();
      const when = next === undefined
        ? "when the operator frees space"
        : `after the next collection at ${new Date(Math.max(next, now)).toISOString()}`;
      return quota(
        `The server's storage budget is used up (MAX_DATA_BYTES = ${
          formatBytes(budget.max)
        }); try again ${when}`,
      );
    }
    return undefined;
  }
}

function quota(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.QUOTA_EXCEEDED, message);
}

/** `1536` → `1.5 KiB`; exact powers print without decimals (`64 MiB`). */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}

/** How a refusal names whose quota it is: a player's own, or the address its guests share. */
function whoseQuota(owner: string): string {
  return owner.startsWith("player:") ? "your player" : "this address";
}
