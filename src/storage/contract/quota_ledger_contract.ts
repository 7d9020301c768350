import assert from "node:assert/strict";
import { at, contractTest, type StoreFactory } from "./fixture.ts";

/** The QuotaLedger contract: every implementation passes these. */
export function quotaLedgerContract(factory: StoreFactory): void {
  contractTest(
    factory,
    "QuotaLedger: usage counts worlds and spells, sums bytes, lists builds in the window",
    async (f) => {
      const { quota, spells } = f.stores;
      await quota.charge("addr:a", { kind: "world", ref: "world_00000001", bytes: 300 }, at(1));
      await quota.charge("addr:a", { kind: "spell", ref: "fire", bytes: 256 }, at(2));
      await quota.charge("addr:a", { kind: "job", ref: "job_000000000001", bytes: 10 }, at(3));
      await quota.charge("addr:a", { kind: "job", ref: "job_000000000002", bytes: 10 }, at(20));
      await quota.charge("addr:a", { kind: "ops", ref: "world_00000001", bytes: 80 }, at(4));
      await quota.charge("addr:a", { kind: "ops", ref: "world_00000001", bytes: 90 }, at(5));
      await quota.charge("addr:b", { kind: "world", ref: "world_00000002", bytes: 1 }, at(1));
      assert.deepEqual(await quota.usage("addr:a", at(10)), {
        worlds: 1,
        spells: 1,
        bytes: 300 + 256 + 20 + 170,
        buildTimes: [Date.parse(at(20))],
      });
      assert.deepEqual(await quota.usage("addr:nobody", at(0)), {
        worlds: 0,
        spells: 0,
        bytes: 0,
        buildTimes: [],
      });
      assert.equal(await quota.spellExists("fire"), false, "the ledger is not the spell table");
      await spells.ensure("fire", "Fire", at(0), "owner");
      assert.equal(await quota.spellExists("fire"), true);
    },
  );
}
