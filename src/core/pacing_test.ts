import assert from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { FakeSession } from "../testing/fake_session.ts";
import { readerReady } from "./pacing.ts";

Deno.test("readerReady: ready once the backlog is under the mark, gone when unwanted, stalled after stallMs without progress", async () => {
  const clock = new FakeClock();
  const session = new FakeSession();
  const options = { highWater: 100, stallMs: 1000, clock };
  session.bufferedBytes = 50;
  assert.equal(await readerReady(session, options, () => true), "ready");

  session.bufferedBytes = 500;
  const waiting = readerReady(session, options, () => true);
  await clock.advance(500);
  session.bufferedBytes = 90;
  await clock.advance(10);
  assert.equal(await waiting, "ready");

  session.bufferedBytes = 500;
  let wanted = true;
  const leaving = readerReady(session, options, () => wanted);
  await clock.advance(100);
  wanted = false;
  await clock.advance(10);
  assert.equal(await leaving, "gone");

  const stalled = readerReady(session, options, () => true);
  await clock.advance(990);
  let settled = false;
  stalled.then(() => settled = true);
  await clock.advance(0);
  assert.equal(settled, false);
  await clock.advance(20);
  assert.equal(await stalled, "stalled");
});

Deno.test("readerReady: a reader that keeps taking bytes, however slowly, never stalls", async () => {
  const clock = new FakeClock();
  const session = new FakeSession();
  session.bufferedBytes = 10_000;
  const waiting = readerReady(session, { highWater: 100, stallMs: 1000, clock }, () => true);
  for (let i = 0; i < 99; i++) {
    await clock.advance(900);
    session.bufferedBytes -= 100;
  }
  await clock.advance(10);
  assert.equal(await waiting, "ready");
  assert.ok(clock.monotonic() > 80_000, "it took 89 s of fake time");
});
