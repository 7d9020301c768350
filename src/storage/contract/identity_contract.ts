import assert from "node:assert/strict";
import { at, contractTest, type StoreFactory } from "./fixture.ts";
import { revision } from "./spell_store_contract.ts";

/**
 * The contracts of issue 15: PlayerStore, ModerationStore, AuditLog, and what SpellStore,
 * WorldStore and JobStore gained for it (owners, standings, quarantine, delete, listings). Every
 * implementation passes these (Postgres joins by its factory, issue 17).
 */
export function identityContract(factory: StoreFactory): void {
  contractTest(factory, "PlayerStore: create, get, count, page oldest first, revoke", async (f) => {
    const { players } = f.stores;
    const player = (id: string, created: number) => ({
      player_id: id,
      display_name: id.toUpperCase(),
      created_at: at(created),
      token_hash: "h".repeat(64),
      token_expires_at: at(1000),
    });
    await players.create(player("p_0000000000000002", 2));
    await players.create(player("p_0000000000000001", 2));
    await players.create(player("p_0000000000000003", 1));
    await assert.rejects(players.create(player("p_0000000000000001", 5)), "ids are unique");
    assert.deepEqual(await players.get("p_0000000000000001"), player("p_0000000000000001", 2));
    assert.equal(await players.get("p_ffffffffffffffff"), undefined);
    assert.equal(await players.count(), 3);
    const first = await players.page(2);
    assert.deepEqual(first.map((p) => p.player_id), ["p_0000000000000003", "p_0000000000000001"]);
    const rest = await players.page(2, { createdAt: at(2), playerId: "p_0000000000000001" });
    assert.deepEqual(rest.map((p) => p.player_id), ["p_0000000000000002"]);
    assert.equal(await players.revokeToken("p_0000000000000001"), true);
    assert.equal((await players.get("p_0000000000000001"))!.token_hash, "");
    assert.equal(await players.revokeToken("p_ffffffffffffffff"), false);
  });

  contractTest(factory, "ModerationStore: reports newest first by status; resolve", async (f) => {
    const { moderation } = f.stores;
    const report = (id: string, created: number) => ({
      report_id: id,
      spell_id: "fire",
      revision_id: "rev_000001_00000000",
      reason: `reason ${id}`,
      reporter: "guest:c_1",
      address: "192.0.2.1",
      created_at: at(created),
      status: "open" as const,
      note: "",
    });
    await moderation.addReport(report("rep_0000000000000001", 1));
    await moderation.addReport(report("rep_0000000000000002", 2));
    assert.equal(await moderation.countReports("open"), 2);
    assert.equal(await moderation.resolveReport("rep_0000000000000001", "handled"), true);
    assert.equal(await moderation.resolveReport("rep_ffffffffffffffff", "x"), false);
    assert.deepEqual(await moderation.getReport("rep_0000000000000001"), {
      ...report("rep_0000000000000001", 1),
      status: "resolved",
      note: "handled",
    });
    assert.deepEqual(
      (await moderation.listReports("open", 10)).map((r) => r.report_id),
      ["rep_0000000000000002"],
    );
    assert.deepEqual(
      (await moderation.listReports(undefined, 10)).map((r) => r.report_id),
      ["rep_0000000000000002", "rep_0000000000000001"],
    );
    assert.equal((await moderation.listReports(undefined, 1)).length, 1);
    assert.equal(await moderation.countReports("resolved"), 1);
  });

  contractTest(factory, "ModerationStore: bans in force until they expire; remove", async (f) => {
    const { moderation } = f.stores;
    await moderation.addBan({
      ban_id: "ban_0000000000000001",
      address: "203.0.113.0/24",
      reason: "bots",
      expires_at: at(100),
      created_at: at(1),
    });
    await moderation.addBan({
      ban_id: "ban_0000000000000002",
      player_id: "p_0000000000000001",
      reason: "cheat",
      expires_at: "",
      created_at: at(2),
    });
    assert.deepEqual(await moderation.activeBans(at(50)), [
      {
        ban_id: "ban_0000000000000002",
        player_id: "p_0000000000000001",
        reason: "cheat",
        expires_at: "",
        created_at: at(2),
      },
      {
        ban_id: "ban_0000000000000001",
        address: "203.0.113.0/24",
        reason: "bots",
        expires_at: at(100),
        created_at: at(1),
      },
    ]);
    assert.deepEqual(
      (await moderation.activeBans(at(100))).map((b) => b.ban_id),
      ["ban_0000000000000002"],
      "expired at its expiry",
    );
    assert.equal(await moderation.removeBan("ban_0000000000000002"), true);
    assert.equal(await moderation.removeBan("ban_0000000000000002"), false);
    assert.deepEqual(await moderation.activeBans(at(200)), []);
  });

  contractTest(
    factory,
    "ModerationStore: one stable request per spell, replaced, cleared",
    async (f) => {
      const { moderation } = f.stores;
      const request = (revisionId: string) => ({
        spell_id: "fire",
        revision_id: revisionId,
        requested_by: "p_0000000000000001",
        requested_at: at(1),
      });
      assert.equal(await moderation.stableRequest("fire"), undefined);
      await moderation.requestStable(request("rev_000001_00000000"));
      await moderation.requestStable(request("rev_000002_00000000"));
      assert.deepEqual(await moderation.stableRequest("fire"), request("rev_000002_00000000"));
      await moderation.clearStableRequest("fire");
      assert.equal(await moderation.stableRequest("fire"), undefined);
    },
  );

  contractTest(factory, "AuditLog: ids in order, filters, newest first, paging", async (f) => {
    const { audit } = f.stores;
    const entry = (actor: string, action: string, seconds: number) => ({
      at: at(seconds),
      actor,
      address: "192.0.2.1",
      action,
      target: "spell:fire/rev_000001_00000000",
      detail: { channel: "beta", nested: { n: 1 } },
    });
    assert.equal(await audit.append(entry("operator", "publish", 1)), 1);
    assert.equal(await audit.append(entry("p_0000000000000001", "publish", 2)), 2);
    assert.equal(await audit.append(entry("operator", "quarantine", 3)), 3);
    assert.deepEqual((await audit.list({ limit: 10 })).map((e) => e.id), [3, 2, 1]);
    assert.deepEqual(await audit.list({ limit: 1, actor: "p_0000000000000001" }), [
      { id: 2, ...entry("p_0000000000000001", "publish", 2) },
    ]);
    assert.deepEqual((await audit.list({ limit: 10, action: "publish" })).map((e) => e.id), [2, 1]);
    assert.deepEqual((await audit.list({ limit: 10, since: at(2) })).map((e) => e.id), [3, 2]);
    assert.deepEqual((await audit.list({ limit: 10, beforeId: 3 })).map((e) => e.id), [2, 1]);
  });

  contractTest(
    factory,
    "AuditLog: append and list are the whole port (no way to rewrite history)",
    (f) => {
      const methods = new Set<string>();
      for (
        let proto = Object.getPrototypeOf(f.stores.audit);
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto)
      ) {
        for (const name of Object.getOwnPropertyNames(proto)) {
          if (name !== "constructor") methods.add(name);
        }
      }
      assert.deepEqual([...methods].sort(), ["append", "list"]);
      return Promise.resolve();
    },
  );

  contractTest(
    factory,
    "SpellStore: owners, standings, quarantine, clearing a channel",
    async (f) => {
      const { spells } = f.stores;
      await spells.ensure("fire", "Fire", at(0), "p_0000000000000001");
      assert.equal(await spells.ensure("fire", "Fire", at(1), "guest:c_thief"), false);
      assert.equal(await spells.ownerOf("fire"), "p_0000000000000001", "the first owner stays");
      assert.equal(await spells.ownerOf("nope"), undefined);
      const one = revision("fire", 1);
      const two = revision("fire", 2);
      await spells.addRevision(one, at(1));
      await spells.addRevision(two, at(2));
      const id1 = one.manifest.revision_id;
      const id2 = two.manifest.revision_id;
      assert.deepEqual(await spells.standing("fire", id1), {
        published: false,
        quarantined: false,
      });
      await spells.setActive("fire", "draft", id1, at(3));
      assert.deepEqual(
        await spells.standing("fire", id1),
        { published: false, quarantined: false },
        "a draft is not published",
      );
      await spells.setActive("fire", "beta", id1, at(4));
      await spells.setActive("fire", "beta", id2, at(5));
      assert.deepEqual(await spells.standing("fire", id1), { published: true, quarantined: false });
      await spells.quarantine("fire", id2, at(6));
      assert.deepEqual(await spells.standing("fire", id2), { published: true, quarantined: true });
      assert.equal(await spells.standing("ice", id2), undefined, "another spell's revision");
      const standings = await spells.standings("fire");
      assert.deepEqual(standings.get(id1), { published: true, quarantined: false });
      assert.deepEqual(standings.get(id2), { published: true, quarantined: true });
      assert.equal(standings.size, 2);
      await spells.clearActive("fire", "beta", at(7));
      const spell = (await spells.get("fire"))!;
      assert.equal(spell.active_beta_rev, "");
      assert.equal(spell.updated_at, at(7));
      assert.deepEqual(await spells.castable(10), []);
    },
  );

  contractTest(
    factory,
    "WorldStore: owner_id is kept; delete takes ops and quota charges",
    async (f) => {
      const { worlds, quota } = f.stores;
      const record = {
        world_id: "world_0000000a",
        name: "A",
        description: "",
        created_by: "c_1",
        owner_id: "p_0000000000000001",
        created_at: at(1),
        updated_at: at(1),
        last_active_at: "",
      };
      await worlds.create(record);
      assert.equal((await worlds.get("world_0000000a"))!.owner_id, "p_0000000000000001");
      const op = { op: "subtract_sphere" as const, center: { x: 0, y: 0, z: 0 }, radius: 1 };
      await worlds.append("world_0000000a", [op, op], at(2), 100);
      await quota.charge("player:p_0000000000000001", {
        kind: "world",
        ref: "world_0000000a",
        bytes: 100,
      }, at(1));
      await quota.charge("addr:x", { kind: "ops", ref: "world_0000000a", bytes: 50 }, at(2));
      const count = await worlds.count();
      assert.equal(await worlds.delete("world_0000000a"), true);
      assert.equal(await worlds.get("world_0000000a"), undefined);
      assert.equal(await worlds.count(), count - 1);
      assert.equal(await worlds.opCount("world_0000000a"), 0);
      assert.equal((await quota.usage("player:p_0000000000000001", at(0))).worlds, 0);
      assert.equal((await quota.usage("addr:x", at(0))).bytes, 0);
      assert.equal(await worlds.delete("world_0000000a"), false);
    },
  );

  contractTest(factory, "JobStore: list newest first, by status, with who asked", async (f) => {
    const { jobs, spells } = f.stores;
    await spells.ensure("fire", "Fire", at(0), "owner");
    const request = { prompt: "", metadata: {}, parentRevisionId: "" };
    await jobs.create({
      jobId: "job_000000000001",
      spellId: "fire",
      request,
      requestedBy: "c_1",
      now: at(1),
    });
    await jobs.create({
      jobId: "job_000000000002",
      spellId: "fire",
      request,
      requestedBy: "c_2",
      now: at(2),
    });
    await jobs.fail("job_000000000001", "no", { stage: "validate", pct: 60 }, at(3));
    const all = await jobs.list(undefined, 10);
    assert.deepEqual(all.map((j) => [j.job_id, j.status, j.requested_by]), [
      ["job_000000000002", "pending", "c_2"],
      ["job_000000000001", "failed", "c_1"],
    ]);
    assert.deepEqual((await jobs.list("failed", 10)).map((j) => j.job_id), ["job_000000000001"]);
    assert.equal((await jobs.list(undefined, 1)).length, 1);
  });
}
