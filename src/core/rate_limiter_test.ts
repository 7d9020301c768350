import assert from "node:assert/strict";
import { RateLimiter } from "./rate_limiter.ts";

function steppedClock(start = 1_000_000) {
  let now = start;
  return { monotonic: () => now, advance: (ms: number) => now += ms };
}

Deno.test("RateLimiter: burst at once, then perSecond; msUntilToken says when the next one comes", () => {
  const clock = steppedClock();
  const limiter = new RateLimiter({ perSecond: 2, burst: 3, clock });
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take("a")), [true, true, true, false]);
  assert.equal(limiter.msUntilToken("a"), 500);
  assert.equal(limiter.take("b"), true, "keys are independent");
  clock.advance(250);
  assert.equal(limiter.msUntilToken("a"), 250);
  assert.equal(limiter.take("a"), false);
  clock.advance(250);
  assert.equal(limiter.msUntilToken("a"), 0);
  assert.equal(limiter.take("a"), true);
  assert.equal(limiter.take("a"), false);
  clock.advance(60_000);
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take("a")), [true, true, true, false]);
});

Deno.test("RateLimiter: a slow rate (5 a minute) counts fractions of a token", () => {
  const clock = steppedClock();
  const limiter = new RateLimiter({ perSecond: 5 / 60, burst: 5, clock });
  for (let i = 0; i < 5; i++) assert.equal(limiter.take("addr"), true);
  assert.equal(limiter.take("addr"), false);
  assert.equal(limiter.msUntilToken("addr"), 12_000);
  clock.advance(11_999);
  assert.equal(limiter.take("addr"), false);
  clock.advance(1);
  assert.equal(limiter.take("addr"), true);
});

Deno.test("RateLimiter: refilled buckets of many keys are forgotten, busy ones kept", () => {
  const clock = steppedClock();
  const limiter = new RateLimiter({ perSecond: 1, burst: 2, clock });
  for (let i = 0; i < 5000; i++) limiter.take(`addr${i}`);
  assert.equal(limiter.size, 5000);
  clock.advance(61_000);
  limiter.take("busy");
  limiter.take("busy");
  // The sweep runs inside take, once the interval has passed: every refilled key goes.
  limiter.take("other");
  assert.ok(limiter.size <= 2, `${limiter.size} buckets left`);
  assert.equal(limiter.take("busy"), false, "a key still short of tokens keeps its bucket");
});

Deno.test("RateLimiter: a refund gives a token back, never above the burst; a cost takes several or a fraction", () => {
  const clock = steppedClock();
  const limiter = new RateLimiter({ perSecond: 1, burst: 2, clock });
  assert.equal(limiter.take("a"), true);
  assert.equal(limiter.take("a"), true);
  assert.equal(limiter.take("a"), false);
  limiter.refund("a");
  assert.equal(limiter.take("a"), true, "the refunded token");
  limiter.refund("a");
  limiter.refund("a");
  limiter.refund("a");
  assert.deepEqual([1, 2, 3].map(() => limiter.take("a")), [true, true, false], "capped at 2");
  limiter.refund("unknown"); // nothing to give back to
  assert.equal(limiter.size, 1);
  clock.advance(2_000);
  assert.equal(limiter.take("b", 1 / 16), true);
  for (let i = 0; i < 31; i++) assert.equal(limiter.take("b", 1 / 16), true);
  assert.equal(limiter.take("b", 1 / 16), false, "32 sixteenths make the burst of 2");
  assert.equal(limiter.take("c", 3), false, "a cost above the burst never fits");
});
