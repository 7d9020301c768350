import assert from "node:assert/strict";
import { land, world } from "./world_store_contract.ts";
import { at, contractTest, type StoreFactory } from "./fixture.ts";

/** A promise that settles on a later macrotask, as a network round trip would. */
const later = () => new Promise((resolve) => setTimeout(resolve, 5));

/** The UnitOfWork contract: every implementation passes these. */
export function unitOfWorkContract(factory: StoreFactory): void {
  contractTest(factory, "UnitOfWork: what the body wrote commits together", async (f) => {
    const result = await f.unitOfWork.run(async (tx) => {
      await tx.spells.ensure("fire", "Fire", at(0), "owner");
      await tx.jobs.create({
        jobId: "job_000000000001",
        spellId: "fire",
        request: { prompt: "", metadata: {}, parentRevisionId: "" },
        requestedBy: "c_a",
        now: at(0),
      });
      return "done";
    });
    assert.equal(result, "done");
    assert.ok(await f.stores.spells.get("fire"));
    assert.equal((await f.stores.jobs.get("job_000000000001"))!.status, "pending");
  });

  contractTest(factory, "UnitOfWork: a body that throws leaves nothing behind", async (f) => {
    await f.stores.worlds.create(world("world_00000001"));
    await assert.rejects(
      f.unitOfWork.run(async (tx) => {
        await tx.worlds.create(world("world_00000002"));
        await tx.worlds.append("world_00000001", [land(1)], at(1), 10);
        await tx.quota.charge("addr:a", { kind: "world", ref: "world_00000002", bytes: 1 }, at(1));
        await tx.spells.ensure("fire", "Fire", at(0), "owner");
        throw new Error("refused");
      }),
      /refused/,
    );
    assert.equal(await f.stores.worlds.get("world_00000002"), undefined);
    assert.equal(await f.stores.worlds.opCount("world_00000001"), 0);
    assert.equal(await f.stores.worlds.lastSeq("world_00000001"), 0);
    assert.equal(await f.stores.spells.get("fire"), undefined);
    assert.equal((await f.stores.quota.usage("addr:a", at(0))).worlds, 0);
    // And the seqs it would have taken are given out again.
    const appended = await f.stores.worlds.append("world_00000001", [land(2)], at(2), 10);
    assert.deepEqual(appended, { ok: true, firstSeq: 1, lastSeq: 1, count: 1 });
  });

  contractTest(
    factory,
    "UnitOfWork: another caller never sees uncommitted writes, and sees them once committed",
    async (f) => {
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => inside = resolve);
      const work = f.unitOfWork.run(async (tx) => {
        await tx.worlds.create(world("world_00000001"));
        inside();
        await later(); // the body waits on something else while the unit of work is open
        await tx.worlds.append("world_00000001", [land(1)], at(1), 10);
      });
      await entered;
      const seen = await f.stores.worlds.opCount("world_00000001");
      await work;
      assert.equal(seen, 1, "the read waited for the commit");
      assert.equal(await f.stores.worlds.lastSeq("world_00000001"), 1);
    },
  );

  contractTest(
    factory,
    "UnitOfWork: a read that waited on a rolled-back unit of work sees the state before it",
    async (f) => {
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => inside = resolve);
      const work = f.unitOfWork.run(async (tx) => {
        await tx.worlds.create(world("world_00000001"));
        inside();
        await later();
        throw new Error("rolled back");
      });
      await entered;
      const seen = f.stores.worlds.get("world_00000001");
      await assert.rejects(work);
      assert.equal(await seen, undefined);
    },
  );

  contractTest(factory, "UnitOfWork: units of work run one after another", async (f) => {
    const order: string[] = [];
    const first = f.unitOfWork.run(async (tx) => {
      order.push("first begins");
      await later();
      await tx.spells.ensure("a", "A", at(0), "owner");
      order.push("first ends");
    });
    const second = f.unitOfWork.run(async (tx) => {
      order.push("second begins");
      assert.ok(await tx.spells.get("a"), "the first committed before the second began");
      order.push("second ends");
    });
    await Promise.all([first, second]);
    assert.deepEqual(order, ["first begins", "first ends", "second begins", "second ends"]);
  });
}
