import type { Charge, OwnerUsage, QuotaLedger } from "../../core/ports/quota_ledger.ts";
import type { AsyncRun as Run } from "./async_gate.ts";
import type { Sql } from "./pg.ts";

/**
 * The quota ledger on Postgres, shared by every node: an owner's usage is the same whichever node
 * asks (each node caches it briefly; see QuotaService).
 */
export class PgQuotaLedger implements QuotaLedger {
  #sql: Sql;
  #run: Run;

  constructor(sql: Sql, run: Run) {
    this.#sql = sql;
    this.#run = run;
  }

  usage(owner: string, windowStart: string): Promise<OwnerUsage> {
    return this.#run(async () => {
      const usage: OwnerUsage = { worlds: 0, spells: 0, bytes: 0, buildTimes: [] };
      const rows = await this.#sql<{ kind: string; n: string; bytes: string }[]>`
        SELECT kind, count(*) AS n, coalesce(sum(bytes), 0) AS bytes FROM quota_ledger
        WHERE owner = ${owner} GROUP BY kind`;
      for (const row of rows) {
        if (row.kind === "world") usage.worlds = Number(row.n);
        if (row.kind === "spell") usage.spells = Number(row.n);
        usage.bytes += Number(row.bytes);
      }
      const builds = await this.#sql<{ at: string }[]>`
        SELECT at FROM quota_ledger WHERE owner = ${owner} AND kind = 'job' AND at > ${windowStart}
        ORDER BY at`;
      usage.buildTimes = builds.map((row) => Date.parse(row.at));
      return usage;
    });
  }

  spellExists(spellId: string): Promise<boolean> {
    return this.#run(async () => {
      const rows = await this.#sql`SELECT 1 FROM spells WHERE spell_id = ${spellId}`;
      return rows.length > 0;
    });
  }

  charge(owner: string, charge: Charge, at: string): Promise<void> {
    return this.#run(async () => {
      await this.#sql`
        INSERT INTO quota_ledger (owner, kind, ref, bytes, at)
        VALUES (${owner}, ${charge.kind}, ${charge.ref}, ${charge.bytes}, ${at})
        ON CONFLICT (kind, ref, owner) DO UPDATE SET bytes = quota_ledger.bytes + excluded.bytes`;
    });
  }
}
