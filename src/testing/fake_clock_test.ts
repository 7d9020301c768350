import assert from "node:assert/strict";
import { settlesWithin } from "../core/ports/clock.ts";
import { FakeClock } from "./fake_clock.ts";

Deno.test("FakeClock: timers fire in time order only when time is advanced; cancel stops them", async () => {
  const clock = new FakeClock(1_000);
  const fired: string[] = [];
  clock.after(20, () => fired.push("b"));
  clock.after(10, () => fired.push("a"));
  const cancel = clock.after(15, () => fired.push("cancelled"));
  cancel();
  await clock.advance(5);
  assert.deepEqual(fired, []);
  await clock.advance(15);
  assert.deepEqual(fired, ["a", "b"]);
  assert.equal(clock.now(), 1_020);
  assert.equal(clock.monotonic(), 20);
  assert.equal(clock.pending, 0);
});

Deno.test("FakeClock: every repeats, sleep chains resolve within one advance", async () => {
  const clock = new FakeClock();
  let ticks = 0;
  const stop = clock.every(10, () => ticks++);
  let woke = 0;
  (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(7);
      woke++;
    }
  })();
  await clock.advance(35);
  assert.equal(ticks, 3);
  assert.equal(woke, 3);
  stop();
  await clock.advance(100);
  assert.equal(ticks, 3);
});

Deno.test("settlesWithin: true for a promise that settles in time, false after the bound, no timer left", async () => {
  const clock = new FakeClock();
  assert.equal(await settlesWithin(clock, Promise.resolve(), 10), true);
  assert.equal(clock.pending, 0);
  const never = settlesWithin(clock, new Promise(() => {}), 10);
  await clock.advance(10);
  assert.equal(await never, false);
  assert.equal(clock.pending, 0);
});
