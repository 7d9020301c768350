import assert from "node:assert/strict";
import { ErrorCode } from "../../protocol/mod.ts";
import { startCore } from "../../testing/core_harness.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { DataBudget } from "./data_budget.ts";
import { QuotaService } from "./quota_service.ts";

const LIMITS = {
  maxWorldsPerAddress: 2,
  maxSpellsPerAddress: 2,
  maxBuildsPerHour: 2,
  maxStoredBytesPerAddress: 4000,
  maxDataBytes: 1_000_000,
};

function withQuota(measured = 0) {
  let quota!: QuotaService;
  const core = startCore({
    limits: { ...LIMITS, worldCreatesPerMinute: 100 },
    quota: (stores, unitOfWork) =>
      quota = new QuotaService({
        stores,
        unitOfWork,
        budget: new DataBudget({
          max: LIMITS.maxDataBytes,
          measure: () => Promise.resolve(measured),
          clock: new FakeClock(),
        }),
        limits: LIMITS,
        clock: new FakeClock(),
        draftRetentionHours: 24,
      }),
  });
  return { core, quota: () => quota };
}

Deno.test("QuotaService: worlds per address, and the refusal says which limit", async () => {
  const { core } = withQuota();
  const a = core.connect({ address: "192.0.2.1" });
  for (let i = 0; i < 3; i++) await core.send(a, "world.create", { name: `w${i}` });
  const refusal = a.sent.at(-1)!.payload;
  assert.equal(refusal.code, ErrorCode.QUOTA_EXCEEDED);
  assert.match(String(refusal.message), /MAX_WORLDS_PER_ADDRESS = 2/);
  assert.equal(await core.stores.worlds.count(), 2);
  const usage = await core.stores.quota.usage("addr:192.0.2.1", "");
  assert.equal(usage.worlds, 2, "each world and its charge committed together");
  const b = core.connect({ address: "192.0.2.2" });
  await core.send(b, "world.create", { name: "theirs" });
  assert.equal(b.sent.at(-1)!.event, "world.created");
  await core.close();
});

Deno.test("QuotaService: voxel-op charges are summed in memory and written once", async () => {
  const { core, quota } = withQuota();
  const a = core.connect();
  await core.send(a, "world.create", { name: "w" });
  const worldId = (a.sent.at(-1)!.payload.world as { world_id: string }).world_id;
  await core.send(a, "world.join", { world_id: worldId });
  const before = (await core.stores.quota.usage("addr:192.0.2.1", "")).bytes;
  for (let x = 0; x < 5; x++) {
    await core.send(a, "request_spell", { spell: { type: "dig", center: { x, y: 0, z: 0 } } });
  }
  assert.equal((await core.stores.quota.usage("addr:192.0.2.1", "")).bytes, before);
  await quota().flush();
  const after = (await core.stores.quota.usage("addr:192.0.2.1", "")).bytes;
  assert.ok(after > before + 5 * 80, `${after - before} bytes charged for 5 ops`);
  // Stored bytes bound ops too: the address's 4000 bytes run out.
  for (let x = 0; x < 40; x++) {
    await core.send(a, "request_spell", {
      spell: { type: "dig", center: { x: x + 10, y: 0, z: 0 } },
    });
  }
  assert.equal(a.sent.at(-1)!.event, "spell_rejected");
  assert.equal(a.sent.at(-1)!.payload.code, ErrorCode.QUOTA_EXCEEDED);
  await quota().close();
  await core.close();
});

Deno.test("QuotaService: the server's data budget refuses writes once used up", async () => {
  const { core } = withQuota(LIMITS.maxDataBytes - 100);
  const a = core.connect();
  await core.send(a, "world.create", { name: "w" });
  assert.equal(a.sent.at(-1)!.payload.code, ErrorCode.QUOTA_EXCEEDED);
  assert.match(String(a.sent.at(-1)!.payload.message), /MAX_DATA_BYTES/);
  await core.close();
});
