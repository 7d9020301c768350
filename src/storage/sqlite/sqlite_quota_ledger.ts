import type { Charge, OwnerUsage, QuotaLedger } from "../../core/ports/quota_ledger.ts";
import type { Database } from "./db.ts";
import type { Run } from "./run.ts";

/**
 * The quota ledger on SQLite: one row per world, spell, build job and revision an owner stored,
 * and one per (world, owner) summing the voxel ops the owner appended there. Rows leave with what
 * they count (the collector, `clear_world`), so usage is always "what is stored now".
 */
export class SqliteQuotaLedger implements QuotaLedger {
  #run: Run;
  #statements;

  constructor(db: Database, run: Run) {
    this.#run = run;
    this.#statements = {
      usage: db.prepare(
        `SELECT kind, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM quota_ledger
         WHERE owner = ? GROUP BY kind`,
      ),
      builds: db.prepare(
        `SELECT at FROM quota_ledger WHERE owner = ? AND kind = 'job' AND at > ? ORDER BY at`,
      ),
      spellExists: db.prepare("SELECT 1 AS found FROM spells WHERE spell_id = ?"),
      charge: db.prepare(
        `INSERT INTO quota_ledger (owner, kind, ref, bytes, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, ref, owner) DO UPDATE SET bytes = bytes + excluded.bytes`,
      ),
    };
  }

  usage(owner: string, windowStart: string): Promise<OwnerUsage> {
    return this.#run(() => this.#usage(owner, windowStart));
  }

  #usage(owner: string, windowStart: string): OwnerUsage {
    const usage: OwnerUsage = { worlds: 0, spells: 0, bytes: 0, buildTimes: [] };
    for (
      const row of this.#statements.usage.all(owner) as { kind: string; n: number; bytes: number }[]
    ) {
      if (row.kind === "world") usage.worlds = Number(row.n);
      if (row.kind === "spell") usage.spells = Number(row.n);
      usage.bytes += Number(row.bytes);
    }
    usage.buildTimes = (this.#statements.builds.all(owner, windowStart) as { at: string }[])
      .map((row) => Date.parse(row.at));
    return usage;
  }

  spellExists(spellId: string): Promise<boolean> {
    return this.#run(() => this.#statements.spellExists.get(spellId) !== undefined);
  }

  charge(owner: string, charge: Charge, at: string): Promise<void> {
    return this.#run(() => {
      this.#statements.charge.run(owner, charge.kind, charge.ref, charge.bytes, at);
    });
  }
}
