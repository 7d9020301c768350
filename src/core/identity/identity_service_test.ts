import assert from "node:assert/strict";
import { memoryStores } from "../../storage/memory/memory_stores.ts";
import { FakeClock } from "../../testing/fake_clock.ts";
import { IdentityRefusal, IdentityService } from "./identity_service.ts";
import { OPERATOR } from "./principal.ts";

const ADMIN = "an-operator-token-of-at-least-32-characters";

function service(options: { perHour?: number } = {}) {
  const { stores } = memoryStores();
  const clock = new FakeClock();
  const identity = new IdentityService({
    players: stores.players,
    moderation: stores.moderation,
    clock,
    adminToken: ADMIN,
    tokenTtlDays: 30,
    playerCreatesPerHour: options.perHour ?? 10,
  });
  return { identity, stores, clock };
}

async function refusal(promise: Promise<unknown>): Promise<IdentityRefusal> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IdentityRefusal) return error;
    throw error;
  }
  throw new Error("not refused");
}

Deno.test("IdentityService: a player's token names it; no token is a guest; ADMIN_TOKEN the operator", async () => {
  const { identity, stores } = service();
  const { player_id, token } = await identity.createPlayer("192.0.2.1", " Alice ");
  assert.deepEqual(await identity.authenticate(token, "192.0.2.9"), {
    kind: "player",
    id: player_id,
    name: "Alice",
  });
  assert.equal(await identity.authenticate(null, "192.0.2.1"), undefined);
  assert.equal(await identity.authenticate("", "192.0.2.1"), undefined);
  assert.deepEqual(await identity.authenticate(ADMIN, "192.0.2.1"), OPERATOR);
  const stored = (await stores.players.get(player_id))!;
  assert.notEqual(stored.token_hash, token, "only the hash is stored");
  assert.ok(!JSON.stringify(stored).includes(token.split(".")[2]!));
});

Deno.test("IdentityService: wrong, malformed, huge, revoked and expired tokens are refused (401), never a guest", async () => {
  const { identity, clock } = service();
  const { player_id, token } = await identity.createPlayer("192.0.2.1", undefined);
  const other = await identity.createPlayer("192.0.2.1", "Bob");
  const wrongSecret = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
  const otherSecret = `ugc1.${player_id}.${other.token.split(".")[2]}`;
  for (
    const bad of [
      wrongSecret,
      otherSecret,
      "ugc1.p_0000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "nonsense",
      ADMIN + "x",
      "x".repeat(100_000),
    ]
  ) {
    const refused = await refusal(identity.authenticate(bad, "192.0.2.1"));
    assert.equal(refused.status, 401, bad.slice(0, 40));
    assert.equal(refused.message, "Invalid token");
  }
  assert.equal(await identity.revoke(player_id), true);
  assert.equal((await refusal(identity.authenticate(token, "x"))).message, "Token revoked");
  await clock.advance(31 * 86_400_000);
  assert.match((await refusal(identity.authenticate(other.token, "x"))).message, /expired/);
});

Deno.test("IdentityService: bans of an address range or a player refuse (403) until they expire; the operator is never banned", async () => {
  const { identity, stores, clock } = service();
  const { player_id, token } = await identity.createPlayer("192.0.2.1", "A");
  const now = new Date(clock.now()).toISOString();
  await stores.moderation.addBan({
    ban_id: "ban_0000000000000001",
    address: "198.51.100.0/24",
    reason: "bots",
    expires_at: new Date(clock.now() + 60_000).toISOString(),
    created_at: now,
  });
  await stores.moderation.addBan({
    ban_id: "ban_0000000000000002",
    player_id,
    reason: "cheating",
    expires_at: "",
    created_at: now,
  });
  identity.bansChanged();
  const byAddress = await refusal(identity.authenticate(null, "198.51.100.20"));
  assert.equal(byAddress.status, 403);
  assert.match(byAddress.message, /^Banned until .*: bots$/);
  assert.equal(
    (await refusal(identity.authenticate(token, "192.0.2.1"))).message,
    "Banned: cheating",
  );
  assert.equal(await identity.authenticate(null, "192.0.2.1"), undefined, "others come in");
  assert.deepEqual(await identity.authenticate(ADMIN, "198.51.100.20"), OPERATOR);
  assert.equal((await refusal(identity.createPlayer("198.51.100.1", "x"))).status, 403);
  await clock.advance(60_000);
  assert.equal(await identity.authenticate(null, "198.51.100.20"), undefined, "expired");
});

Deno.test("IdentityService: players created per address are rate-limited; display names are checked", async () => {
  const { identity, clock } = service({ perHour: 2 });
  await identity.createPlayer("192.0.2.1", "a");
  await identity.createPlayer("192.0.2.1", "b");
  const limited = await refusal(identity.createPlayer("192.0.2.1", "c"));
  assert.equal(limited.status, 429);
  assert.match(limited.message, /2 an hour/);
  await identity.createPlayer("192.0.2.2", "another address");
  await clock.advance(1_800_000);
  await identity.createPlayer("192.0.2.1", "half an hour later");
  for (const bad of [42, {}, ["a"], "x".repeat(33), "tab\there", "nul\u0000"]) {
    assert.equal((await refusal(identity.createPlayer("192.0.2.3", bad))).status, 400);
  }
});
