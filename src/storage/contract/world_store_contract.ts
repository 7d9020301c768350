import assert from "node:assert/strict";
import type { WorldRecord } from "../../core/ports/world_store.ts";
import type { VoxelOp } from "../../protocol/mod.ts";
import { at, contractTest, type StoreFactory } from "./fixture.ts";

export function world(id: string, createdAt = at(0), lastActive = ""): WorldRecord {
  return {
    world_id: id,
    name: `World ${id}`,
    description: "",
    created_by: "c_test",
    owner_id: "guest:c_test",
    created_at: createdAt,
    updated_at: createdAt,
    last_active_at: lastActive,
  };
}

export const land = (x: number): VoxelOp => ({
  op: "add_sphere",
  center: { x, y: 0.5, z: -1.25 },
  radius: 2,
  material_id: 3,
});
export const dig = (x: number): VoxelOp => ({
  op: "subtract_sphere",
  center: { x, y: 0, z: 0 },
  radius: 1.5,
});

/** The WorldStore contract: every implementation passes these. */
export function worldStoreContract(factory: StoreFactory): void {
  contractTest(factory, "WorldStore: create, get, count; a duplicate id is refused", async (f) => {
    const worlds = f.stores.worlds;
    assert.equal(await worlds.count(), 0);
    assert.equal(await worlds.get("world_00000001"), undefined);
    await worlds.create(world("world_00000001"));
    assert.deepEqual(await worlds.get("world_00000001"), world("world_00000001"));
    await assert.rejects(worlds.create(world("world_00000001")));
    await worlds.create(world("world_00000002"));
    assert.equal(await worlds.count(), 2);
  });

  contractTest(
    factory,
    "WorldStore: pages are newest first and a cursor never skips or repeats",
    async (f) => {
      const worlds = f.stores.worlds;
      // Two share a creation time: the id breaks the tie.
      for (
        const [id, s] of [["world_0000000a", 1], ["world_0000000b", 2], ["world_0000000c", 2], [
          "world_0000000d",
          3,
        ]] as const
      ) {
        await worlds.create(world(id, at(s)));
      }
      const first = await worlds.page(2);
      assert.deepEqual(first.map((w) => w.world_id), ["world_0000000d", "world_0000000c"]);
      const last = first.at(-1)!;
      const second = await worlds.page(10, { createdAt: last.created_at, worldId: last.world_id });
      assert.deepEqual(second.map((w) => w.world_id), ["world_0000000b", "world_0000000a"]);
    },
  );

  contractTest(
    factory,
    "WorldStore: byActivity lists the last active first, never-active ones last (newest first)",
    async (f) => {
      const worlds = f.stores.worlds;
      await worlds.create(world("world_00000001", at(1)));
      await worlds.create(world("world_00000002", at(2)));
      await worlds.create(world("world_00000003", at(3)));
      await worlds.create(world("world_00000004", at(4), at(5)));
      await worlds.recordActivity([["world_00000001", at(10)], ["world_00000004", at(6)]]);
      const order = (await worlds.byActivity(10)).map((w) => w.world_id);
      assert.deepEqual(order, [
        "world_00000001",
        "world_00000004",
        "world_00000003",
        "world_00000002",
      ]);
      assert.equal((await worlds.get("world_00000001"))!.last_active_at, at(10));
      assert.equal((await worlds.byActivity(1)).length, 1);
    },
  );

  contractTest(
    factory,
    "WorldStore: appends take consecutive seqs from 1; the cap refuses all or none",
    async (f) => {
      const worlds = f.stores.worlds;
      await worlds.create(world("world_00000001"));
      await worlds.create(world("world_00000002"));
      assert.equal(await worlds.lastSeq("world_00000001"), 0);
      assert.deepEqual(await worlds.append("world_00000001", [land(1)], at(1), 5), {
        ok: true,
        firstSeq: 1,
        lastSeq: 1,
        count: 1,
      });
      assert.deepEqual(await worlds.append("world_00000001", [dig(2), land(3)], at(1), 5), {
        ok: true,
        firstSeq: 2,
        lastSeq: 3,
        count: 3,
      });
      // Seqs are per world.
      assert.deepEqual(await worlds.append("world_00000002", [land(9)], at(1), 5), {
        ok: true,
        firstSeq: 1,
        lastSeq: 1,
        count: 1,
      });
      assert.deepEqual(
        await worlds.append("world_00000001", [land(4), land(5), land(6)], at(1), 5),
        {
          ok: false,
          count: 3,
        },
      );
      assert.equal(await worlds.opCount("world_00000001"), 3);
      assert.equal(await worlds.lastSeq("world_00000001"), 3);
      const ops = await worlds.opsAfter("world_00000001", 0, 100, 100);
      assert.deepEqual(ops, [{ seq: 1, op: land(1) }, { seq: 2, op: dig(2) }, {
        seq: 3,
        op: land(3),
      }]);
      await assert.rejects(worlds.append("world_00000009", [land(1)], at(1), 5), "no such world");
    },
  );

  contractTest(
    factory,
    "WorldStore: opsAfter reads a range in seq order, at most `limit`",
    async (f) => {
      const worlds = f.stores.worlds;
      await worlds.create(world("world_00000001"));
      await worlds.append(
        "world_00000001",
        Array.from({ length: 10 }, (_, i) => land(i)),
        at(1),
        100,
      );
      const page = await worlds.opsAfter("world_00000001", 2, 8, 3);
      assert.deepEqual(page.map((op) => op.seq), [3, 4, 5]);
      assert.deepEqual(page.map((op) => op.op.center.x), [2, 3, 4]);
      assert.deepEqual((await worlds.opsAfter("world_00000001", 6, 8, 10)).map((op) => op.seq), [
        7,
        8,
      ]);
      assert.deepEqual(await worlds.opsAfter("world_00000001", 10, 20, 10), []);
    },
  );

  contractTest(factory, "WorldStore: a sync plan bounds every op's JSON size", async (f) => {
    const worlds = f.stores.worlds;
    await worlds.create(world("world_00000001"));
    const empty = await worlds.syncPlan("world_00000001");
    assert.deepEqual([empty.lastSeq, empty.count], [0, 0]);
    const ops = [land(1), { ...land(123456.125), material_id: 255 }, dig(-7)];
    await worlds.append("world_00000001", ops, at(1), 100);
    const plan = await worlds.syncPlan("world_00000001");
    assert.equal(plan.lastSeq, 3);
    assert.equal(plan.count, 3);
    const largest = Math.max(
      ...ops.map((op) => new TextEncoder().encode(JSON.stringify(op)).length),
    );
    assert.ok(plan.maxOpJsonBytes >= largest, `${plan.maxOpJsonBytes} < ${largest}`);
    assert.ok(plan.maxOpJsonBytes <= largest + 16);
  });

  contractTest(
    factory,
    "WorldStore: clear takes the next seq, removes the ops and their ledger charges; appends continue after it",
    async (f) => {
      const { worlds, quota } = f.stores;
      await worlds.create(world("world_00000001"));
      await worlds.append("world_00000001", [land(1), land(2)], at(1), 100);
      await quota.charge("addr:a", { kind: "ops", ref: "world_00000001", bytes: 200 }, at(1));
      await quota.charge("addr:a", { kind: "world", ref: "world_00000001", bytes: 300 }, at(1));
      assert.deepEqual(await worlds.clear("world_00000001"), { seq: 3, removed: 2 });
      assert.equal(await worlds.opCount("world_00000001"), 0);
      assert.equal(await worlds.lastSeq("world_00000001"), 3);
      assert.deepEqual(await worlds.opsAfter("world_00000001", 0, 100, 100), []);
      assert.equal((await worlds.syncPlan("world_00000001")).count, 0);
      assert.equal((await quota.usage("addr:a", at(0))).bytes, 300, "the ops' charge is gone");
      assert.deepEqual(await worlds.append("world_00000001", [dig(5)], at(2), 1), {
        ok: true,
        firstSeq: 4,
        lastSeq: 4,
        count: 1,
      });
      const plan = await worlds.syncPlan("world_00000001");
      assert.equal(plan.lastSeq, 4);
      assert.equal(plan.count, 1);
      assert.deepEqual(await worlds.opsAfter("world_00000001", 0, 4, 10), [{ seq: 4, op: dig(5) }]);
    },
  );
}
