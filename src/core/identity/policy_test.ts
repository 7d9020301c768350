import assert from "node:assert/strict";
import { deliveryOf, mayBuild, mayManageWorld, mayPublish } from "./policy.ts";
import { guest, LEGACY_OWNER, OPERATOR, type Principal } from "./principal.ts";

const alice: Principal = { kind: "player", id: "p_000000000000000a", name: "Alice" };
const bob: Principal = { kind: "player", id: "p_000000000000000b", name: "Bob" };
const visitor = guest("c_1");

Deno.test("policy: a new spell is anyone's to build; an existing one its owner's or an operator's", () => {
  assert.deepEqual(mayBuild(bob, "fire", undefined), { ok: true });
  assert.deepEqual(mayBuild(alice, "fire", alice.id), { ok: true });
  assert.deepEqual(mayBuild(OPERATOR, "fire", alice.id), { ok: true });
  const refused = mayBuild(bob, "fire", alice.id);
  assert.equal(refused.ok, false);
  assert.match((refused as { reason: string }).reason, /owner of spell fire.*another player/);
  assert.match(
    (mayBuild(bob, "fire", visitor.id) as { reason: string }).reason,
    /guest connection that created it/,
  );
  assert.match(
    (mayBuild(alice, "fire", LEGACY_OWNER) as { reason: string }).reason,
    /only an operator/,
  );
  assert.deepEqual(mayBuild(OPERATOR, "fire", LEGACY_OWNER), { ok: true });
});

Deno.test("policy: publishing: the owner's draft and beta; stable waits for an operator unless STABLE_PUBLISH=owner", () => {
  assert.deepEqual(mayPublish(alice, "fire", alice.id, "draft", "operator"), { ok: true });
  assert.deepEqual(mayPublish(alice, "fire", alice.id, "beta", "operator"), { ok: true });
  assert.deepEqual(mayPublish(alice, "fire", alice.id, "stable", "operator"), { ok: "pending" });
  assert.deepEqual(mayPublish(alice, "fire", alice.id, "stable", "owner"), { ok: true });
  assert.deepEqual(mayPublish(OPERATOR, "fire", alice.id, "stable", "operator"), { ok: true });
  for (const channel of ["draft", "beta", "stable"] as const) {
    assert.equal(mayPublish(bob, "fire", alice.id, channel, "owner").ok, false, channel);
    assert.equal(mayPublish(visitor, "fire", alice.id, channel, "owner").ok, false, channel);
  }
  assert.equal(mayPublish(alice, "fire", LEGACY_OWNER, "beta", "owner").ok, false);
});

Deno.test("policy: a world is cleared by its owner or an operator", () => {
  assert.deepEqual(mayManageWorld(visitor, visitor.id), { ok: true });
  assert.deepEqual(mayManageWorld(OPERATOR, visitor.id), { ok: true });
  assert.equal(mayManageWorld(guest("c_2"), visitor.id).ok, false, "a guest's reconnect is new");
  assert.match(
    (mayManageWorld(alice, visitor.id) as { reason: string }).reason,
    /connection that created this world/,
  );
  assert.equal(mayManageWorld(bob, alice.id).ok, false);
  assert.equal(mayManageWorld(alice, LEGACY_OWNER).ok, false);
});

Deno.test("policy: delivery: published to everyone, unpublished to its owner only, quarantined to no one", () => {
  const published = { published: true, quarantined: false };
  const draft = { published: false, quarantined: false };
  assert.deepEqual(deliveryOf(bob, alice.id, published), { to: "everyone" });
  assert.deepEqual(deliveryOf(alice, alice.id, draft), { to: "owner" });
  assert.deepEqual(deliveryOf(OPERATOR, alice.id, draft), { to: "owner" });
  assert.deepEqual(deliveryOf(bob, alice.id, draft), {
    to: "nobody",
    reason: "This revision was never published",
  });
  for (const who of [alice, bob, OPERATOR]) {
    for (const published of [true, false]) {
      assert.equal(deliveryOf(who, alice.id, { published, quarantined: true }).to, "nobody");
    }
  }
});
