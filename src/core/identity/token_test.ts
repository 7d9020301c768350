import assert from "node:assert/strict";
import {
  constantTimeEqual,
  hashToken,
  MAX_TOKEN_CHARS,
  newPlayerId,
  newToken,
  parseToken,
  PLAYER_ID,
} from "./token.ts";

Deno.test("token: ugc1.<player_id>.<43 base64url chars> of 32 random bytes, parsed back to its player", () => {
  const playerId = newPlayerId();
  assert.match(playerId, PLAYER_ID);
  const token = newToken(playerId);
  assert.match(token, /^ugc1\.p_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(parseToken(token), { playerId });
  assert.notEqual(newToken(playerId), token, "random every time");
});

Deno.test("token: anything else is not a token (refused before any lookup)", () => {
  const good = newToken("p_0123456789abcdef");
  const secret = good.split(".")[2]!;
  for (
    const bad of [
      "",
      "ugc1",
      "ugc1..",
      `ugc2.p_0123456789abcdef.${secret}`,
      `ugc1.p_0123456789ABCDEF.${secret}`,
      `ugc1.p_0123456789abcde.${secret}`,
      `ugc1.p_0123456789abcdef.${secret}x`,
      `ugc1.p_0123456789abcdef.${secret.slice(1)}`,
      `ugc1.p_0123456789abcdef.${secret.slice(1)}=`,
      `ugc1.p_0123456789abcdef.${secret}.extra`,
      `ugc1.../etc/passwd.${secret}`,
      `ugc1.p_0123456789abcdef.${"a".repeat(MAX_TOKEN_CHARS)}`,
      "x".repeat(1_000_000),
      `ugc1.p_0123456789abcdef.${secret.slice(0, 42)}\u00e9`,
    ]
  ) {
    assert.equal(parseToken(bad), undefined, bad.slice(0, 80));
  }
});

Deno.test("token: stored as SHA-256 hex; compared without an early exit", async () => {
  const hash = await hashToken("ugc1.p_0123456789abcdef.secret");
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(hash, await hashToken("ugc1.p_0123456789abcdef.secret"));
  assert.equal(constantTimeEqual(hash, hash), true);
  assert.equal(constantTimeEqual(hash, hash.slice(0, 63) + "0"), hash.endsWith("0"));
  assert.equal(constantTimeEqual(hash, hash.slice(0, 63)), false, "a prefix is not equal");
  assert.equal(constantTimeEqual("", ""), true);
  assert.equal(constantTimeEqual("a", ""), false);
});
